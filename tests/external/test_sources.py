"""Model folders and their identity: cheap, stable, and changed by any change to the files."""

from __future__ import annotations

import email.utils
import time

import pytest

from adiff_bench.errors import ModelError
from adiff_bench.models.external import sources
from adiff_bench.models.external.openai_api import _retry_after_seconds
from adiff_bench.models.external.sources import resolve_source


def test_identity_is_stable_and_follows_content(tmp_path):
    (tmp_path / "config.json").write_text('{"a": 1}')
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 1000)
    source = resolve_source(str(tmp_path), None, "m")
    first = source.identity()
    assert first == resolve_source(str(tmp_path), None, "m").identity()
    (tmp_path / "config.json").write_text('{"a": 2}')
    assert source.identity() != first


def test_large_files_are_sampled_at_both_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "_FULL_HASH_LIMIT", 100)
    monkeypatch.setattr(sources, "_SAMPLE", 10)
    weights = tmp_path / "w.bin"
    weights.write_bytes(bytes(range(200)))
    source = resolve_source(str(tmp_path), None, "m")
    before = source.identity()
    weights.write_bytes(bytes(range(199)) + b"\xff")  # last byte changed
    assert source.identity() != before


def test_hub_cache_symlinks_use_the_blob_name(tmp_path):
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    (blobs / "abc123").write_bytes(b"weights")
    snapshot = tmp_path / "snapshots" / "commit1"
    snapshot.mkdir(parents=True)
    (snapshot / "model.safetensors").symlink_to(blobs / "abc123")
    assert sources._file_identity(snapshot / "model.safetensors") == "blob:abc123"


def test_bad_references_are_one_line(tmp_path):
    with pytest.raises(ModelError, match="needs model="):
        resolve_source(None, None, "m")
    with pytest.raises(ModelError, match="revision= applies to hub ids"):
        resolve_source(str(tmp_path), "main", "m")


def test_retry_after_accepts_seconds_and_http_dates():
    assert _retry_after_seconds("2") == 2.0
    assert _retry_after_seconds("100000") == 300.0  # capped
    assert _retry_after_seconds(None) is None and _retry_after_seconds("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25.0 <= _retry_after_seconds(later) <= 30.0
