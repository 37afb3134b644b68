"""Token-for-token reproduction of the official ADIFF outputs on the tiny golden fixture (random weights)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from adiff_bench.models.adiff.decode import greedy_decode, official_greedy
from adiff_bench.models.adiff.tokenizer import decode, encode_prompts, stop_token_id
from tests.golden import read_clip


def _encode(model, requests):
    ids = encode_prompts(model.tokenizer, [r.prompt for r in requests], model.config.text)
    w1 = torch.from_numpy(np.stack([r.audio1 for r in requests]))
    w2 = torch.from_numpy(np.stack([r.audio2 for r in requests]))
    with torch.inference_mode():
        return model.network.encode_pair(w1, w2, torch.tensor(ids)), ids


@pytest.fixture(scope="module")
def encoded(golden_model, golden_requests):
    """All 9 examples encoded in one batch, once (the HTSAT front end is the slow part)."""
    return _encode(golden_model, golden_requests)


def test_prompt_ids_match_official_tokenization(golden_model, golden):
    for example in golden["examples"]:
        ids = encode_prompts(golden_model.tokenizer, [example["prompt"]], golden_model.config.text)[0]
        assert ids == example["text_input_ids"], example["index"]
    assert stop_token_id(golden_model.tokenizer, " <|endoftext|>") == 220


def test_intermediate_tensors_match_golden(encoded, golden_requests, golden_tensors):
    out, ids = encoded  # all 9 examples in one batch
    names = {
        "prefix": "prefix",
        "prefix_pre_cross": "prefix_pre_cross",
        "audio1_htsat_embedding": "audio1_embedding",
        "audio2_htsat_embedding": "audio2_embedding",
        "audio1_projected": "audio1_projected",
        "audio2_projected": "audio2_projected",
        "audio1_clipwise": "audio1_clipwise",
        "audio2_clipwise": "audio2_clipwise",
    }
    for i in range(len(golden_requests)):
        assert ids[i] == golden_tensors[f"ex{i}.text_input_ids"][0].tolist()
        for golden_name, ours in names.items():
            expected = golden_tensors[f"ex{i}.{golden_name}"][0]
            torch.testing.assert_close(out[ours][i], expected, atol=1e-4, rtol=0, msg=f"ex{i}.{golden_name}")


def test_logmel_matches_golden(golden_model, golden_dir, golden_tensors):
    htsat = golden_model.network.audio_encoder.base.htsat
    for stem in ("clipA_tone_noise_10s", "clipD_am_noise_3.7s"):
        wave = torch.from_numpy(read_clip(golden_dir / f"{stem}.wav"))[None]
        with torch.inference_mode():
            ours = htsat.logmel(wave)
        torch.testing.assert_close(ours, golden_tensors[f"logmel.{stem}"], atol=1e-3, rtol=0)


@pytest.mark.parametrize("batch_size", [1, 4, 9])
def test_decoder_gives_golden_ids_at_any_batch_size(golden_model, encoded, golden, batch_size):
    prefix = encoded[0]["prefix"]
    gpt = golden_model.network.caption_decoder.gpt
    generations = []
    for start in range(0, prefix.shape[0], batch_size):
        generations += greedy_decode(gpt, prefix[start : start + batch_size], 40, 220)
    for example, gen in zip(golden["examples"], generations, strict=True):
        assert list(gen.token_ids) == example["token_ids"], f"example {example['index']} at batch {batch_size}"
        assert gen.stopped == example["stopped_on_stop_token"]


def test_end_to_end_one_pair_at_a_time(golden_model, golden_requests, golden):
    """The whole pipeline (encoder included) at batch size 1, as the official code runs it."""
    old = golden_model.decode_batch_size
    golden_model.decode_batch_size = 1
    try:
        generations = golden_model.generate_ids(golden_requests)
    finally:
        golden_model.decode_batch_size = old
    assert [list(g.token_ids) for g in generations] == [e["token_ids"] for e in golden["examples"]]


def test_text_matches_golden_and_strips_stop(golden_model, golden_requests, golden):
    texts = golden_model.generate(golden_requests)  # the whole pipeline, all 9 pairs in one batch
    for example, text in zip(golden["examples"], texts, strict=True):
        ids = example["token_ids"]
        # golden text keeps the stop token; ours drops it (none of the 9 stops, so they are equal here)
        assert decode(golden_model.tokenizer, ids) == example["text"]
        without_stop = ids[:-1] if ids and ids[-1] == 220 else ids
        assert text == decode(golden_model.tokenizer, without_stop)


def test_stop_examples(golden_model, golden_requests, golden):
    for stop in golden["stop_examples"]:
        request = golden_requests[stop["source_example"]]
        assert stop_token_id(golden_model.tokenizer, stop["stop_token"]) == stop["stop_token_id"]
        [gen] = golden_model.generate_ids([request], stop_token=stop["stop_token"])
        assert list(gen.token_ids) == stop["token_ids"]
        assert gen.stopped
        assert decode(golden_model.tokenizer, gen.token_ids) == stop["text"]


@pytest.mark.parametrize("stop", [24816, 17256, 1845])  # ' upheld', 'include', 'par' (many rows' first id)
def test_batched_rows_stopping_at_different_steps_do_not_interact(golden_model, encoded, golden, stop):
    """Rows leave the batch (and the KV cache) when they stop; the remaining rows are unaffected."""
    gpt = golden_model.network.caption_decoder.gpt
    out, _ = encoded
    batched = greedy_decode(gpt, out["prefix"], 40, stop)
    for i, gen in enumerate(batched):
        alone = greedy_decode(gpt, out["prefix"][i : i + 1], 40, stop)[0]
        assert gen == alone
        full = golden["examples"][i]["token_ids"]
        expected = full[: full.index(stop) + 1] if stop in full else full
        assert list(gen.token_ids) == expected


def test_official_loop_reference_matches_golden(golden_model, encoded, golden):
    """The re-implemented official loop (no cache, top-p then arg-max) used by the benchmark is faithful."""
    out, _ = encoded
    gpt = golden_model.network.caption_decoder.gpt
    for i in (0, 5):
        gen = official_greedy(gpt, out["prefix"][i : i + 1], 40, 220)
        assert list(gen.token_ids) == golden["examples"][i]["token_ids"]


def test_immediate_stop_gives_empty_text(golden_model, encoded, golden):
    """If the first generated id is the stop id, the official code would crash; we return ''."""
    first = golden["examples"][0]["token_ids"][0]
    [gen] = greedy_decode(golden_model.network.caption_decoder.gpt, encoded[0]["prefix"][:1], 40, first)
    assert gen.token_ids == (first,) and gen.stopped
    assert gen.without_stop() == ()
    assert decode(golden_model.tokenizer, gen.without_stop()) == ""


def test_no_stop_id_runs_every_row_to_the_limit(golden_model, encoded):
    """With stop_id=None (the benchmark mode) every row runs to max_new_tokens, 50256 included."""
    gens = greedy_decode(golden_model.network.caption_decoder.gpt, encoded[0]["prefix"][:2], 7, None)
    assert [len(g.token_ids) for g in gens] == [7, 7]
    assert not any(g.stopped for g in gens)


def test_step_model_shortcuts_agree_with_transformers(golden_model, encoded):
    """The KV-cache step model's shortcuts (fused tanh-GELU, last-layer prefill on the last position only,
    LM head in vocabulary slices) give the same next token as transformers' full forward, and the fused
    GELU matches transformers' MLP within float rounding."""
    from adiff_bench.models.adiff.decode import _Gpt2Steps

    gpt = golden_model.network.caption_decoder.gpt
    prefix = encoded[0]["prefix"]
    with torch.inference_mode():
        full = gpt(inputs_embeds=prefix, use_cache=False).logits[:, -1].argmax(-1)
        fused = _Gpt2Steps(gpt, prefix.shape[0], prefix.shape[1], prefix)
        assert fused.fused_gelu
        plain = _Gpt2Steps(gpt, prefix.shape[0], prefix.shape[1], prefix)
        plain.fused_gelu = False
        plain.VOCAB_CHUNK = 7  # many uneven slices
        assert fused(prefix, 0).tolist() == full.tolist()
        assert plain(prefix, 0).tolist() == full.tolist()
        mlp = gpt.transformer.h[0].mlp
        x = torch.randn(3, 5, prefix.shape[-1], generator=torch.Generator().manual_seed(0))
        torch.testing.assert_close(fused._mlp(mlp, x), mlp(x), atol=1e-5, rtol=1e-5)
