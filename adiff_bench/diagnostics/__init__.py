"""What a model says about known differences on synth: a rule-based extractor and a per-attribute report."""

from adiff_bench.diagnostics.extract import Extraction, extract
from adiff_bench.diagnostics.report import AttributeScore, DiagnosticReport, diagnose

__all__ = ["AttributeScore", "DiagnosticReport", "Extraction", "diagnose", "extract"]
