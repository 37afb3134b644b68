"""What raters are asked: the criteria, the rating scale and the written anchor of every scale point.

The defaults follow the ADIFF paper's human study (correctness, granularity, readability on 1-5); the
anchor wording is ours, since the paper does not publish its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.errors import DataError

# Columns of the sheet and of rating files; a criterion may not take one of these names.
RESERVED_COLUMNS = ("blinded_id", "rater", "audio1", "audio2", "prompt", "explanation", "comment")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Criterion:
    name: str  # column name in sheets and rating files
    label: str
    question: str
    anchors: tuple[tuple[int, str], ...]  # (scale point, written anchor), one per point

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "question": self.question,
            "anchors": {str(k): v for k, v in self.anchors},
        }


@dataclass(frozen=True)
class Study:
    name: str
    scale_min: int
    scale_max: int
    criteria: tuple[Criterion, ...]
    instructions: str = ""

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.scale_min, self.scale_max + 1))

    @property
    def criterion_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.criteria)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "scale": {"min": self.scale_min, "max": self.scale_max},
            "instructions": self.instructions,
            "criteria": [c.to_json() for c in self.criteria],
        }


DEFAULT_INSTRUCTIONS = (
    "Listen to both clips, then read the explanation of how clip 2 differs from clip 1. "
    "Rate each criterion on its own, using the written anchors; do not let one criterion colour another. "
    "Several explanations of the same pair come from different systems in random order; rate each on its own merits."
)

DEFAULT_STUDY_JSON: dict = {
    "name": "adiff-human-study",
    "scale": {"min": 1, "max": 5},
    "instructions": DEFAULT_INSTRUCTIONS,
    "criteria": [
        {
            "name": "correctness",
            "label": "Correctness",
            "question": "Is what the explanation says about the two clips and their difference true?",
            "anchors": {
                "1": "Wrong: the differences described are not in the audio, or the clips are swapped or confused.",
                "2": "Mostly wrong: one true statement among several false ones.",
                "3": "Partly correct: the main difference is right but there are clear errors.",
                "4": "Mostly correct: only minor inaccuracies.",
                "5": "Fully correct: everything stated about the two clips is true.",
            },
        },
        {
            "name": "granularity",
            "label": "Granularity",
            "question": "How specific and detailed is the explanation about the difference?",
            "anchors": {
                "1": "No usable detail: generic or empty (for example 'the sounds are different').",
                "2": "Coarse: names a difference only vaguely.",
                "3": "Some detail: names the main sound events but not their properties.",
                "4": "Detailed: sound events and their properties (loudness, pitch, timing, setting).",
                "5": "Very detailed: specific, fine-grained and complete for these clips.",
            },
        },
        {
            "name": "readability",
            "label": "Readability",
            "question": "How easy is the explanation to read and understand, regardless of whether it is true?",
            "anchors": {
                "1": "Unreadable: broken, repetitive or ungrammatical text.",
                "2": "Hard to read: the meaning must be guessed.",
                "3": "Understandable with effort: awkward or redundant wording.",
                "4": "Clear, with minor issues of wording or flow.",
                "5": "Fluent, clear and well organised.",
            },
        },
    ],
}


def default_study() -> Study:
    return parse_study(DEFAULT_STUDY_JSON, "<default study>")


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DataError(f"{where}: expected a whole number, got {value!r}")
    try:
        return int(value)
    except ValueError as exc:
        raise DataError(f"{where}: expected a whole number, got {value!r}") from exc


MAX_SCALE_POINTS = 101  # 0..100 at most: every point is an anchor, a form button and a plot bar


def parse_study(data: object, source: str) -> Study:
    """A study from its YAML/JSON mapping; every defect is one line naming the field."""
    if not isinstance(data, dict):
        raise DataError(f"{source}: expected a mapping with 'criteria' and 'scale'")
    scale = data.get("scale", {"min": 1, "max": 5})
    if not isinstance(scale, dict) or "min" not in scale or "max" not in scale:
        raise DataError(f"{source}: field 'scale' must be a mapping with 'min' and 'max'")
    low, high = _int(scale["min"], f"{source}: scale.min"), _int(scale["max"], f"{source}: scale.max")
    if high <= low:
        raise DataError(f"{source}: scale.max ({high}) must be greater than scale.min ({low})")
    if high - low + 1 > MAX_SCALE_POINTS:
        raise DataError(
            f"{source}: scale {low}..{high} has {high - low + 1} points; at most {MAX_SCALE_POINTS} are supported "
            "(each point needs a written anchor)"
        )
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        raise DataError(f"{source}: field 'criteria' must be a non-empty list")
    criteria: list[Criterion] = []
    for index, raw in enumerate(raw_criteria):
        where = f"{source}: criteria[{index}]"
        if not isinstance(raw, dict):
            raise DataError(f"{where}: expected a mapping with name, question and anchors")
        name = str(raw.get("name", ""))
        if not _NAME.match(name):
            raise DataError(f"{where}.name: {name!r} must be lower case letters, digits and _ (a CSV column name)")
        if name in RESERVED_COLUMNS or name in {c.name for c in criteria}:
            raise DataError(f"{where}.name: {name!r} is reserved or used twice; choose another name")
        anchors_raw = raw.get("anchors")
        if not isinstance(anchors_raw, dict):
            raise DataError(f"{where}.anchors: expected a mapping from each scale point to its written anchor")
        anchors = {_int(k, f"{where}.anchors key"): str(v).strip() for k, v in anchors_raw.items()}
        wanted = set(range(low, high + 1))
        if set(anchors) != wanted or not all(anchors.values()):
            missing = sorted(wanted - {k for k, v in anchors.items() if v})
            extra = sorted(set(anchors) - wanted)
            raise DataError(
                f"{where}.anchors: every point {low}..{high} needs a written anchor "
                f"(missing {missing or 'none'}, outside the scale {extra or 'none'})"
            )
        criteria.append(
            Criterion(
                name=name,
                label=str(raw.get("label") or name.capitalize()),
                question=str(raw.get("question", "")).strip(),
                anchors=tuple(sorted(anchors.items())),
            )
        )
    return Study(
        name=str(data.get("name", "human-study")),
        scale_min=low,
        scale_max=high,
        criteria=tuple(criteria),
        instructions=str(data.get("instructions", "")).strip(),
    )


def load_study(path: Path | str | None) -> Study:
    """The study in a YAML (or JSON) file, or the default study when no path is given."""
    if path is None:
        return default_study()
    from adiff_bench.io_utils import read_yaml

    return parse_study(read_yaml(path), str(path))
