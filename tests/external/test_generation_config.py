"""External transformers models decode exactly as recorded: plain greedy unless the user overrides it, never
the checkpoint's own generation_config (Qwen2-Audio-Instruct ships repetition_penalty 1.1 and sampling)."""

from __future__ import annotations

import copy
import json
import shutil

import pytest

from adiff_bench.errors import ModelError
from adiff_bench.models.base import Request
from adiff_bench.models.registry import build_model

PROMPT = "Explain the difference between the two audios in detail."
CHECKPOINT_DECODING = {
    "do_sample": True,
    "top_k": 20,
    "top_p": 0.5,
    "temperature": 0.7,
    "repetition_penalty": 1.1,
    "no_repeat_ngram_size": 1,
}


@pytest.fixture(scope="module")
def opinionated(tiny_qwen2_audio, tmp_path_factory):
    """The tiny Qwen2-Audio with a generation_config.json that asks for sampling and penalties."""
    folder = tmp_path_factory.mktemp("opinionated")
    shutil.copytree(tiny_qwen2_audio, folder, dirs_exist_ok=True)
    path = folder / "generation_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**config, **CHECKPOINT_DECODING}), encoding="utf-8")
    return folder


def _requests(make_clip):
    specs = [(1.0, 1, 3.0, 2), (2.0, 3, 0.5, 4), (0.7, 5, 0.7, 6)]
    return [
        Request(f"i{n}", PROMPT, 2, audio1=make_clip(a, s1), audio2=make_clip(b, s2))
        for n, (a, s1, b, s2) in enumerate(specs)
    ]


def _build(name, folder, **extra):
    args = {"model": str(folder), "max_new_tokens": "8", "device": "cpu", **extra}
    if name == "hf-alm":
        args.update(model_class="Qwen2AudioForConditionalGeneration", processor_class="Qwen2AudioProcessor")
    return build_model(name, args)


def _token_ids(model, requests):
    """What the loaded model generates from the same inputs with a given generation config (raw transformers)."""
    import torch

    def run(config):
        inputs = model.prepare_inputs(requests)
        with torch.inference_mode():
            out = model.load().generate(**inputs, generation_config=config)
        return out[:, inputs["input_ids"].shape[1] :].tolist()

    return run


@pytest.mark.parametrize("name", ["qwen2-audio", "hf-alm"])
def test_checkpoint_decoding_settings_are_not_inherited(name, tiny_qwen2_audio, opinionated, make_clip):
    requests = _requests(make_clip)
    plain = _build(name, tiny_qwen2_audio)
    picky = _build(name, opinionated)
    assert picky.generate(requests) == plain.generate(requests)  # the checkpoint's penalties change nothing

    # The same model under the checkpoint's own penalties (deterministic part) answers differently, so the
    # equality above is not luck: inheriting them would have changed the predictions.
    run = _token_ids(picky, requests)
    theirs = copy.deepcopy(picky.generation_config)
    theirs.repetition_penalty, theirs.no_repeat_ngram_size = 1.1, 1
    assert run(theirs) != run(copy.deepcopy(picky.generation_config))

    record = picky.prompt_record()["generation"]
    assert record["strategy"] == "greedy" and record["overrides"] == {}
    used = record["config"]
    assert used["do_sample"] is False and used["num_beams"] == 1 and used["max_new_tokens"] == 8
    assert used["repetition_penalty"] == 1.0 and used["no_repeat_ngram_size"] == 0
    assert used["top_k"] is None and used["top_p"] == 1.0 and used["temperature"] == 1.0
    assert used["eos_token_id"] == plain.generation_config.eos_token_id is not None
    assert record["checkpoint_settings_not_used"] == CHECKPOINT_DECODING
    assert plain.prompt_record()["generation"]["checkpoint_settings_not_used"] == {}
    # The loaded model carries the same config, so transformers cannot fill a field back from the checkpoint.
    assert picky.load().generation_config.to_dict() == picky.generation_config.to_dict()


def test_user_overrides_are_applied_and_recorded(tiny_qwen2_audio, make_clip):
    requests = _requests(make_clip)
    greedy = _build("qwen2-audio", tiny_qwen2_audio)
    penalised = _build("qwen2-audio", tiny_qwen2_audio, repetition_penalty="1.1", no_repeat_ngram_size="1")
    record = penalised.prompt_record()["generation"]
    assert record["overrides"] == {"repetition_penalty": 1.1, "no_repeat_ngram_size": 1}
    assert record["config"]["repetition_penalty"] == 1.1 and record["strategy"] == "greedy"
    assert penalised.fingerprint() != greedy.fingerprint()
    assert penalised.generate(requests) != greedy.generate(requests)


def test_bad_decoding_overrides_fail_before_loading(tiny_qwen2_audio):
    with pytest.raises(ModelError, match="num_beams=0 must be at least 1"):
        _build("qwen2-audio", tiny_qwen2_audio, num_beams="0")
    with pytest.raises(ModelError, match="top_p only act when sampling; add do_sample=true"):
        _build("qwen2-audio", tiny_qwen2_audio, top_p="0.5")
    sampled = _build("qwen2-audio", tiny_qwen2_audio, do_sample="true", top_p="0.5")
    assert sampled.prompt_record()["generation"]["strategy"] == "sample"


def test_omni_thinker_gets_the_same_explicit_greedy_config(tiny_omni_thinker, tmp_path):
    from adiff_bench.models.external.qwen_omni import Qwen25OmniThinker

    class OmniWithAudioProcessor(Qwen25OmniThinker):  # no torchvision here (see test_qwen_omni.py)
        processor_class_name = "Qwen2AudioProcessor"
        requires = ()

    shutil.copytree(tiny_omni_thinker, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "generation_config.json"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **CHECKPOINT_DECODING}), "utf-8")
    omni = OmniWithAudioProcessor(model=str(tmp_path), device="cpu", max_new_tokens=4)
    record = omni.prompt_record()["generation"]
    assert record["strategy"] == "greedy" and record["config"]["repetition_penalty"] == 1.0
    assert record["checkpoint_settings_not_used"] == CHECKPOINT_DECODING
    assert omni.load().generation_config.repetition_penalty == 1.0
