"""Qwen2-Audio adapter on a tiny random-weight model: the real load, prompt, batching and decode path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from adiff_bench.errors import ModelError
from adiff_bench.models.base import Request
from adiff_bench.models.registry import build_model

PROMPT = "Explain the difference between the two audios in detail."


@pytest.fixture(scope="module")
def model(tiny_qwen2_audio):
    return build_model("qwen2-audio", {"model": str(tiny_qwen2_audio), "max_new_tokens": "6", "device": "cpu"})


def _requests(make_clip, specs):
    return [
        Request(item_id=f"i{n}", prompt=PROMPT, tier=2, audio1=make_clip(a, s1), audio2=make_clip(b, s2))
        for n, (a, s1, b, s2) in enumerate(specs)
    ]


def _audio_tokens(seconds: float) -> int:
    frames = int(seconds * 16000) // 160
    return (((frames - 1) // 2 + 1) - 2) // 2 + 1


def test_needs_and_prompt_record(model):
    assert model.needs.sample_rate == 16000
    assert model.needs.max_seconds == 30.0
    assert model.labels_in_template  # Qwen2-Audio's template writes "Audio N:" itself
    record = model.prompt_record()
    assert record["template"]["name"] == "qwen2-audio-v1"
    assert "30 s" in record["truncation"]
    example = record["example"]
    assert example.index("Audio 1: <|audio_bos|><|AUDIO|>") < example.index("Audio 2: <|audio_bos|><|AUDIO|>")
    assert example.count("Audio 1:") == 1  # labelled once, not by both template and text parts
    assert example.index("Audio 2:") < example.index("{prompt}")
    assert example.startswith("<|im_start|>system\nYou are a helpful assistant.")


def test_audio_reaches_the_processor_output(model, make_clip):
    requests = _requests(make_clip, [(1.0, 1, 3.0, 2), (2.0, 3, 0.5, 4)])
    inputs = model.prepare_inputs(requests)
    assert inputs["input_features"].shape[:2] == (4, 128)
    audio_id = model.processor.audio_token_id
    per_row = (inputs["input_ids"] == audio_id).sum(1).tolist()
    # 100 mel frames per second, roughly halved twice by the encoder's two strided steps.
    expected = [sum(_audio_tokens(s) for s in pair) for pair in ((1.0, 3.0), (2.0, 0.5))]
    assert per_row == expected == [100, 62]
    assert (inputs["attention_mask"][1, :10] == 0).all()  # the shorter row is padded on the left
    assert not np.allclose(inputs["input_features"][0].numpy(), inputs["input_features"][1].numpy())


def test_swapped_clips_swap_the_features(model, make_clip):
    a, b = make_clip(1.0, 1), make_clip(1.0, 2)
    forward = model.prepare_inputs([Request("x", PROMPT, 2, audio1=a, audio2=b)])
    swapped = model.prepare_inputs([Request("x", PROMPT, 2, audio1=b, audio2=a)])
    assert np.array_equal(forward["input_ids"].numpy(), swapped["input_ids"].numpy())
    assert np.allclose(forward["input_features"][0].numpy(), swapped["input_features"][1].numpy())
    assert np.allclose(forward["input_features"][1].numpy(), swapped["input_features"][0].numpy())
    assert not np.allclose(forward["input_features"][0].numpy(), forward["input_features"][1].numpy())


def test_audio_changes_what_the_model_computes(model, make_clip):
    """The same text with different audio must give different logits; a silently dropped audio would not."""
    import torch

    net = model.load()
    first = model.prepare_inputs([Request("x", PROMPT, 2, audio1=make_clip(1.0, 1), audio2=make_clip(1.0, 2))])
    second = model.prepare_inputs([Request("x", PROMPT, 2, audio1=make_clip(1.0, 3), audio2=make_clip(1.0, 4))])
    assert np.array_equal(first["input_ids"].numpy(), second["input_ids"].numpy())
    with torch.inference_mode():
        logits_first = net(**first).logits[0, -1]
        logits_second = net(**second).logits[0, -1]
        text_only = {k: v for k, v in first.items() if k in ("input_ids", "attention_mask")}
        # Without features the audio placeholders stay plain token embeddings: again different logits.
        logits_text_only = net(**text_only).logits[0, -1]
    assert not torch.allclose(logits_first, logits_second, atol=1e-4)
    assert not torch.allclose(logits_first, logits_text_only, atol=1e-4)


def test_batched_generation_equals_one_by_one(model, make_clip):
    requests = _requests(make_clip, [(1.0, 1, 3.0, 2), (2.0, 3, 0.5, 4), (0.7, 5, 0.7, 6)])
    batched = model.generate(requests)
    single = [model.generate([r])[0] for r in requests]
    assert batched == single
    assert len(batched) == 3 and all(isinstance(t, str) for t in batched)
    assert len(set(batched)) > 1  # different audio, different answers (random weights, large init)


def test_fingerprint_is_stable_and_tracks_settings(model, tiny_qwen2_audio):
    again = build_model("qwen2-audio", {"model": str(tiny_qwen2_audio), "max_new_tokens": "6", "device": "cpu"})
    longer = build_model("qwen2-audio", {"model": str(tiny_qwen2_audio), "max_new_tokens": "7", "device": "cpu"})
    assert model.fingerprint() == again.fingerprint()
    assert model.fingerprint() != longer.fingerprint()


def test_render_prompt_is_the_processor_text(model, make_clip):
    request = Request("x", "Say it briefly.", 1, audio1=make_clip(0.5, 1), audio2=make_clip(0.5, 2))
    text = model.render_prompt(request)
    assert text.endswith("Say it briefly.<|im_end|>\n<|im_start|>assistant\n")


def test_missing_audio_is_one_clear_error(model, make_clip):
    with pytest.raises(ModelError, match="item 'x' has no audio2 samples"):
        model.generate([Request("x", PROMPT, 2, audio1=make_clip(0.5, 1), audio2=None)])


def test_bad_arguments_are_model_errors(tiny_qwen2_audio, tmp_path):
    with pytest.raises(ModelError, match="is not a folder"):
        build_model("qwen2-audio", {"model": str(tmp_path / "missing")})
    with pytest.raises(ModelError, match="dtype='int8'"):
        build_model("qwen2-audio", {"model": str(tiny_qwen2_audio), "dtype": "int8"})
    with pytest.raises(ModelError, match="cannot load a processor"):
        build_model("qwen2-audio", {"model": str(tmp_path)})


def test_wrong_sample_rate_is_refused(tiny_qwen2_audio, tmp_path):
    import shutil

    folder = tmp_path / "rate"
    shutil.copytree(tiny_qwen2_audio, folder)
    config_path = folder / "processor_config.json"  # transformers 5 keeps the feature extractor in here
    config = json.loads(config_path.read_text())
    config["feature_extractor"]["sampling_rate"] = 24000
    config_path.write_text(json.dumps(config))
    with pytest.raises(ModelError, match="expects audio at 24000 Hz"):
        build_model("qwen2-audio", {"model": str(folder)})


def test_clips_over_30_s_are_cut_to_30_s(model, make_clip):
    """What the prompt record's truncation note says: the encoder sees the first 30 s only."""
    inputs = model.prepare_inputs([Request("long", PROMPT, 2, audio1=make_clip(31.0, 1), audio2=make_clip(1.0, 2))])
    per_row = (inputs["input_ids"] == model.processor.audio_token_id).sum(1).tolist()
    assert per_row == [_audio_tokens(30.0) + _audio_tokens(1.0)] == [750 + 25]


def test_a_processor_that_drops_the_audio_is_refused(model, make_clip, monkeypatch):
    """The transformers-5 ``audios=`` bug in another harness: text-only inputs must never reach generate."""
    real = model.processor

    class DropsAudio:
        def __getattr__(self, name):
            return getattr(real, name)

        def __call__(self, text, audio=None, **kwargs):
            # What a processor that silently drops a misspelt audio keyword returns: text inputs only.
            return real.tokenizer(text, padding=True, return_tensors="pt")

    monkeypatch.setattr(model, "processor", DropsAudio())
    with pytest.raises(ModelError, match="returned no audio features"):
        model.generate([Request("x", PROMPT, 2, audio1=make_clip(0.5, 1), audio2=make_clip(0.5, 2))])
