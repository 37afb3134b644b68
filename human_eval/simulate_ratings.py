"""Build the SIMULATED example study in human_eval/example/ (no real system, audio or rater is involved).

Three made-up systems answer 40 made-up items of two tasks; `adiff-bench human sample` draws a blinded
study of 20 items; five simulated raters then rate it, each rating being

    round(latent quality of the system on the criterion + item difficulty + rater bias + noise), clipped to 1..5

with fixed effects below and a fixed seed, so the output is identical on every run. A made-up per-item
metric (``sim_metric``) tracks the latent correctness with noise, to show metric-human agreement.
Planted truth: on correctness and granularity sim-strong > sim-medium > sim-weak; on readability the
three systems are equal. The analysis should find exactly that.

    .venv/bin/python human_eval/simulate_ratings.py            # writes human_eval/example/
    .venv/bin/python human_eval/simulate_ratings.py --out DIR  # anywhere else
    .venv/bin/python human_eval/simulate_ratings.py --analyze  # also report.md, plots/ and the README block

``--analyze`` runs ``adiff-bench human analyze`` on the simulated study and writes ``report.md`` and ``plots/``
into the output folder; with the default folder it also replaces the example block of human_eval/README.md
(``--readme PATH`` for another file), so the documented numbers are always computed, never typed in.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from adiff_bench.data.tasks import TaskSpec
from adiff_bench.io_utils import atomic_write_json, atomic_write_text
from adiff_bench.metrics.base import MetricResult, mean_stats
from adiff_bench.runs import store
from adiff_bench.runs.spec import RunSpec

SEED = 20250127
SYSTEMS = {"sim-strong": 0.8, "sim-medium": 0.0, "sim-weak": -0.8}  # latent quality offset
CRITERION_BASE = {"correctness": 3.0, "granularity": 2.9, "readability": 3.8}
CRITERION_USES_SYSTEM = {"correctness": 1.0, "granularity": 0.8, "readability": 0.0}
TASKS = {TaskSpec("acd", "test", 2): 24, TaskSpec("cld", "evaluation", 2): 16}
RATERS = ("rater1", "rater2", "rater3", "rater4", "rater5")
N_SAMPLE = 20
EXPLANATIONS = {  # what each made-up system says (the same for every item; the ratings are simulated anyway)
    "sim-strong": "Clip 2 adds a dog barking twice over the same street noise, and the traffic is quieter.",
    "sim-medium": "Clip 2 has a dog barking.",
    "sim-weak": "The sounds are different.",
}
PROMPT = "[simulated] Explain the difference between the two audio clips in a sentence."


def write_run(
    run_dir: Path,
    system: str,
    task: TaskSpec,
    predictions: Mapping[str, str],
    metrics: Mapping[str, Mapping[str, float]] | None = None,
    prompt: str = PROMPT,
    audio: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    """A run directory as the harness writes it (spec.json, predictions.jsonl, results.json, item_scores.npz)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    spec = RunSpec(model=system, task=task)
    atomic_write_json(run_dir / store.SPEC_FILE, {"spec": spec.to_json()})
    audio = audio or {}
    (run_dir / store.PREDICTIONS_FILE).unlink(missing_ok=True)  # the writer appends; a rerun starts afresh
    with store.PredictionWriter(run_dir / store.PREDICTIONS_FILE) as writer:
        writer.write_batch(
            store.PredictionRecord(item_id, task.name, prompt, text, 0.0, *audio.get(item_id, (None, None)))
            for item_id, text in predictions.items()
        )
    atomic_write_json(
        run_dir / store.RESULTS_FILE, {"model": {"name": system}, "task": {**task.to_json(), "name": task.name}}
    )
    if metrics:
        ids = list(predictions)
        results = {}
        for name, values in metrics.items():
            per_item = np.array([values[i] for i in ids], dtype=np.float64)
            results[name] = MetricResult(
                name, f"{name}|simulated", float(per_item.mean()), per_item, mean_stats(per_item), "mean"
            )
        store.save_item_scores(run_dir / store.ITEM_SCORES_FILE, ids, results)
    return run_dir


def build_runs(out: Path, rng: np.random.Generator) -> tuple[list[Path], dict[str, float]]:
    """The fake runs; returns their folders and each item's difficulty (shared by all systems)."""
    difficulty: dict[str, float] = {}
    for task, n in TASKS.items():
        for k in range(n):
            difficulty[f"{task.dataset}-{task.split}-{k:05d}"] = float(rng.normal(0.0, 0.5))
    run_dirs = []
    for system, offset in SYSTEMS.items():
        for task, n in TASKS.items():
            ids = [f"{task.dataset}-{task.split}-{k:05d}" for k in range(n)]
            texts = {i: f"[simulated] {EXPLANATIONS[system]}" for i in ids}
            metric = {i: float(0.3 + 0.1 * (offset - difficulty[i]) + rng.normal(0.0, 0.08)) for i in ids}
            run_dirs.append(write_run(out / "runs" / system / task.name, system, task, texts, {"sim_metric": metric}))
    return run_dirs, difficulty


def simulate_ratings(study_dir: Path, difficulty: Mapping[str, float], rng: np.random.Generator) -> dict[str, str]:
    """One CSV text per rater, in the format the rating form saves."""
    with open(study_dir / "key.csv", encoding="utf-8") as handle:
        key = list(csv.DictReader(handle))
    criteria = list(CRITERION_BASE)
    bias = {r: {c: float(rng.normal(0.0, 0.3)) for c in criteria} for r in RATERS}
    files = {}
    for n_rater, rater in enumerate(RATERS):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["rater", "blinded_id", *criteria])
        for n_unit, row in enumerate(key):
            scores = []
            for criterion in criteria:
                latent = (
                    CRITERION_BASE[criterion]
                    + CRITERION_USES_SYSTEM[criterion] * SYSTEMS[row["system"]]
                    - difficulty[row["item_id"]]
                    + bias[rater][criterion]
                    + rng.normal(0.0, 0.6)
                )
                scores.append(str(int(np.clip(np.rint(latent), 1, 5))))
            if n_rater == len(RATERS) - 1 and n_unit < 2:  # the last rater skipped two units' correctness
                scores[0] = ""
            writer.writerow([rater, row["blinded_id"], *scores])
        files[rater] = buffer.getvalue()
    return files


README_START = "<!-- example-analysis:start -->\n```markdown\n"
README_END = "```\n<!-- example-analysis:end -->"
DEFAULT_OUT = Path(__file__).resolve().parent / "example"


def analyze_example(out: Path, readme: Path | None) -> str:
    """Run the CLI analysis as the README shows it; write report.md and plots/, and the README block."""
    from adiff_bench.cli.main import main as cli

    ratings = [f"ratings/{rater}.csv" for rater in RATERS]
    runs = sorted(str(p.relative_to(out)) for p in out.glob("runs/*/*"))
    cwd = os.getcwd()
    os.chdir(out)
    try:
        options = ["--plots", "plots", "--output", "report.md", "--runs", *runs]
        code = cli(["human", "analyze", "study", *ratings, *options])
    finally:
        os.chdir(cwd)
    if code != 0:
        raise SystemExit(code)
    report = (out / "report.md").read_text(encoding="utf-8")
    if readme is not None:
        text = readme.read_text(encoding="utf-8")
        start, end = text.find(README_START), text.find(README_END)
        if start < 0 or end < start:
            raise SystemExit(f"{readme}: no example-analysis block to replace")
        atomic_write_text(readme, text[: start + len(README_START)] + report + text[end:])
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--analyze", action="store_true", help="also write report.md, plots/ and the README block")
    parser.add_argument("--readme", default=None, help="README whose example block to replace (with --analyze)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    rng = np.random.default_rng(SEED)
    run_dirs, difficulty = build_runs(out, rng)
    from adiff_bench.human.sample import sample_runs
    from adiff_bench.human.study import default_study

    relative = [Path(p).relative_to(out) for p in run_dirs]

    cwd = os.getcwd()
    os.chdir(out)  # the key records run folders relative to the example folder
    try:
        study = replace(default_study(), name="SIMULATED example study")
        sample_runs(relative, n=N_SAMPLE, seed=SEED, out="study", study=study, overwrite=True)
    finally:
        os.chdir(cwd)
    for rater, text in simulate_ratings(out / "study", difficulty, rng).items():
        atomic_write_text(out / "ratings" / f"{rater}.csv", text)
    print(f"SIMULATED example study written to {out}")
    if args.analyze:
        default_readme = DEFAULT_OUT.parent / "README.md" if out.resolve() == DEFAULT_OUT else None
        readme = Path(args.readme) if args.readme else default_readme
        analyze_example(out, readme)
        print(f"analysis written to {out / 'report.md'}" + (f" and {readme}" if readme else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
