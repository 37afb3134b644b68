"""Reading and validating rating files: every defect is one line naming the file, row and column.

A rating file is a CSV with ``blinded_id`` and one column per criterion (the form's output, or a filled
copy of ``sheet.csv``). A ``rater`` column names the rater; without one the file name (stem) does.
Rows are the file's line numbers (the header is row 1). Empty cells are missing ratings: reported,
not errors. Extra columns (prompt, explanation, comment, ...) are ignored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.errors import DataError
from adiff_bench.human.sample import KEY_COLUMNS, KEY_FILE, STUDY_FILE
from adiff_bench.human.study import Study, parse_study
from adiff_bench.io_utils import read_utf8


@dataclass(frozen=True)
class KeyEntry:
    blinded_id: str
    system: str
    task: str
    item_id: str
    run_dir: str


@dataclass(frozen=True)
class Rating:
    rater: str
    blinded_id: str
    criterion: str
    score: int
    source: str  # "file, row N" for messages


@dataclass(frozen=True)
class RatingSet:
    ratings: tuple[Rating, ...]
    raters: tuple[str, ...]
    files: tuple[str, ...]
    missing: dict[str, int]  # rater -> unit × criterion cells of the study left empty or absent
    missing_examples: tuple[str, ...]  # a few "rater: id/criterion" for the report


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    text = read_utf8(path, where=lambda line: f"{path}, row {line}")
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise DataError(f"{path}: empty file; expected a header row with blinded_id and the criteria")
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str | None]]] = []
    line = 1
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            rows.append((start, record))
    except csv.Error as exc:
        raise DataError(f"{path}, row {reader.line_num}: not valid CSV ({exc})") from exc
    return header, rows


def load_study_dir(study_dir: Path | str) -> tuple[Study, dict[str, KeyEntry], dict]:
    """The study, its key (blinded id -> system and item) and its sampling record."""
    import json

    study_dir = Path(study_dir)
    study_path, key_path = study_dir / STUDY_FILE, study_dir / KEY_FILE
    for path in (study_path, key_path):
        if not path.is_file():
            raise DataError(f"{path} not found: pass the folder written by `adiff-bench human sample`")
    try:
        record = json.loads(study_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataError(f"{study_path}: not valid JSON ({exc})") from exc
    study = parse_study(record.get("study"), str(study_path))
    header, rows = _read_csv(key_path)
    missing = [c for c in KEY_COLUMNS if c not in header]
    if missing:
        raise DataError(f"{key_path}, row 1: missing column(s) {', '.join(missing)}; expected {','.join(KEY_COLUMNS)}")
    key: dict[str, KeyEntry] = {}
    for line, row in rows:
        entry = KeyEntry(*(str(row.get(c) or "").strip() for c in KEY_COLUMNS))
        if not entry.blinded_id or not entry.system:
            raise DataError(f"{key_path}, row {line}: empty blinded_id or system; restore the key written by sampling")
        if entry.blinded_id in key:
            raise DataError(f"{key_path}, row {line}, column blinded_id: {entry.blinded_id!r} appears twice")
        key[entry.blinded_id] = entry
    return study, key, record.get("sampling", {})


def _score(value: str, study: Study, where: str) -> int:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not number.is_integer() or not study.scale_min <= number <= study.scale_max:
        raise DataError(
            f"{where}: {value!r} is not a whole number from {study.scale_min} to {study.scale_max}; "
            "correct it or leave the cell empty"
        )
    return int(number)


def read_ratings(paths: Sequence[Path | str], study: Study, known_ids: Iterable[str]) -> RatingSet:
    """All rating files of a study, validated against its criteria, scale and blinded ids."""
    if not paths:
        raise DataError("no rating files given: pass the CSVs saved from the form or filled-in sheets")
    known = list(known_ids)
    known_set = set(known)
    given: dict[tuple[str, str, str], str] = {}
    ratings: list[Rating] = []
    raters: list[str] = []
    for path in map(Path, paths):
        header, rows = _read_csv(path)
        needed = ["blinded_id", *study.criterion_names]
        missing = [c for c in needed if c not in header]
        if missing:
            raise DataError(
                f"{path}, row 1: missing column(s) {', '.join(missing)}; a rating file needs "
                f"{', '.join(needed)} (and optionally rater)"
            )
        has_rater = "rater" in header
        if not any(any(str(v).strip() for v in row.values() if v is not None) for _, row in rows):
            # an error, not a skip: a rater's file with no rows is the wrong (or an unfilled) export, and
            # silently dropping it would change the panel, the agreement and every count without a word
            raise DataError(f"{path}: header only, no rating rows; fill it in or leave the file out of the command")
        for line, row in rows:
            if None in row or any(row.get(c) is None for c in header):
                raise DataError(
                    f"{path}, row {line}: {len(header)} columns expected; check for stray or missing commas"
                )
            if not any(str(v).strip() for v in row.values()):
                continue
            rater = str(row["rater"]).strip() if has_rater else path.stem
            if not rater:
                raise DataError(f"{path}, row {line}, column rater: empty; write the rater's id")
            blinded_id = str(row["blinded_id"]).strip()
            if not blinded_id:
                raise DataError(f"{path}, row {line}, column blinded_id: empty; copy the id from the sheet")
            if blinded_id not in known_set:
                raise DataError(
                    f"{path}, row {line}, column blinded_id: unknown id {blinded_id!r}, not in this study's key "
                    "(is the file from another study?)"
                )
            if rater not in raters:
                raters.append(rater)
            for criterion in study.criterion_names:
                value = str(row[criterion]).strip()
                if not value:
                    continue
                where = f"{path}, row {line}, column {criterion}"
                score = _score(value, study, where)
                cell = (rater, blinded_id, criterion)
                if cell in given:
                    raise DataError(
                        f"{where}: rater {rater!r} already rated {blinded_id!r} on {criterion} ({given[cell]}); "
                        "keep one rating per rater × item × criterion"
                    )
                given[cell] = f"{path}, row {line}"
                ratings.append(Rating(rater, blinded_id, criterion, score, given[cell]))
    if not ratings:
        raise DataError(f"no ratings in {', '.join(map(str, paths))}: every criterion cell is empty")
    missing_counts: dict[str, int] = {}
    examples: list[str] = []
    for rater in raters:
        count = 0
        for blinded_id in known:
            for criterion in study.criterion_names:
                if (rater, blinded_id, criterion) not in given:
                    count += 1
                    if len(examples) < 5:
                        examples.append(f"{rater}: {blinded_id}/{criterion}")
        missing_counts[rater] = count
    return RatingSet(tuple(ratings), tuple(raters), tuple(map(str, paths)), missing_counts, tuple(examples))
