"""The per-run clip cache and encoding cache: decode once, bounded, never mixing clips prepared differently."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from adiff_bench.audio.clipcache import ClipCache
from adiff_bench.audio.encodings import ClipEncodings, samples_digest
from adiff_bench.audio.pipeline import AudioPolicy, BadAudioError, load_clip
from adiff_bench.models.base import ModelNeeds, Request


def _wav(path: Path, seconds: float, seed: int, rate: int = 44100) -> Path:
    rng = np.random.default_rng(seed)
    sf.write(str(path), (0.1 * rng.standard_normal(int(seconds * rate))).astype(np.float32), rate, subtype="FLOAT")
    return path


def test_each_clip_is_decoded_once_and_equals_load_clip(tmp_path: Path) -> None:
    a, b = _wav(tmp_path / "a.wav", 1.0, 0), _wav(tmp_path / "b.wav", 0.5, 1)
    policy = AudioPolicy(32000, 1.0, "tile")
    cache = ClipCache()
    for _ in range(3):
        for path in (a, b):
            got = cache.load(path, policy, path.name)
            np.testing.assert_array_equal(got, load_clip(path, policy, path.name))  # exact: same function
            assert not got.flags.writeable  # shared by every pair: nobody may edit it in place
    stats = cache.stats()
    assert (stats.uses, stats.decoded, stats.hits, stats.distinct) == (6, 2, 4, 2)
    assert stats.bytes == 2 * 32000 * 4


def test_policies_never_share_a_clip(tmp_path: Path) -> None:
    path = _wav(tmp_path / "x.wav", 2.0, 2)
    policies = [
        AudioPolicy(32000, 1.0, "tile"),
        AudioPolicy(16000, 1.0, "tile"),  # another rate
        AudioPolicy(32000, 0.5, "tile"),  # another length
        AudioPolicy(32000, 1.0, "tile", crop="random", seed=0),
        AudioPolicy(32000, 1.0, "tile", crop="random", seed=1),  # another crop seed
    ]
    cache = ClipCache()
    for _ in range(2):
        for policy in policies:
            np.testing.assert_array_equal(cache.load(path, policy, "x.wav"), load_clip(path, policy, "x.wav"))
    assert cache.stats().decoded == len(policies)
    # the random crop also depends on the clip key, so two keys for one file are two clips; the fixed crop ignores it
    rand, fixed = policies[3], policies[0]
    np.testing.assert_array_equal(cache.load(path, rand, "other"), load_clip(path, rand, "other"))
    cache.load(path, fixed, "other")
    assert cache.stats().decoded == len(policies) + 1


def test_an_edited_file_is_a_new_clip(tmp_path: Path) -> None:
    path = _wav(tmp_path / "e.wav", 0.5, 3)
    policy = AudioPolicy(16000)
    cache = ClipCache()
    first = cache.load(path, policy)
    _wav(path, 0.5, 4)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    second = cache.load(path, policy)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(second, load_clip(path, policy))


def test_memory_is_bounded_by_bytes_least_recently_used_first(tmp_path: Path) -> None:
    policy = AudioPolicy(16000, 1.0, "pad")  # every clip 64,000 bytes
    paths = [_wav(tmp_path / f"{i}.wav", 1.0, i) for i in range(4)]
    cache = ClipCache(max_bytes=2 * 64000)
    cache.load(paths[0], policy)
    cache.load(paths[1], policy)
    cache.load(paths[0], policy)  # 0 is now the most recent
    cache.load(paths[2], policy)  # evicts 1
    assert cache.stats().bytes <= 2 * 64000 and cache.stats().evicted == 1
    decoded = cache.stats().decoded
    cache.load(paths[0], policy)
    assert cache.stats().decoded == decoded  # still cached
    cache.load(paths[1], policy)
    assert cache.stats().decoded == decoded + 1  # was evicted: decoded again
    assert cache.stats().peak_bytes <= 2 * 64000
    tiny = ClipCache(max_bytes=1000)  # a clip larger than the bound is returned, never kept
    assert tiny.load(paths[3], policy).shape == (16000,) and tiny.stats().bytes == 0


def test_missing_and_bad_files_raise_like_load_clip(tmp_path: Path) -> None:
    cache = ClipCache()
    with pytest.raises(BadAudioError, match="not found"):
        cache.load(tmp_path / "none.wav", AudioPolicy(16000))
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    with pytest.raises(BadAudioError, match="cannot decode"):
        cache.load(bad, AudioPolicy(16000))
    assert cache.stats().uses == 0 and cache.stats().bytes == 0


class _SumModel:
    """Per-clip part: the sum of the samples; per-pair part: the two sums as text. Counts encoded clips."""

    name = "sum"
    needs = ModelNeeds(needs_audio=True, sample_rate=16000)

    def __init__(self) -> None:
        self.encoded: list[int] = []

    def fingerprint(self) -> str:
        return "sum"

    def encode_clips(self, waveforms):
        self.encoded.append(len(waveforms))
        return [float(np.sum(w, dtype=np.float64)) for w in waveforms]

    def generate(self, requests):
        out = []
        for r in requests:
            e1 = r.encoding1 if r.encoding1 is not None else float(np.sum(r.audio1, dtype=np.float64))
            e2 = r.encoding2 if r.encoding2 is not None else float(np.sum(r.audio2, dtype=np.float64))
            out.append(f"{e1:.6f} {e2:.6f}")
        return out


def test_encodings_are_keyed_by_samples_so_policies_never_mix(tmp_path: Path) -> None:
    path = _wav(tmp_path / "p.wav", 2.0, 5)
    model = _SumModel()
    enc = ClipEncodings(model)
    clips = ClipCache()
    long, short = AudioPolicy(16000, 2.0, "tile"), AudioPolicy(16000, 1.0, "tile")
    reqs = [
        Request("a", "p", 1, audio1=clips.load(path, long), audio2=clips.load(path, short)),
        Request("b", "p", 1, audio1=clips.load(path, short), audio2=clips.load(path, long)),
    ]
    attached = enc.attach(reqs)
    assert model.encoded == [2]  # two distinct sample arrays, one call
    assert model.generate(attached) == model.generate(reqs)  # same text as without the cache
    assert attached[0].encoding1 != attached[0].encoding2
    enc.attach(reqs)
    assert model.encoded == [2] and enc.stats().uses == 8 and enc.stats().encoded == 2
    assert samples_digest(reqs[0].audio1) != samples_digest(reqs[0].audio1.astype(np.float64))


def test_models_without_encode_clips_are_left_alone() -> None:
    class Plain:
        name = "plain"

    r = Request("a", "p", 1, audio1=np.zeros(4, np.float32), audio2=np.ones(4, np.float32))
    assert ClipEncodings(Plain()).attach([r]) == [r]


def test_encoding_cache_is_bounded() -> None:
    model = _SumModel()
    enc = ClipEncodings(model, max_entries=2)
    waves = [np.full(8, i, np.float32) for i in range(4)]
    enc.attach([Request("a", "p", 1, audio1=waves[0], audio2=waves[1])])
    enc.attach([Request("b", "p", 1, audio1=waves[2], audio2=waves[3])])
    assert enc.stats().held == 2
    enc.attach([Request("c", "p", 1, audio1=waves[0], audio2=waves[3])])
    assert model.encoded == [2, 2, 1]  # clip 0 was evicted and encoded again; clip 3 was still held
