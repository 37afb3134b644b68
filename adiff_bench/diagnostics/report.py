"""The synth diagnostic: per attribute, how often a model states a true difference with the right
direction (recall) and how often what it states is true (precision), plus identical-pair and
swapped-twin behaviour. Pure: takes the task, the ground truth and the texts; no I/O beyond reading
the ground-truth file next to the task's CSV."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from adiff_bench.data.synth.attributes import ATTRIBUTES, flip
from adiff_bench.data.tasks import Task
from adiff_bench.diagnostics.extract import Extraction, extract
from adiff_bench.errors import DataError


@dataclass(frozen=True)
class AttributeScore:
    attribute: str
    n_true: int  # pairs that differ in the attribute
    n_stated: int  # pairs whose explanation states a difference in it
    n_correct: int  # stated, true, and with the right direction
    n_detected: int  # true and stated, whatever the direction

    @property
    def precision(self) -> float | None:
        return self.n_correct / self.n_stated if self.n_stated else None

    @property
    def recall(self) -> float | None:
        return self.n_correct / self.n_true if self.n_true else None

    @property
    def direction_accuracy(self) -> float | None:
        return self.n_correct / self.n_detected if self.n_detected else None


@dataclass(frozen=True)
class DiagnosticReport:
    task: str
    n_items: int
    attributes: tuple[AttributeScore, ...]
    n_identical: int
    n_identical_correct: int  # says there is no notable difference and states none
    n_twins: int  # swapped twins whose both members were predicted
    n_twins_consistent: int  # the twin's stated directions are exactly flipped

    @property
    def no_difference_accuracy(self) -> float | None:
        return self.n_identical_correct / self.n_identical if self.n_identical else None

    @property
    def swap_consistency(self) -> float | None:
        return self.n_twins_consistent / self.n_twins if self.n_twins else None

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "n_items": self.n_items,
            "attributes": {
                s.attribute: {
                    **{k: v for k, v in asdict(s).items() if k != "attribute"},
                    "precision": s.precision,
                    "recall": s.recall,
                    "direction_accuracy": s.direction_accuracy,
                }
                for s in self.attributes
            },
            "identical_pairs": {
                "n": self.n_identical,
                "n_correct": self.n_identical_correct,
                "no_difference_accuracy": self.no_difference_accuracy,
            },
            "swapped_twins": {
                "n": self.n_twins,
                "n_consistent": self.n_twins_consistent,
                "swap_consistency": self.swap_consistency,
            },
        }

    def to_markdown(self) -> str:
        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{100 * value:.1f}%"

        lines = [
            f"## Synth diagnostic: {self.task} ({self.n_items} items)",
            "",
            "| attribute | true diffs | stated | correct | precision | recall | direction acc. |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for s in self.attributes:
            lines.append(
                f"| {s.attribute} | {s.n_true} | {s.n_stated} | {s.n_correct} | {pct(s.precision)} | "
                f"{pct(s.recall)} | {pct(s.direction_accuracy)} |"
            )
        lines += [
            "",
            f"- identical pairs judged 'no notable difference': {self.n_identical_correct}/{self.n_identical} "
            f"({pct(self.no_difference_accuracy)})",
            f"- swapped twins with exactly flipped directions: {self.n_twins_consistent}/{self.n_twins} "
            f"({pct(self.swap_consistency)})",
            "",
            "Precision = correct / stated; recall = correct / true; direction acc. = correct / (true and stated). "
            "Statements are read by a rule-based extractor (see its documented limits).",
        ]
        return "\n".join(lines) + "\n"


def load_truth_for(task: Task) -> dict[str, dict]:
    if task.spec.dataset != "synth":
        raise DataError(f"the diagnostic needs synth ground truth; task {task.spec.name} is not a synth task")
    from adiff_bench.data.synth import load_ground_truth

    return load_ground_truth(task.csv_path.parent)


def diagnose(task: Task, predictions: Mapping[str, str]) -> DiagnosticReport:
    truth = load_truth_for(task)
    scored = [item for item in task.items if item.item_id in predictions]
    if not scored:
        raise DataError(f"no predictions match the items of {task.spec.name}; is this a run of that task?")
    missing = [item.item_id for item in scored if item.item_id not in truth]
    if missing:
        raise DataError(f"item {missing[0]} has no ground truth in the synth folder; delete it and rebuild")
    extracted: dict[str, Extraction] = {item.item_id: extract(predictions[item.item_id]) for item in scored}
    counts = {a: [0, 0, 0, 0] for a in ATTRIBUTES}  # true, stated, correct, detected
    identical = identical_correct = twins = twins_consistent = 0
    for item in scored:
        record, found = truth[item.item_id], extracted[item.item_id]
        differences: dict[str, str] = record["differences"]
        for attribute in ATTRIBUTES:
            true_direction, stated = differences.get(attribute), found.directions.get(attribute)
            counts[attribute][0] += true_direction is not None
            counts[attribute][1] += stated is not None
            counts[attribute][2] += stated is not None and stated == true_direction
            counts[attribute][3] += stated is not None and true_direction is not None
        if record["kind"] == "identical":
            identical += 1
            identical_correct += found.says_no_difference
        twin = record.get("twin_of")
        if twin and twin in extracted:
            twins += 1
            flipped = {a: (d if d == "conflict" else flip(d)) for a, d in extracted[twin].directions.items()}
            twins_consistent += flipped == found.directions
    return DiagnosticReport(
        task=task.spec.name,
        n_items=len(scored),
        attributes=tuple(AttributeScore(a, *counts[a]) for a in ATTRIBUTES),
        n_identical=identical,
        n_identical_correct=identical_correct,
        n_twins=twins,
        n_twins_consistent=twins_consistent,
    )


def report_json_text(report: DiagnosticReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"
