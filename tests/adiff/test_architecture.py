"""Architecture vs. the released checkpoint listing, strict checkpoint loading, config round-trip."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch

from adiff_bench.errors import ModelError
from adiff_bench.models.adiff.checkpoint import LEGACY_GPT2_BUFFER, build_model, load_weights, read_state_dict
from adiff_bench.models.adiff.config import AdiffConfig, config_from_json, load_config, naive_baseline_config
from adiff_bench.models.adiff.htsat import hann_dft_kernels, slaney_mel_filterbank
from adiff_bench.models.adiff.model import AdiffNet


def _tsv(official_data: Path) -> dict[str, tuple[tuple[int, ...], str]]:
    rows = {}
    for line in (official_data / "adiff_base_state_dict.tsv").read_text().splitlines():
        name, shape, dtype = line.split("\t")
        rows[name] = (tuple(json.loads(shape)), dtype)
    return rows


def test_full_size_state_dict_matches_official_listing(official_data):
    listing = _tsv(official_data)
    legacy = {k for k in listing if LEGACY_GPT2_BUFFER.match(k)}
    assert len(legacy) == 24  # attn.bias + attn.masked_bias in each of GPT-2's 12 layers
    with torch.device("meta"):
        net = AdiffNet(AdiffConfig())
    ours = {k: (tuple(v.shape), str(v.dtype)) for k, v in net.state_dict().items()}
    expected = {k: v for k, v in listing.items() if k not in legacy}
    assert sorted(set(ours) ^ set(expected)) == []
    assert {k: v for k, v in ours.items() if expected[k] != v} == {}
    assert AdiffConfig().total_prefix_length == 121


def test_naive_baseline_has_no_cross_projection_keys():
    with torch.device("meta"):
        net = AdiffNet(naive_baseline_config())
    assert not [k for k in net.state_dict() if "cross_project" in k]
    assert naive_baseline_config().total_prefix_length == 120


def test_fixture_config_round_trips(tiny_config_path):
    cfg = load_config(tiny_config_path)
    assert cfg.htsat.embed_dim == 16 and cfg.htsat.depths == (1, 2, 1, 1) and cfg.htsat.fmax == 14000
    assert (cfg.decoder.mapper_layers, cfg.decoder.cross_layers, cfg.decoder.cross_heads) == (2, 4, 4)
    assert cfg.total_prefix_length == 31 and cfg.max_new_tokens == 40
    assert config_from_json(cfg.to_json()) == cfg
    assert config_from_json(AdiffConfig().to_json()) == AdiffConfig()


def test_bad_config_is_one_clear_error(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_config(bad)
    with pytest.raises(ModelError, match="not found"):
        load_config(tmp_path / "missing.json")
    bad.write_text(json.dumps({"data": {"ip_text_len": 12}}))
    with pytest.raises(ModelError, match="ip_text_len"):
        load_config(bad)


def test_frozen_filters_match_the_checkpoint(golden_dir):
    """The computed STFT kernels / mel matrix (for random models) equal what the official code stores."""
    state = read_state_dict(golden_dir / "adiff_tiny_seed0.ckpt")
    real, imag = hann_dft_kernels(1024)
    prefix = "audio_encoder.base.htsat."
    torch.testing.assert_close(
        torch.from_numpy(real).float(), state[prefix + "spectrogram_extractor.stft.conv_real.weight"], atol=1e-6, rtol=0
    )
    torch.testing.assert_close(
        torch.from_numpy(imag).float(), state[prefix + "spectrogram_extractor.stft.conv_imag.weight"], atol=1e-6, rtol=0
    )
    mel = slaney_mel_filterbank(32000, 1024, 64, 50, 14000)
    torch.testing.assert_close(
        torch.from_numpy(mel).float(), state[prefix + "logmel_extractor.melW"], atol=1e-6, rtol=0
    )


@pytest.fixture(scope="module")
def tiny_state(golden_dir):
    return read_state_dict(golden_dir / "adiff_tiny_seed0.ckpt")


def test_wrapped_and_dataparallel_checkpoints_load(tmp_path, tiny_state, tiny_config_path):
    cfg = load_config(tiny_config_path)
    reference = build_model(cfg, "random:1")
    wrapped = {"model": {f"module.{k}": v for k, v in tiny_state.items()}, "epoch": 3}
    path = tmp_path / "wrapped.ckpt"
    torch.save(wrapped, path)
    net = build_model(cfg, str(path))
    key = "caption_decoder.cross_project.layers.0.attn.project.bias"
    assert torch.equal(net.state_dict()[key], tiny_state[key])
    assert not torch.equal(reference.state_dict()[key], tiny_state[key])


def test_mismatched_checkpoints_name_the_keys(tiny_state, tiny_config_path):
    cfg = load_config(tiny_config_path)
    net = AdiffNet(cfg)
    missing = dict(tiny_state)
    del missing["caption_decoder.text_project.prefix_const"]
    with pytest.raises(ModelError, match=r"missing 1 key\(s\): caption_decoder\.text_project\.prefix_const"):
        load_weights(net, missing)
    extra = {**tiny_state, "caption_decoder.extra.weight": torch.zeros(1)}
    with pytest.raises(ModelError, match=r"unexpected 1 key\(s\): caption_decoder\.extra\.weight"):
        load_weights(net, extra)
    with pytest.raises(ModelError, match="wrong shape"):
        load_weights(AdiffNet(dataclasses.replace(cfg, d_proj=32)), tiny_state)
    # The legacy GPT-2 buffers are in the fixture and are the only keys dropped silently.
    assert any(LEGACY_GPT2_BUFFER.match(k) for k in tiny_state)


def test_unreadable_checkpoint_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        read_state_dict(tmp_path / "nope.ckpt")
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="cannot be read"):
        read_state_dict(junk)
    torch.save({"epoch": 1, "optimizer": {"lr": 0.1}}, tmp_path / "nostate.ckpt")
    with pytest.raises(ModelError, match="no state dict"):
        read_state_dict(tmp_path / "nostate.ckpt")
    with pytest.raises(ModelError, match="random:SEED"):
        build_model(AdiffConfig(), "random:abc")
