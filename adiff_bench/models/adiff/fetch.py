"""Download the released ADIFF checkpoints from Zenodo (record 14706090) into the cache.

No checksum is pinned in this code (none was available when it was written, and none is invented). Instead
the md5 that Zenodo publishes for each file (its records API) is fetched and checked; if that listing cannot
be reached the download is kept but reported as UNVERIFIED. Either way the sha256 is computed and recorded
next to the file (``<name>.json``), and later runs fingerprint the weights by that sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from adiff_bench.errors import ModelError
from adiff_bench.io_utils import atomic_write_json

ZENODO_RECORD = "14706090"
ZENODO_FILE_URL = "https://zenodo.org/records/{record}/files/{name}?download=1"
ZENODO_API_URL = "https://zenodo.org/api/records/{record}"
VARIANTS = {"base": "adiff_base.ckpt", "wavcaps": "adiff_base_wavcaps.ckpt"}
CHUNK = 1 << 20

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


@dataclass(frozen=True)
class FetchResult:
    name: str
    path: str
    url: str
    size: int
    sha256: str
    md5: str
    verified: str  # "md5 (zenodo)", "md5 (given)", or "UNVERIFIED: <why>"
    downloaded: bool  # False when an existing, previously recorded file was kept


def variant_names(variant: str) -> list[str]:
    if variant == "all":
        return list(VARIANTS.values())
    if variant not in VARIANTS:
        raise ModelError(f"unknown ADIFF variant {variant!r}: choose base, wavcaps or all")
    return [VARIANTS[variant]]


def models_dir() -> Path:
    from adiff_bench.paths import cache_dir

    return cache_dir() / "models"


def published_md5(api_url: str, name: str, timeout: float = 30.0) -> str | None:
    """md5 that the Zenodo records API lists for ``name`` (``checksum: "md5:..."``), or None."""
    with urllib.request.urlopen(api_url, timeout=timeout) as response:
        record = json.load(response)
    files = record.get("files", [])
    if isinstance(files, dict):  # newer API shape: {"entries": {...}} or {"entries": [...]}
        entries = files.get("entries", {})
        files = list(entries.values()) if isinstance(entries, dict) else entries
    for entry in files:
        if entry.get("key") == name or entry.get("filename") == name:
            checksum = str(entry.get("checksum", ""))
            algo, _, value = checksum.partition(":")
            return value.lower() if algo.lower() == "md5" and value else None
    return None


def download(url: str, dest: Path, progress: Progress | None = None, timeout: float = 60.0) -> tuple[int, str, str]:
    """Stream ``url`` to ``dest`` atomically (temp file + rename); returns (size, sha256, md5)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    sha, md5 = hashlib.sha256(), hashlib.md5()
    size = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, os.fdopen(fd, "wb") as out:
            total = response.headers.get("Content-Length")
            total_n = int(total) if total and total.isdigit() else None
            while chunk := response.read(CHUNK):
                out.write(chunk)
                sha.update(chunk)
                md5.update(chunk)
                size += len(chunk)
                if progress:
                    progress(size, total_n)
            out.flush()
            os.fsync(out.fileno())
        if total_n is not None and size != total_n:
            raise ModelError(f"download of {url} stopped at {size} of {total_n} bytes; run the command again")
        os.replace(tmp, dest)
    except urllib.error.URLError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ModelError(f"cannot download {url} ({exc.reason}); check the network or pass --url") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size, sha.hexdigest(), md5.hexdigest()


def fetch_one(
    name: str,
    dest_dir: Path,
    url: str | None = None,
    api_url: str | None = None,
    md5: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> FetchResult:
    """Download one file unless it is already there with a matching record; verify; record its sha256."""
    dest = dest_dir / name
    record_path = dest_dir / f"{name}.json"
    if dest.is_file() and record_path.is_file() and not force:
        recorded = json.loads(record_path.read_text())
        if recorded.get("size") == dest.stat().st_size:
            return FetchResult(**{**recorded, "downloaded": False})
    url = url or ZENODO_FILE_URL.format(record=ZENODO_RECORD, name=name)
    expected, verified_by = md5, "md5 (given)"
    if expected is None:
        try:
            expected = published_md5(api_url or ZENODO_API_URL.format(record=ZENODO_RECORD), name)
            verified_by = "md5 (zenodo)"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            expected, verified_by = None, f"UNVERIFIED: Zenodo checksum listing unreachable ({exc})"
        if expected is None and not verified_by.startswith("UNVERIFIED"):
            verified_by = "UNVERIFIED: Zenodo lists no md5 for this file"
    size, sha256, got_md5 = download(url, dest, progress)
    if expected is not None and got_md5 != expected.lower():
        dest.unlink(missing_ok=True)
        raise ModelError(f"{name}: md5 {got_md5} does not match the published {expected}; the download was removed")
    result = FetchResult(name, str(dest), url, size, sha256, got_md5, verified_by, True)
    atomic_write_json(record_path, {k: v for k, v in asdict(result).items() if k != "downloaded"})
    return result
