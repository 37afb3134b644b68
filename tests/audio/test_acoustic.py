from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from adiff_bench.audio.pipeline import AudioPolicy, load_clip
from adiff_bench.data.synth.render import render
from adiff_bench.data.synth.scenes import sample_pairs
from adiff_bench.diagnostics.extract import extract
from adiff_bench.errors import ModelError
from adiff_bench.models.acoustic import AcousticBaseline, describe
from adiff_bench.models.base import Model, Request
from adiff_bench.models.registry import build_model

SR = 32000


def _tone(f0: float, seconds: float = 2.0, amp: float = 0.1) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * sum(np.sin(2 * np.pi * f0 * k * t) / k for k in (1, 2, 3))).astype(np.float32)


def test_registry_builds_it_with_typed_thresholds() -> None:
    model = build_model("acoustic", {"loudness_db": "6", "pitch_semitones": "1.5"})
    assert isinstance(model, Model) and isinstance(model, AcousticBaseline)
    assert model.thresholds.loudness_db == 6.0 and model.needs.sample_rate == SR
    assert model.fingerprint() != AcousticBaseline().fingerprint()
    assert AcousticBaseline().fingerprint() == AcousticBaseline().fingerprint()


def test_descriptors_measure_level_and_pitch() -> None:
    quiet, loud = describe(_tone(220.0), SR), describe(_tone(220.0, amp=0.2), SR)
    assert abs((loud.loudness_db - quiet.loudness_db) - 20 * np.log10(2)) < 0.2
    assert quiet.f0_hz is not None and abs(quiet.f0_hz - 220.0) < 3
    assert abs(describe(_tone(440.0), SR).f0_hz - 440.0) < 5
    silent = describe(np.zeros(SR, dtype=np.float32), SR)
    assert silent.f0_hz is None and silent.active_seconds == 0.0


def test_tiers_and_no_difference() -> None:
    model = AcousticBaseline()
    a, b = _tone(220.0), _tone(440.0, amp=0.4)
    texts = model.generate([Request("x", "p", tier, audio1=a, audio2=b) for tier in (1, 2, 3)])
    assert len(texts[0]) < len(texts[1]) < len(texts[2])
    for text in texts:
        found = extract(text).directions
        assert found["loudness"] == "audio2_higher" and found["pitch"] == "audio2_higher", text
    same = model.generate([Request("y", "p", 2, audio1=a, audio2=a.copy())])[0]
    assert extract(same).says_no_difference, same


def test_states_loudness_and_pitch_direction_on_synth_pairs() -> None:
    """≥ 90 % right direction on synth pairs that differ in loudness or pitch, read back by the extractor."""
    model = AcousticBaseline()
    pairs = [p for p in sample_pairs(0, 120) if p.kind == "different" and {"loudness", "pitch"} & set(p.differences)]
    assert len(pairs) >= 30
    requests = [Request(str(p.index), "p", 2, audio1=render(p.scene1), audio2=render(p.scene2)) for p in pairs]
    found = [extract(text).directions for text in model.generate(requests)]
    for attribute in ("loudness", "pitch"):
        relevant = [(p, f) for p, f in zip(pairs, found, strict=True) if attribute in p.differences]
        correct = sum(f.get(attribute) == p.differences[attribute] for p, f in relevant)
        assert correct / len(relevant) >= 0.9, (attribute, correct, len(relevant))


def test_works_on_real_audio(golden_dir: Path) -> None:
    model = AcousticBaseline()
    policy = AudioPolicy.for_model(model.needs)
    noise = load_clip(golden_dir / "clipD_am_noise_3.7s.wav", policy)
    tone = load_clip(golden_dir / "clipA_tone_noise_10s.wav", policy)
    texts = model.generate([Request("g", "p", t, audio1=noise, audio2=tone) for t in (1, 2, 3)])
    assert all(text.startswith(("Audio 1", "The two audios", "As I listen")) for text in texts)
    assert "duration" in extract(texts[2]).directions  # a 3.7 s clip against a 10 s one


def test_missing_audio_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="without audio"):
        AcousticBaseline().generate([Request("z", "p", 1)])


def test_degenerate_clips_give_finite_text() -> None:
    rng = np.random.default_rng(0)
    clips = {
        "ten_samples": np.full(10, 0.1, dtype=np.float32),
        "one_sample": np.zeros(1, dtype=np.float32),
        "dc": np.full(SR, 0.5, dtype=np.float32),
        "full_scale_noise": np.sign(rng.standard_normal(SR)).astype(np.float32),
        "silence": np.zeros(SR, dtype=np.float32),
    }
    model = AcousticBaseline()
    for a in clips.values():
        for b in clips.values():
            text = model.generate([Request("d", "p", 3, audio1=a, audio2=b)])[0]
            assert text and "nan" not in text and "inf" not in text
    silent_pair = model.generate([Request("s", "p", 2, audio1=clips["silence"], audio2=clips["ten_samples"])])[0]
    assert "brightness" not in extract(silent_pair).directions


def test_silence_is_quieter_not_noisier() -> None:
    """An all-zero clip has no noise floor below its level; it was described as "noisier" than a clean tone."""
    model = AcousticBaseline()
    silence, tone = np.zeros(2 * SR, dtype=np.float32), _tone(220.0)
    for a, b in ((silence, tone), (tone, silence)):
        texts = model.generate([Request("s", "p", tier, audio1=a, audio2=b) for tier in (1, 2, 3)])
        for text in texts:
            assert "nois" not in text and "cleaner" not in text, text
            assert extract(text).directions.get("loudness") in ("audio1_higher", "audio2_higher"), text
    assert "only silence" in texts[2]
