"""Ablation tables: named rows of run specs, run (or reused), compared against a reference row."""

from adiff_bench.ablation.run import run_ablation
from adiff_bench.ablation.spec import AblationSpec, load_ablation_spec

__all__ = ["AblationSpec", "load_ablation_spec", "run_ablation"]
