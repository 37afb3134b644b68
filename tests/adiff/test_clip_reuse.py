"""Per-clip reuse with the golden ADIFF: a suite run (clip cache + each clip encoded once) against separate
per-tier runs with today's per-pair encoding, item for item, and the encoder's work counted."""

from __future__ import annotations

import pytest

from adiff_bench.audio.clipcache import ClipCache
from adiff_bench.audio.encodings import ClipEncodings
from adiff_bench.audio.pipeline import AudioPolicy, load_clip
from adiff_bench.models.base import Request, encodes_clips

PROMPTS = {
    1: "explain the difference in few words",
    2: "explain the difference in a sentence",
    3: "explain the difference in detail",
}


def _pairs(golden: dict) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for e in golden["examples"]:
        if (e["audio1"], e["audio2"]) not in seen:
            seen.append((e["audio1"], e["audio2"]))
    return seen


def _requests(golden_dir, pairs, tier, load) -> list[Request]:
    return [
        Request(f"p{i}", PROMPTS[tier], tier, audio1=load(golden_dir / a, a), audio2=load(golden_dir / b, b))
        for i, (a, b) in enumerate(pairs)
    ]


@pytest.fixture
def encoder_rows(golden_model):
    """Counts clips through HTSAT + projection (rows of every audio-encoder forward pass)."""
    rows: list[int] = []
    encoder = golden_model.network.audio_encoder
    handle = encoder.register_forward_hook(lambda module, args, out: rows.append(args[0].shape[0]))
    yield rows
    handle.remove()


def test_suite_run_equals_separate_tier_runs_and_encodes_each_clip_once(golden_model, golden_dir, golden, encoder_rows):
    assert encodes_clips(golden_model)
    policy = AudioPolicy.for_model(golden_model.needs)
    pairs = _pairs(golden)  # 3 pairs over 4 distinct clips; the golden examples are these pairs x 3 prompts
    distinct = {f for pair in pairs for f in pair}

    separate = {}
    for tier in PROMPTS:  # today: every pair loads and encodes both of its clips, per tier
        reqs = _requests(golden_dir, pairs, tier, lambda p, k: load_clip(p, policy, k))
        for r, g in zip(reqs, golden_model.generate_ids(reqs), strict=True):
            separate[(tier, r.item_id)] = g.token_ids
    assert sum(encoder_rows) == 2 * len(pairs) * len(PROMPTS)
    encoder_rows.clear()

    clips, encodings = ClipCache(), ClipEncodings(golden_model)
    suite = {}
    for tier in PROMPTS:  # one suite run: one clip cache and one encoding cache for all tiers, 2 pairs per call
        reqs = _requests(golden_dir, pairs, tier, lambda p, k: clips.load(p, policy, k))
        for start in range(0, len(reqs), 2):
            batch = encodings.attach(reqs[start : start + 2])
            assert all(r.encoding1 is not None and r.encoding2 is not None for r in batch)
            for r, g in zip(batch, golden_model.generate_ids(batch), strict=True):
                suite[(tier, r.item_id)] = g.token_ids

    assert suite == separate  # item for item, token for token
    assert sum(encoder_rows) == len(distinct) == encodings.stats().encoded
    stats = clips.stats()
    assert (stats.decoded, stats.distinct, stats.uses) == (len(distinct), len(distinct), 2 * len(pairs) * len(PROMPTS))
    golden_ids = {e["index"]: tuple(e["token_ids"]) for e in golden["examples"]}
    for (tier, item), ids in suite.items():  # and both equal the official code's outputs
        assert ids == golden_ids[3 * int(item[1:]) + tier - 1]


def test_encodings_give_the_golden_ids_at_decode_batch_1(golden_model, golden_requests, golden, encoder_rows):
    encodings = ClipEncodings(golden_model)
    attached = encodings.attach(golden_requests)
    assert sum(encoder_rows) == 4  # 9 pairs, 18 clip slots, 4 distinct clips
    old = golden_model.decode_batch_size
    golden_model.decode_batch_size = 1
    try:
        generations = golden_model.generate_ids(attached)
    finally:
        golden_model.decode_batch_size = old
    assert sum(encoder_rows) == 4  # generate used the encodings: no further encoder pass
    assert [list(g.token_ids) for g in generations] == [e["token_ids"] for e in golden["examples"]]
    assert encodings.stats().uses == 18
