"""Where a model's files live and a cheap, stable identity for them (for fingerprints).

Hashing 15 GB of weights on every run is too slow, so large files are identified by their hub blob name
(the content hash the hub cache already stores) or, for plain local folders, by size plus the first and
last MiB. Small files (configs, tokenizers, templates) are hashed in full.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.errors import ModelError

_FULL_HASH_LIMIT = 32 * 1024 * 1024
_SAMPLE = 1024 * 1024


@dataclass(frozen=True)
class ModelSource:
    """A model argument resolved to a local folder; ``revision`` is the hub commit when it came from the hub."""

    reference: str
    local_dir: Path
    revision: str | None

    def identity(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(p for p in self.local_dir.rglob("*") if p.is_file() and ".cache" not in p.parts):
            relative = path.relative_to(self.local_dir).as_posix()
            digest.update(f"{relative}\x1f{_file_identity(path)}\x1e".encode())
        return digest.hexdigest()[:16]


def _file_identity(path: Path) -> str:
    resolved = path.resolve()
    if path.is_symlink() and resolved.parent.name == "blobs":
        return f"blob:{resolved.name}"
    size = resolved.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with resolved.open("rb") as handle:
        if size <= _FULL_HASH_LIMIT:
            digest.update(handle.read())
        else:
            digest.update(handle.read(_SAMPLE))
            handle.seek(size - _SAMPLE)
            digest.update(handle.read(_SAMPLE))
    return f"{size}:{digest.hexdigest()[:16]}"


def _looks_like_path(reference: str) -> bool:
    return reference.startswith(("/", ".", "~")) or reference.count("/") != 1 or Path(reference).exists()


def resolve_source(reference: str | None, revision: str | None, model_name: str) -> ModelSource:
    """A local folder is used as it is; ``org/name`` is fetched into (or found in) the Hugging Face cache."""
    if not reference:
        raise ModelError(f"model {model_name!r} needs model=<hub id or local folder> in --model-args")
    if _looks_like_path(reference):
        folder = Path(reference).expanduser()
        if not folder.is_dir():
            raise ModelError(f"model {model_name!r}: model={reference!r} is not a folder; pass a local model folder")
        if revision:
            raise ModelError(f"model {model_name!r}: revision= applies to hub ids, not to the local folder {reference}")
        return ModelSource(reference, folder.resolve(), None)
    try:
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(repo_id=reference, revision=revision))
    except Exception as exc:  # hub errors come in many types; all mean the same thing to the user
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(
            f"model {model_name!r}: cannot fetch {reference!r} from the Hugging Face hub ({reason}); "
            "check the id, network and HF_TOKEN, or pass model=<local folder>"
        ) from exc
    return ModelSource(reference, folder, folder.name)
