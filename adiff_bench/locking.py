"""An exclusive lock on a folder, so two processes never write one run folder (or leaderboard) at once.

``with exclusive_lock(folder, "run"):`` creates ``folder/.adiff-bench.lock`` with O_EXCL, holding the PID,
host and start time. A second process gets one line naming the holder. A lock whose process is gone (same
host, PID not alive) is stale: it is taken over, so a killed run never blocks its folder for good.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from adiff_bench.errors import AdiffBenchError

LOCK_FILE = ".adiff-bench.lock"
_UNWRITTEN_GRACE_S = 10.0  # a lock file still empty after this long was left by a crash between create and write


class FolderInUse(AdiffBenchError):
    """Another live process holds the folder's lock."""


def _holder(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _is_stale(path: Path, holder: dict | None) -> bool:
    if holder is None:
        try:
            return time.time() - path.stat().st_mtime > _UNWRITTEN_GRACE_S
        except FileNotFoundError:
            return True
    pid = holder.get("pid")
    if not isinstance(pid, int) or holder.get("host") != socket.gethostname():
        return False  # another machine's process (shared file system): cannot tell, so never taken over
    return not _alive(pid)


def _take_over(path: Path, stale: dict | None) -> None:
    """Move a stale lock aside atomically; only one of several racing processes succeeds."""
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return
    if _holder(aside) != stale:  # another process took over and locked in between: give its lock back
        with suppress(FileExistsError):
            os.link(aside, path)
    aside.unlink(missing_ok=True)


@contextmanager
def exclusive_lock(folder: Path | str, purpose: str, option: str = "--output") -> Iterator[Path]:
    """Hold ``folder``'s lock for the block; raise :class:`FolderInUse` (one line) while another process has it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    mine = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "purpose": purpose,
    }
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if _is_stale(path, holder):
                _take_over(path, holder)
                continue
            who = f"PID {holder.get('pid')} on {holder.get('host')}" if holder else "another process"
            since = holder.get("started", "a moment ago") if holder else "a moment ago"
            doing = f" ({holder['purpose']})" if holder and holder.get("purpose") else ""
            message = f"{folder} is in use by {who}{doing} since {since}; wait or choose another {option}"
            raise FolderInUse(message) from None
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(mine, handle)
        break
    else:
        raise FolderInUse(f"{folder}: could not take its lock ({path}); remove the file if no run is using the folder")
    try:
        yield path
    finally:
        if _holder(path) == mine:
            path.unlink(missing_ok=True)
