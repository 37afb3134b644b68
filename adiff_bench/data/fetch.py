"""Download the official CSVs with pinned URLs and sha256 checks (pooch), resumable file by file."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.data.manifest import OFFICIAL_FILES, RemoteFile
from adiff_bench.errors import DataError


@dataclass(frozen=True)
class FetchOutcome:
    path: Path
    sha256: str
    verified: bool  # True when the hash matched a pinned one
    downloaded: bool  # False when a verified copy was already there


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_file(remote: RemoteFile, data_dir: Path, base_url: str | None = None, progress: bool = True) -> FetchOutcome:
    import pooch

    target = data_dir / remote.path
    if remote.sha256 and target.is_file() and _sha256(target) == remote.sha256:
        return FetchOutcome(target, remote.sha256, True, False)
    target.parent.mkdir(parents=True, exist_ok=True)
    url = remote.url(base_url)
    try:
        # pooch downloads to a temporary file and moves it into place only once the hash matches.
        path = pooch.retrieve(
            url,
            known_hash=f"sha256:{remote.sha256}" if remote.sha256 else None,
            fname=target.name,
            path=target.parent,
            progressbar=progress,
        )
    except ValueError as exc:  # pooch's hash mismatch
        raise DataError(f"{url}: downloaded file does not match the pinned sha256 ({exc}); nothing was kept") from exc
    except Exception as exc:  # network errors from requests, HTTP errors
        raise DataError(f"{url}: download failed ({exc}); check the connection or pass --base-url") from exc
    digest = _sha256(Path(path))
    return FetchOutcome(Path(path), digest, remote.sha256 is not None, True)


def fetch_official(
    data_dir: Path,
    datasets: Sequence[str] = ("acd", "cld"),
    base_url: str | None = None,
    include_unpinned: bool = False,
    progress: bool = True,
    files: Sequence[RemoteFile] = OFFICIAL_FILES,
) -> list[FetchOutcome]:
    wanted = [
        f for f in files if f.path.split("/")[0].lower() in datasets and (f.sha256 is not None or include_unpinned)
    ]
    return [fetch_file(remote, data_dir, base_url=base_url, progress=progress) for remote in wanted]
