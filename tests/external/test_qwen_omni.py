"""Qwen2.5-Omni thinker and the generic hf-alm adapter on a tiny random-weight thinker."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from adiff_bench.errors import ModelError
from adiff_bench.models.base import Request
from adiff_bench.models.external.qwen_omni import Qwen25OmniThinker
from adiff_bench.models.registry import build_model

PROMPT = "Explain the difference between the two audios."


class _OmniWithAudioProcessor(Qwen25OmniThinker):
    """The qwen2.5-omni adapter unchanged except for the processor class (no torchvision here)."""

    processor_class_name = "Qwen2AudioProcessor"
    requires = ()


def _requests(make_clip):
    specs = [(1.0, 1, 3.0, 2), (2.0, 3, 0.5, 4), (0.7, 5, 0.7, 6)]
    return [
        Request(f"i{n}", PROMPT, 2, audio1=make_clip(a, s1), audio2=make_clip(b, s2))
        for n, (a, s1, b, s2) in enumerate(specs)
    ]


@pytest.fixture(scope="module")
def omni(tiny_omni_thinker):
    return _OmniWithAudioProcessor(model=str(tiny_omni_thinker), device="cpu", max_new_tokens=6)


def test_omni_thinker_batched_equals_one_by_one(omni, make_clip):
    """Left padding must not move the thinker's multimodal rotary positions."""
    requests = _requests(make_clip)
    batched = omni.generate(requests)
    assert batched == [omni.generate([r])[0] for r in requests]
    assert len(set(batched)) > 1
    assert type(omni.load()).__name__ == "Qwen2_5OmniThinkerForConditionalGeneration"  # no talker loaded


def test_omni_prompt_uses_its_system_prompt(omni):
    record = omni.prompt_record()
    assert record["template"]["name"] == "qwen2.5-omni-v1"
    assert record["example"].startswith("<|im_start|>system\nYou are Qwen, a virtual human")


def test_omni_thinker_sees_the_audio(omni, make_clip):
    import torch

    net = omni.load()
    first = omni.prepare_inputs([Request("x", PROMPT, 2, audio1=make_clip(1.0, 1), audio2=make_clip(1.0, 2))])
    second = omni.prepare_inputs([Request("x", PROMPT, 2, audio1=make_clip(1.0, 3), audio2=make_clip(1.0, 4))])
    assert np.array_equal(first["input_ids"].numpy(), second["input_ids"].numpy())
    with torch.inference_mode():
        assert not torch.allclose(net(**first).logits[0, -1], net(**second).logits[0, -1], atol=1e-4)


def test_hf_alm_runs_a_named_model_class(tiny_omni_thinker, omni, make_clip):
    generic = build_model(
        "hf-alm",
        {
            "model": str(tiny_omni_thinker),
            "model_class": "Qwen2_5OmniThinkerForConditionalGeneration",
            "processor_class": "Qwen2AudioProcessor",
            "max_new_tokens": "6",
            "device": "cpu",
        },
    )
    request = _requests(make_clip)[:1]
    assert generic.labels_in_template  # this template labels the clips itself
    assert generic.prompt_record()["template"]["name"] == "hf-alm-v1"
    # No system turn from hf-alm, so the template's default applies; the thinker answers the same way.
    assert generic.generate(request)[0] == generic.generate(request)[0]
    assert generic.fingerprint() != omni.fingerprint()


def test_hf_alm_unknown_class_is_one_line(tiny_omni_thinker, make_clip):
    generic = build_model(
        "hf-alm", {"model": str(tiny_omni_thinker), "model_class": "NoSuchModel", "processor_class": "AutoProcessor"}
    )
    with pytest.raises(ModelError, match="cannot provide model class 'NoSuchModel'") as info:
        generic.generate(_requests(make_clip)[:1])
    assert "\n" not in str(info.value)


@pytest.mark.skipif(importlib.util.find_spec("torchvision") is not None, reason="torchvision is installed here")
def test_qwen25_omni_without_torchvision_says_what_to_install(tiny_omni_thinker):
    with pytest.raises(ModelError, match="needs torchvision .*not installed") as info:
        build_model("qwen2.5-omni", {"model": "Qwen/never-downloaded-because-checked-first"})
    assert "\n" not in str(info.value)
