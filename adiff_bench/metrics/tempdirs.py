"""Private temporary folders that a killed process does not leave behind for good.

``kill -9`` skips every cleanup, so a folder made while scoring stays. Folders made here are named
``<prefix><pid>-<random>``; the first time a process asks for one of a prefix in a place, it removes the
folders of that prefix whose process no longer runs. A folder of a running process, of another user, or
not named this way is never touched. (A process in another PID namespace sharing the folder would look
dead: give such containers their own temporary directory, as they usually have.)
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

_SWEPT: set[tuple[str, str]] = set()
_LOCK = threading.Lock()


def private_tempdir(prefix: str, dir: Path | None = None) -> tempfile.TemporaryDirectory[str]:
    """``tempfile.TemporaryDirectory`` under ``dir`` (default: the system's), named after this process."""
    root = Path(dir) if dir is not None else Path(tempfile.gettempdir())
    with _LOCK:
        first = (str(root), prefix) not in _SWEPT
        _SWEPT.add((str(root), prefix))
    if first:
        remove_stale(root, prefix)
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-", dir=root)


def remove_stale(root: Path, prefix: str) -> list[Path]:
    """Remove ``root/<prefix><pid>-*`` folders of ours whose process has ended; returns what was removed."""
    if os.name != "posix":
        return []  # no cheap liveness check; such folders stay, as before
    pattern = re.compile(rf"{re.escape(prefix)}(\d+)-")
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    removed = []
    for entry in entries:
        match = pattern.match(entry.name)
        try:
            if not match or not entry.is_dir(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        if _ended(int(match.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _ended(pid: int) -> bool:
    """True only when no process ``pid`` exists (signal 0 checks without sending anything)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError, ValueError):
        return False  # e.g. another user's process: alive
    return False
