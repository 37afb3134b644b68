"""The reference-embedding cache: keys, namespaces, atomic shards, concurrent writers, damaged shards."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np

from adiff_bench.metrics.embedding_cache import EmbeddingCache, namespace_key, text_key


def test_text_key_is_sha256_of_utf8() -> None:
    import hashlib

    assert text_key("héllo") == hashlib.sha256("héllo".encode()).hexdigest()
    assert text_key("a") != text_key("a ")


def test_roundtrip_and_namespaces_are_separate(tmp_path: Path) -> None:
    a = EmbeddingCache(tmp_path, {"kind": "sbert", "model": "m1"})
    b = EmbeddingCache(tmp_path, {"kind": "sbert", "model": "m2"})
    entry = {"emb": np.arange(6, dtype=np.float32).reshape(3, 2), "idf": np.array([0, 1, 0], dtype=np.float32)}
    a.put_many({"k1": entry})
    got = a.get_many(["k1", "k2"])
    assert set(got) == {"k1"}
    np.testing.assert_array_equal(got["k1"]["emb"], entry["emb"])
    np.testing.assert_array_equal(got["k1"]["idf"], entry["idf"])
    assert b.get_many(["k1"]) == {}
    assert a.directory.name == namespace_key({"model": "m1", "kind": "sbert"})  # key order does not matter
    assert (a.directory / "meta.json").is_file()
    assert a.put_many({}) is None


def test_unfinished_and_damaged_shards_are_ignored(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, {"m": 1})
    cache.put_many({"good": {"vec": np.ones(3, dtype=np.float32)}})
    (cache.directory / ".shard-x.npz.123.tmp").write_bytes(b"half written")
    (cache.directory / "shard-damaged.npz").write_bytes(b"not a zip")
    got = cache.get_many(["good", "other"])
    assert list(got) == ["good"]


def _writer(root: str, worker: int) -> None:
    cache = EmbeddingCache(Path(root), {"m": "shared"})
    for i in range(15):
        # Both workers write the overlapping key "common" with the same value, and their own keys.
        cache.put_many(
            {f"w{worker}-{i}": {"vec": np.full(4, worker * 100 + i, np.float32)}, "common": {"vec": np.ones(4)}}
        )


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    cache = EmbeddingCache(tmp_path, {"m": "shared"})
    keys = [f"w{w}-{i}" for w in (1, 2) for i in range(15)] + ["common"]
    got = cache.get_many(keys)
    assert set(got) == set(keys)
    assert got["w2-7"]["vec"][0] == 207
    assert not list(cache.directory.glob(".*"))  # no temp files left
