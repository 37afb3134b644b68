"""Blinded sampling: the same items from every system, systems in random order per item, random ids.

A *unit* is one system's explanation of one item; raters see units only by their blinded id. The key
from blinded ids to systems is written to ``key.csv``, which raters must not see.
"""

from __future__ import annotations

import base64
import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import numpy as np

from adiff_bench.errors import DataError
from adiff_bench.human.rundirs import RunOutputs, load_run
from adiff_bench.human.study import Study
from adiff_bench.io_utils import atomic_write_json, atomic_write_text

STUDY_FILE = "study.json"
SHEET_FILE = "sheet.csv"
FORM_FILE = "form.html"
KEY_FILE = "key.csv"
KEY_COLUMNS = ("blinded_id", "system", "task", "item_id", "run_dir")
_AUDIO_TYPES = {".wav": "audio/wav", ".flac": "audio/flac", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


@dataclass(frozen=True)
class Unit:
    blinded_id: str
    system: str
    task: str
    item_id: str
    run_dir: str
    prompt: str
    explanation: str
    audio1: str  # the path as the dataset names it (or a link relative to the study folder when found)
    audio2: str
    audio1_src: str | None = None  # what the form's player loads: a relative link or a data URI
    audio2_src: str | None = None


@dataclass(frozen=True)
class Sample:
    units: tuple[Unit, ...]  # grouped by item, items and systems in random order
    tasks: dict[str, int]  # task -> items sampled
    n_requested: int
    n_available: int
    seed: int
    audio_found: int  # clips with a playable file
    audio_missing: tuple[str, ...]  # dataset paths of clips not found under the audio root


def _common_items(runs: Sequence[RunOutputs]) -> tuple[list[str], dict[str, list[str]]]:
    """Systems and, per task, the item ids every system answered; one clear error for any mismatch."""
    by_system: dict[str, dict[str, RunOutputs]] = {}
    for run in runs:
        tasks = by_system.setdefault(run.system, {})
        if run.task in tasks:
            raise DataError(
                f"{run.path} and {tasks[run.task].path} are both runs of {run.system!r} on {run.task}; pass one, "
                "or name them apart as LABEL=RUN_DIR"
            )
        tasks[run.task] = run
    systems = sorted(by_system)
    if len(systems) < 2:
        raise DataError(f"only one system ({systems[0]!r}) among the runs: a study compares two or more systems")
    all_tasks = sorted({run.task for run in runs})
    for system in systems:
        missing = [t for t in all_tasks if t not in by_system[system]]
        if missing:
            raise DataError(
                f"system {system!r} has no run on {', '.join(missing)}; pass a run of every system on every task"
            )
    common: dict[str, list[str]] = {}
    for task in all_tasks:
        sets = [set(by_system[s][task].records) for s in systems]
        common[task] = sorted(set.intersection(*sets))
        if not common[task]:
            raise DataError(f"no item of {task} was answered by every system; check that the runs used the same task")
    return systems, common


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Items per stratum proportional to its size (largest remainders), never more than it holds."""
    total = sum(sizes.values())
    if n >= total:
        return dict(sizes)
    quotas = {k: n * v / total for k, v in sizes.items()}
    out = {k: int(q) for k, q in quotas.items()}
    for k in sorted(sizes, key=lambda k: (-(quotas[k] - out[k]), k))[: n - sum(out.values())]:
        out[k] += 1
    return out


def _blinded_ids(count: int, rng: np.random.Generator) -> list[str]:
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < count:
        candidate = f"u{int(rng.integers(0, 16**6)):06x}"
        if candidate not in seen:
            seen.add(candidate)
            ids.append(candidate)
    return ids


def _audio_source(path: str | None, audio_root: Path | None, study_dir: Path, embed: bool) -> tuple[str, str | None]:
    """(path for the sheet, source for the player or None when the file is not found)."""
    if not path:
        return "", None
    candidate = Path(path)
    if not candidate.is_absolute() and audio_root is not None:
        candidate = audio_root.resolve() / candidate
    if not candidate.is_absolute() or not candidate.is_file():  # a bare relative path is ambiguous
        return path, None
    link = Path(os.path.relpath(candidate.resolve(), study_dir.resolve())).as_posix()
    if embed:
        mime = _AUDIO_TYPES.get(candidate.suffix.lower(), "application/octet-stream")
        return link, f"data:{mime};base64,{base64.b64encode(candidate.read_bytes()).decode('ascii')}"
    return link, quote(link)


def draw_sample(
    runs: Sequence[RunOutputs],
    n: int,
    seed: int,
    study_dir: Path,
    audio_root: Path | None = None,
    embed_audio: bool = False,
) -> Sample:
    """Pick ``n`` items common to all systems (stratified by task), shuffle systems per item, blind them."""
    if n <= 0:
        raise DataError("--n must be a positive number of items")
    systems, common = _common_items(runs)
    runs_by_key = {(run.system, run.task): run for run in runs}
    rng = np.random.default_rng(seed)
    quotas = allocate({task: len(ids) for task, ids in common.items()}, n)
    chosen: list[tuple[str, str]] = []
    for task in sorted(common):
        picks = rng.choice(len(common[task]), size=quotas[task], replace=False)
        chosen.extend((task, common[task][i]) for i in sorted(picks))
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    ids = iter(_blinded_ids(len(chosen) * len(systems), rng))
    units: list[Unit] = []
    found = 0
    missing: list[str] = []
    for task, item_id in chosen:
        first = runs_by_key[(systems[0], task)].records[item_id]
        audio = []
        for path in (first.audio1, first.audio2):
            shown, src = _audio_source(path, audio_root, study_dir, embed_audio)
            audio.append((shown, src))
            if src is not None:
                found += 1
            elif path:
                missing.append(path)
        for index in rng.permutation(len(systems)):
            run = runs_by_key[(systems[index], task)]
            record = run.records[item_id]
            if record.audio1 and first.audio1 and (record.audio1, record.audio2) != (first.audio1, first.audio2):
                raise DataError(
                    f"{run.path}: item {item_id} of {task} names clips {record.audio1}, {record.audio2}, but another "
                    f"run names {first.audio1}, {first.audio2}; the runs are not of the same data"
                )
            units.append(
                Unit(
                    blinded_id=next(ids),
                    system=run.system,
                    task=task,
                    item_id=item_id,
                    run_dir=str(run.path),
                    prompt=record.prompt,
                    explanation=record.prediction,
                    audio1=audio[0][0],
                    audio2=audio[1][0],
                    audio1_src=audio[0][1],
                    audio2_src=audio[1][1],
                )
            )
    return Sample(
        units=tuple(units),
        tasks={task: quotas[task] for task in sorted(common)},
        n_requested=n,
        n_available=sum(len(v) for v in common.values()),
        seed=seed,
        audio_found=found,
        audio_missing=tuple(missing),
    )


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ tab or CR gets a leading
    single quote (OWASP CSV injection advice). Model explanations are untrusted: ``=HYPERLINK(...)``."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def sheet_csv(sample: Sample, study: Study) -> str:
    """The blinded sheet: nothing in it names a system, and no cell can run as a spreadsheet formula."""
    header = ["blinded_id", "audio1", "audio2", "prompt", "explanation", *study.criterion_names]
    rows = [
        [spreadsheet_safe(c) for c in (u.blinded_id, u.audio1, u.audio2, u.prompt, u.explanation)]
        + [""] * len(study.criteria)
        for u in sample.units
    ]
    return _csv_text(header, rows)


def key_csv(sample: Sample) -> str:
    rows = [[u.blinded_id, u.system, u.task, u.item_id, u.run_dir] for u in sample.units]
    return _csv_text(KEY_COLUMNS, rows)


def write_study(
    study_dir: Path,
    study: Study,
    sample: Sample,
    form_html: str,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write study.json, sheet.csv, form.html and key.csv; refuses to replace an existing study's key."""
    study_dir = Path(study_dir)
    if (study_dir / KEY_FILE).exists() and not overwrite:
        raise DataError(
            f"{study_dir / KEY_FILE} exists: this folder already holds a study (ratings may refer to it); "
            "choose another --out or pass --overwrite"
        )
    study_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: study_dir / name for name in (STUDY_FILE, SHEET_FILE, FORM_FILE, KEY_FILE)}
    atomic_write_json(
        paths[STUDY_FILE],
        {
            "study": study.to_json(),
            "sampling": {
                "seed": sample.seed,
                "n_requested": sample.n_requested,
                "n_available": sample.n_available,
                "items_per_task": sample.tasks,
                "n_items": sum(sample.tasks.values()),
                "n_units": len(sample.units),
                "audio_found": sample.audio_found,
                "audio_missing": len(sample.audio_missing),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            "note": f"the system behind each blinded id is in {KEY_FILE}: keep it from the raters",
        },
    )
    atomic_write_text(paths[SHEET_FILE], sheet_csv(sample, study))
    atomic_write_text(paths[FORM_FILE], form_html)
    atomic_write_text(paths[KEY_FILE], key_csv(sample))
    return paths


def sample_runs(
    run_dirs: Sequence[Path | str],
    n: int,
    seed: int,
    out: Path | str,
    study: Study,
    audio_root: Path | str | None = None,
    embed_audio: bool = False,
    overwrite: bool = False,
) -> tuple[Sample, dict[str, Path]]:
    """The whole ``human sample`` step: read runs, draw the blinded sample, write the study folder."""
    from adiff_bench.human.form import render_form

    out = Path(out)
    runs = [load_run(path) for path in run_dirs]
    sample = draw_sample(runs, n, seed, out, Path(audio_root) if audio_root else None, embed_audio)
    return sample, write_study(out, study, sample, render_form(study, sample.units), overwrite=overwrite)
