"""``data check``: what is in the data dir, and what is wrong with it, before a long run finds out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from adiff_bench.data.tasks import DATASETS, TIER_NAMES, Task, TaskSpec, load_task
from adiff_bench.errors import DataError


@dataclass(frozen=True)
class TaskAudit:
    task: str
    csv_path: str
    rows: int
    self_pairs: tuple[str, ...]
    duplicate_pairs: tuple[tuple[str, ...], ...]  # groups of item ids sharing one (filepath1, filepath2)
    unsafe_paths: tuple[str, ...] = ()
    missing_audio: tuple[str, ...] = ()
    unreadable_audio: tuple[str, ...] = ()
    # Paths whose text stays inside the audio root but that lead outside it through a symlink. Reported, not
    # refused: a root of links into a shared store is a common layout; a CSV naming /etc through one is not.
    links_outside: tuple[str, ...] = ()
    audio_checked: bool = False

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "csv": self.csv_path,
            "rows": self.rows,
            "self_pairs": list(self.self_pairs),
            "duplicate_pairs": [list(group) for group in self.duplicate_pairs],
            "unsafe_paths": list(self.unsafe_paths),
            "missing_audio": list(self.missing_audio),
            "unreadable_audio": list(self.unreadable_audio),
            "links_outside": list(self.links_outside),
            "audio_checked": self.audio_checked,
        }


@dataclass(frozen=True)
class DataReport:
    audits: tuple[TaskAudit, ...]
    errors: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors and not any(a.unsafe_paths or a.missing_audio or a.unreadable_audio for a in self.audits)

    def to_json(self) -> dict:
        return {"ok": self.ok, "tasks": [a.to_json() for a in self.audits], "errors": list(self.errors)}


def _stays_inside(path: Path, audio_root: Path) -> bool:
    """False when a symlink on the way leads outside the audio root (a CSV cannot see that from its text)."""
    resolved, root = path.resolve(), Path(audio_root).resolve()
    return resolved == root or resolved.is_relative_to(root)


def _audit_audio(task: Task, audio_root: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    import soundfile as sf

    from adiff_bench.audio.pipeline import resolve_audio_path

    unsafe: list[str] = []
    missing: list[str] = []
    unreadable: list[str] = []
    outside: list[str] = []
    seen: dict[str, str] = {}
    for item in task.items:
        for relative in item.clips:
            if relative in seen:
                continue
            try:
                path = resolve_audio_path(audio_root, relative)
            except DataError:
                seen[relative] = "unsafe"
                unsafe.append(f"{task.csv_path.name}:{item.row}: {relative}")
                continue
            if not _stays_inside(path, audio_root):
                outside.append(f"{task.csv_path.name}:{item.row}: {relative} -> {path.resolve()}")
            if not path.is_file():
                seen[relative] = "missing"
                missing.append(relative)
                continue
            try:
                info = sf.info(str(path))
                status = "ok" if info.frames > 0 else "unreadable"
            except Exception:
                status = "unreadable"
            seen[relative] = status
            if status != "ok":
                unreadable.append(relative)
    return unsafe, missing, unreadable, outside


def audit_task(task: Task, audio_root: Path | None) -> TaskAudit:
    self_pairs = tuple(item.item_id for item in task.items if item.audio1 == item.audio2)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item in task.items:
        groups[(item.audio1, item.audio2)].append(item.item_id)
    duplicates = [tuple(ids) for ids in groups.values() if len(ids) > 1]
    unsafe: list[str] = []
    missing: list[str] = []
    unreadable: list[str] = []
    outside: list[str] = []
    if audio_root is not None:
        unsafe, missing, unreadable, outside = _audit_audio(task, audio_root)
    return TaskAudit(
        task=task.spec.name,
        csv_path=str(task.csv_path),
        rows=len(task.items),
        self_pairs=self_pairs,
        duplicate_pairs=tuple(duplicates),
        unsafe_paths=tuple(unsafe),
        missing_audio=tuple(missing),
        unreadable_audio=tuple(unreadable),
        links_outside=tuple(outside),
        audio_checked=audio_root is not None,
    )


def check_data(
    data_dir: Path | None,
    audio_root: Path | None = None,
    datasets: Sequence[str] = ("acd", "cld"),
) -> DataReport:
    """Audit every task file present for the given datasets; absent files are simply not listed."""
    audits: list[TaskAudit] = []
    errors: list[str] = []
    for name in datasets:
        info = DATASETS[name]
        for split in info.splits:
            for tier in TIER_NAMES:
                spec = TaskSpec(name, split, tier)
                try:
                    task = load_task(spec, data_dir, audio_root, check_paths=False)
                except DataError as exc:
                    if "not found" not in str(exc):
                        errors.append(str(exc))
                    continue
                audits.append(audit_task(task, task.audio_root))
    if not audits and not errors:
        errors.append(f"no task CSVs found in {data_dir}; pass --data-dir or run `adiff-bench data fetch`")
    return DataReport(tuple(audits), tuple(errors))
