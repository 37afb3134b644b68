from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from adiff_bench.audio.pipeline import AudioPolicy, BadAudioError, fit_length, load_clip, resolve_audio_path
from adiff_bench.errors import AdiffBenchError, DataError
from adiff_bench.models.base import ModelNeeds


def _write(path: Path, data: np.ndarray, rate: int, subtype: str = "PCM_16") -> Path:
    sf.write(str(path), data, rate, subtype=subtype)
    return path


def test_stereo_is_mixed_to_mono_and_resampled(tmp_path: Path) -> None:
    t = np.arange(8000) / 8000
    left, right = 0.5 * np.sin(2 * np.pi * 440 * t), 0.1 * np.ones_like(t)
    path = _write(tmp_path / "s.wav", np.stack([left, right], axis=1), 8000, "FLOAT")
    audio = load_clip(path, AudioPolicy(16000))
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.shape[0] - 16000) <= 1
    assert abs(float(audio[4000:12000].mean()) - 0.05) < 0.01  # the DC right channel, halved by the mix
    spectrum = np.abs(np.fft.rfft(audio[2000:14000]))
    peak_hz = np.argmax(spectrum[1:]) + 1
    assert abs(peak_hz * 16000 / 12000 - 440) < 3


def test_flac_and_ogg_are_read(tmp_path: Path) -> None:
    tone = 0.3 * np.sin(2 * np.pi * 300 * np.arange(16000) / 16000)
    for name in ("a.flac", "a.ogg"):
        subtype = "VORBIS" if name.endswith("ogg") else "PCM_16"
        audio = load_clip(_write(tmp_path / name, tone, 16000, subtype), AudioPolicy(16000))
        assert abs(audio.shape[0] - 16000) < 200 and np.abs(audio).max() > 0.2


def test_short_clip_is_tiled_like_adiff() -> None:
    clip = np.arange(3, dtype=np.float32)
    policy = AudioPolicy(4, max_seconds=2.0, short_clip="tile")
    np.testing.assert_array_equal(fit_length(clip, policy), [0, 1, 2, 0, 1, 2, 0, 1])


def test_short_clip_is_padded_or_left() -> None:
    clip = np.ones(3, dtype=np.float32)
    np.testing.assert_array_equal(fit_length(clip, AudioPolicy(4, 1.5, "pad")), [1, 1, 1, 0, 0, 0])
    assert fit_length(clip, AudioPolicy(4, 1.5, "none")).shape == (3,)


def test_fixed_crop_takes_the_first_window() -> None:
    clip = np.arange(100, dtype=np.float32)
    np.testing.assert_array_equal(fit_length(clip, AudioPolicy(10, 1.0)), np.arange(10))


def test_random_crop_is_seeded_per_key_not_per_order() -> None:
    clip = np.arange(1000, dtype=np.float32)
    policy = AudioPolicy(10, 1.0, crop="random", seed=3)
    a = fit_length(clip, policy, key="x.wav")
    fit_length(clip, policy, key="other.wav")
    assert np.array_equal(a, fit_length(clip, policy, key="x.wav"))
    starts = {int(fit_length(clip, policy, key=f"k{i}")[0]) for i in range(30)}
    assert len(starts) > 20 and all(0 <= s <= 990 for s in starts)
    other_seed = {int(fit_length(clip, AudioPolicy(10, 1.0, crop="random", seed=4), key=f"k{i}")[0]) for i in range(30)}
    assert other_seed != starts


def test_signature_and_for_model() -> None:
    needs = ModelNeeds(needs_audio=True, sample_rate=32000, max_seconds=10.0, short_clip="tile")
    policy = AudioPolicy.for_model(needs)
    assert policy.signature() == "sr:32000|len:10s|short:tile|crop:fixed-start|resampler:soxr-hq"
    assert "random:seed7" in AudioPolicy.for_model(needs, crop="random", seed=7).signature()
    with pytest.raises(AdiffBenchError, match="--crop"):
        AudioPolicy(16000, crop="middle")
    with pytest.raises(AdiffBenchError, match="sample_rate"):
        AudioPolicy.for_model(ModelNeeds(needs_audio=True))


@pytest.mark.parametrize("bad", ["../x.wav", "a/../../x.wav", "/etc/passwd", "C:\\x.wav", ""])
def test_resolve_audio_path_refuses_escapes(tmp_path: Path, bad: str) -> None:
    with pytest.raises(DataError):
        resolve_audio_path(tmp_path, bad)


def test_resolve_audio_path_joins(tmp_path: Path) -> None:
    assert resolve_audio_path(tmp_path, "audio/x.wav") == tmp_path / "audio" / "x.wav"


def test_bad_audio_is_named(tmp_path: Path) -> None:
    policy = AudioPolicy(16000)
    with pytest.raises(BadAudioError, match="not found"):
        load_clip(tmp_path / "missing.wav", policy)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF not really a wave file")
    with pytest.raises(BadAudioError, match="junk.wav: cannot decode"):
        load_clip(junk, policy)
    empty = _write(tmp_path / "empty.wav", np.zeros(0), 16000)
    with pytest.raises(BadAudioError, match="empty.wav: audio has zero samples"):
        load_clip(empty, policy)
    nan = _write(tmp_path / "nan.wav", np.array([0.1, np.nan, 0.2]), 16000, "FLOAT")
    with pytest.raises(BadAudioError, match="nan.wav: audio contains NaN"):
        load_clip(nan, policy)


def test_golden_clip_loads(golden_dir: Path) -> None:
    audio = load_clip(golden_dir / "clipD_am_noise_3.7s.wav", AudioPolicy(32000, 10.0, "tile"))
    assert audio.shape == (320000,) and np.isfinite(audio).all()
