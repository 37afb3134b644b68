"""The harness-facing models: registry construction, fingerprints, input checks, the naive baseline."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from adiff_bench.errors import DataError, ModelError
from adiff_bench.models.adiff.adapter import AdiffModel, NaiveBaselineModel, fit_clip
from adiff_bench.models.base import Request
from adiff_bench.models.registry import build_model


def _args(golden_dir, **extra):
    return {
        "checkpoint": str(golden_dir / "adiff_tiny_seed0.ckpt"),
        "config": str(golden_dir / "config.json"),
        "tokenizer": str(golden_dir),
        **extra,
    }


def _noise_requests(n: int, seed: int = 0, samples: int = 320000) -> list[Request]:
    rng = np.random.default_rng(seed)
    return [
        Request(
            item_id=f"r{i}",
            prompt="explain the difference in few words",
            tier=1,
            audio1=(0.1 * rng.standard_normal(samples)).astype(np.float32),
            audio2=(0.1 * rng.standard_normal(samples)).astype(np.float32),
        )
        for i in range(n)
    ]


def test_registry_builds_adiff_from_string_args(golden_dir):
    model = build_model("adiff", _args(golden_dir, max_new_tokens="5", decode_batch_size="2"))
    assert isinstance(model, AdiffModel)
    assert model.max_new_tokens == 5 and model.decode_batch_size == 2
    assert model.needs.sample_rate == 32000 and model.needs.short_clip == "tile"
    assert model.name == "adiff"


def test_fingerprint_is_stable_and_tracks_settings(golden_dir):
    a = AdiffModel(**_args(golden_dir))
    b = AdiffModel(**_args(golden_dir))
    assert a.fingerprint() == b.fingerprint()
    assert len(a.fingerprint()) == 16
    assert AdiffModel(**_args(golden_dir, max_new_tokens=7)).fingerprint() != a.fingerprint()
    assert AdiffModel(**_args(golden_dir, checkpoint="random:0")).fingerprint() != a.fingerprint()
    assert a._net is None  # fingerprinting hashes the file; it does not build the network


def test_missing_checkpoint_and_bad_args_are_model_errors(golden_dir, tmp_path):
    with pytest.raises(ModelError, match="models fetch adiff"):
        AdiffModel(config=str(golden_dir / "config.json"))  # default path in the (empty) test cache
    with pytest.raises(ModelError, match="not found"):
        AdiffModel(**_args(golden_dir, checkpoint=str(tmp_path / "none.ckpt")))
    with pytest.raises(ModelError, match="only supported with device=cuda"):
        AdiffModel(**_args(golden_dir, dtype="bf16"))
    with pytest.raises(ModelError, match="dtype"):
        AdiffModel(**_args(golden_dir, dtype="int8"))
    with pytest.raises(ModelError, match="no public checkpoint"):
        NaiveBaselineModel(config=str(golden_dir / "config.json"))
    with pytest.raises(ModelError, match="tokenizer="):
        AdiffModel(**_args(golden_dir, tokenizer=str(tmp_path))).tokenizer  # noqa: B018


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA message")
def test_cuda_without_gpu_is_a_model_error(golden_dir):
    model = AdiffModel(**_args(golden_dir, device="cuda"))
    with pytest.raises(ModelError, match="CUDA is not available"):
        model.network  # noqa: B018


def test_audio_checks_and_tiling(golden_dir):
    clip = np.arange(5, dtype=np.float32)
    assert fit_clip(clip, 12, "x").tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]
    with pytest.raises(DataError, match="longer than"):
        fit_clip(np.zeros(13, np.float32), 12, "item 3 audio1")
    with pytest.raises(DataError, match="mono"):
        fit_clip(np.zeros((2, 4), np.float32), 12, "item 3 audio1")
    model = AdiffModel(**_args(golden_dir, max_new_tokens=3))
    with pytest.raises(DataError, match="item a: audio2 was not loaded"):
        model.generate([Request(item_id="a", prompt="p", tier=1, audio1=np.zeros(10, np.float32))])


def test_short_clips_are_tiled_like_the_official_loader(golden_dir):
    model = AdiffModel(**_args(golden_dir, max_new_tokens=6))
    short = _noise_requests(1, seed=3, samples=100000)[0]
    tiled = Request(
        item_id="t",
        prompt=short.prompt,
        tier=1,
        audio1=np.tile(short.audio1, 4)[:320000],
        audio2=np.tile(short.audio2, 4)[:320000],
    )
    assert model.generate_ids([short]) == model.generate_ids([tiled])


def test_naive_baseline_random_weights_shapes_and_batching(golden_dir):
    """No checkpoint exists for the baseline: only its wiring is checked, on random weights."""
    from adiff_bench.models.adiff.decode import greedy_decode

    model = NaiveBaselineModel(**_args(golden_dir, checkpoint="random:0", max_new_tokens=6, decode_batch_size=2))
    assert model.config.total_prefix_length == 30
    assert model.network.caption_decoder.cross_project is None
    requests = _noise_requests(2)
    prefix = model.prefixes(requests)
    assert prefix.shape == (2, 30, 64)
    gpt = model.network.caption_decoder.gpt
    batched = greedy_decode(gpt, prefix, 6, 220)
    assert batched == [greedy_decode(gpt, prefix[i : i + 1], 6, 220)[0] for i in range(2)]
    assert all(len(g.token_ids) == 6 or g.stopped for g in batched)
    texts = model.generate(requests)
    assert len(texts) == 2 and all(isinstance(t, str) for t in texts)


def test_random_adiff_prefix_has_separator_and_cross_projection(golden_dir):
    model = AdiffModel(**_args(golden_dir, checkpoint="random:0", max_new_tokens=4))
    out_prefix = model.prefixes(_noise_requests(2))
    assert out_prefix.shape == (2, 31, 64)
    assert model.network.caption_decoder.cross_project is not None


def test_max_new_tokens_defaults_to_the_config_and_decoding_honours_it(golden_dir, tmp_path):
    import json

    cfg = json.loads((golden_dir / "config.json").read_text())
    cfg["generation"]["max_new_tokens"] = 3
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    args = _args(golden_dir, config=str(path), checkpoint="random:0")
    model = AdiffModel(**args)
    assert model.config.max_new_tokens == 3 and model.max_new_tokens == 3
    gens = model.generate_ids(_noise_requests(2, samples=32000))
    assert all(len(g.token_ids) == 3 or g.stopped for g in gens)  # the config's limit ended decoding
    assert all(len(g.token_ids) <= 3 for g in gens)
    explicit = AdiffModel(**args, max_new_tokens=5)  # the model arg still overrides the config
    assert explicit.max_new_tokens == 5 and explicit.fingerprint() != model.fingerprint()
    assert AdiffModel(**_args(golden_dir)).max_new_tokens == 40  # the fixture config's own value


def test_old_batch_size_arg_names_its_new_name(golden_dir):
    with pytest.raises(ModelError, match="renamed decode_batch_size"):
        build_model("adiff", _args(golden_dir, batch_size="4"))
    with pytest.raises(ModelError, match="decode_batch_size must be >= 1"):
        AdiffModel(**_args(golden_dir, decode_batch_size=0))
