"""On-disk cache of reference embeddings, keyed on model identity + sha256 of the text.

References are the same for every model under test, so their embeddings are computed once. Layout::

    <cache>/embeddings/<namespace>/meta.json          what the namespace is (model, layer, ...)
    <cache>/embeddings/<namespace>/shard-<uuid>.npz   one shard per call that computed new entries

Each shard is written atomically under a unique name, so two processes scoring at once never see a
half-written file and never overwrite each other (an entry both computed lands in two shards; harmless).
Within a shard an entry ``key`` with parts ``emb``/``idf`` is stored as ``<key>.emb``/``<key>.idf``.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from adiff_bench.io_utils import atomic_write_bytes, atomic_write_json

Entry = dict[str, np.ndarray]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def namespace_key(description: Mapping[str, object]) -> str:
    blob = json.dumps(description, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:24]


class EmbeddingCache:
    """Entries for one namespace (one model + configuration). Reads see every complete shard."""

    def __init__(self, root: Path, description: Mapping[str, object]):
        self.description = dict(description)
        self.directory = Path(root) / namespace_key(self.description)
        self._index: dict[str, Path] | None = None

    def _shards(self) -> list[Path]:
        return sorted(self.directory.glob("shard-*.npz")) if self.directory.is_dir() else []

    def _build_index(self) -> dict[str, Path]:
        index: dict[str, Path] = {}
        for shard in self._shards():
            try:
                with zipfile.ZipFile(shard) as zf:
                    names = zf.namelist()
            except (OSError, zipfile.BadZipFile):
                continue  # unreadable shard: its entries are recomputed
            for name in names:
                index.setdefault(name.split(".", 1)[0], shard)
        return index

    def get_many(self, keys: Iterable[str]) -> dict[str, Entry]:
        """The cached entries among ``keys`` (missing keys are simply absent)."""
        self._index = self._build_index()
        wanted: dict[Path, list[str]] = {}
        for key in dict.fromkeys(keys):
            shard = self._index.get(key)
            if shard is not None:
                wanted.setdefault(shard, []).append(key)
        out: dict[str, Entry] = {}
        for shard, shard_keys in wanted.items():
            try:
                with np.load(shard, allow_pickle=False) as data:
                    parts_by_key: dict[str, list[str]] = {}
                    for member in data.files:
                        key, _, part = member.partition(".")
                        parts_by_key.setdefault(key, []).append(part)
                    for key in shard_keys:
                        out[key] = {part: data[f"{key}.{part}"] for part in parts_by_key.get(key, [])}
            except (OSError, ValueError, zipfile.BadZipFile):
                continue
        return out

    def put_many(self, entries: Mapping[str, Entry]) -> Path | None:
        """Store new entries as one shard; returns its path (None when there was nothing to store)."""
        if not entries:
            return None
        arrays = {
            f"{key}.{part}": np.ascontiguousarray(arr) for key, entry in entries.items() for part, arr in entry.items()
        }
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        meta = self.directory / "meta.json"
        if not meta.is_file():
            atomic_write_json(meta, self.description)
        shard = self.directory / f"shard-{uuid.uuid4().hex}.npz"
        atomic_write_bytes(shard, buffer.getvalue())
        return shard
