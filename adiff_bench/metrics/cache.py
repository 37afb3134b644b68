"""A tiny thread-safe LRU for reference-side work (tokenized references, CIDEr-D document frequencies).

Within one process the same references are scored again and again (several runs, several metrics);
keys are content hashes, so a changed reference set never hits a stale entry.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

V = TypeVar("V")


def content_key(*parts: Iterable[str] | str) -> str:
    """SHA-256 over the parts, with separators that cannot occur inside a normalised line."""
    digest = hashlib.sha256()
    for part in parts:
        texts = (part,) if isinstance(part, str) else part
        for text in texts:
            digest.update(text.encode("utf-8", "surrogatepass"))
            digest.update(b"\n")
        digest.update(b"\x00")
    return digest.hexdigest()


class LruCache(Generic[V]):
    def __init__(self, maxsize: int = 8) -> None:
        self._maxsize = maxsize
        self._data: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: str, value: V) -> V:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)
            return value

    def get_or_compute(self, key: str, compute: Callable[[], V]) -> V:
        found = self.get(key)
        return found if found is not None else self.put(key, compute())

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
