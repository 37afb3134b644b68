"""Sentence-BERT cosine and BERTScore F1 with the real bundled all-MiniLM-L6-v2 on a handful of sentences,
and the reference-embedding cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from adiff_bench.errors import DataError, MetricUnavailable
from adiff_bench.metrics import embedding
from adiff_bench.metrics.base import get_reducer, mean_stats

HYPS = [
    "a dog barks loudly in the yard",
    "the first audio is louder than the second",
    "rain falls on a metal roof",
    "",
    "   ",
]
REFS = [
    "a dog barks loudly in the yard",
    "the second audio is quieter than the first one",
    "a man is talking on the telephone",
    "a car drives past",
    "birds chirp",
]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ADIFF_BENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture()
def spy(monkeypatch: pytest.MonkeyPatch):
    """Records every text handed to the SBERT and BERTScore encoders."""
    seen: dict[str, list[str]] = {"sbert": [], "bert": []}
    real_sentences, real_tokens = embedding.encode_sentences, embedding.encode_tokens

    def sentences(encoder, texts):  # noqa: ANN001, ANN202
        seen["sbert"].extend(texts)
        return real_sentences(encoder, texts)

    def tokens(encoder, texts):  # noqa: ANN001, ANN202
        seen["bert"].extend(texts)
        return real_tokens(encoder, texts)

    monkeypatch.setattr(embedding, "encode_sentences", sentences)
    monkeypatch.setattr(embedding, "encode_tokens", tokens)
    return seen


def test_sbert_identical_is_one_related_high_unrelated_low() -> None:
    result = embedding.sbert_similarity(HYPS, REFS)
    sims = result.per_item
    assert sims[0] == pytest.approx(1.0, abs=1e-5)
    assert sims[1] > 0.6 > sims[2]
    assert sims[2] < 0.3
    assert list(sims[3:]) == [0.0, 0.0]  # empty / whitespace-only hypotheses score 0 by design
    assert result.corpus == pytest.approx(sims.mean())
    np.testing.assert_allclose(result.stats, mean_stats(sims))
    assert result.reducer == "mean" and get_reducer("mean")(result.stats.sum(0)) == pytest.approx(result.corpus)
    for part in ("sbert-cosine", "all-MiniLM-L6-v2", "refs:1", "empty:0", "sentence-transformers:", "sha256:"):
        assert part in result.signature


def test_bertscore_matches_the_bert_score_package() -> None:
    from bert_score import BERTScorer

    result = embedding.bertscore_f1(HYPS, REFS)
    model = embedding.resolve_model(None)
    scorer = BERTScorer(model_type=str(model.path), num_layers=5, idf=False, rescale_with_baseline=False)
    _p, _r, f1 = scorer.score(HYPS[:3], REFS[:3])
    np.testing.assert_allclose(result.per_item[:3], f1.double().numpy(), atol=1e-5)
    assert result.per_item[0] == pytest.approx(1.0, abs=1e-5)
    assert result.per_item[1] > result.per_item[2]
    assert list(result.per_item[3:]) == [0.0, 0.0]
    for part in ("bertscore-f1", "layer:5", "idf:False", "rescale:False", "empty:0", "refs:1", "bert-score:0.3"):
        assert part in result.signature


def test_all_empty_hypotheses_score_zero_without_loading_a_model(spy, monkeypatch) -> None:
    def no_load(*_args: object) -> None:
        raise AssertionError("a model was loaded for empty hypotheses")

    monkeypatch.setattr(embedding, "_load_sentence_transformer", no_load)
    monkeypatch.setattr(embedding, "_load_token_encoder", no_load)
    for fn in (embedding.sbert_similarity, embedding.bertscore_f1):
        result = fn(["", "\n"], ["a dog", "a cat"])
        assert result.corpus == 0.0 and list(result.per_item) == [0.0, 0.0]
        assert "empty:0" in result.signature
    assert spy == {"sbert": [], "bert": []}


def test_cache_hit_gives_identical_values_and_skips_cached_references(spy, _private_cache: Path) -> None:
    first_s = embedding.sbert_similarity(HYPS, REFS)
    first_b = embedding.bertscore_f1(HYPS, REFS)
    scored_refs = REFS[:3]  # items with a non-empty hypothesis
    assert set(scored_refs) <= set(spy["sbert"]) and set(scored_refs) <= set(spy["bert"])
    assert len(list((_private_cache / "embeddings").glob("*/shard-*.npz"))) == 2
    spy["sbert"].clear()
    spy["bert"].clear()

    second_s = embedding.sbert_similarity(HYPS, REFS)
    second_b = embedding.bertscore_f1(HYPS, REFS)
    np.testing.assert_array_equal(second_s.per_item, first_s.per_item)
    np.testing.assert_array_equal(second_b.per_item, first_b.per_item)
    assert sorted(spy["sbert"]) == sorted(HYPS[:3])  # only hypotheses are encoded again
    assert sorted(spy["bert"]) == sorted(HYPS[:3])
    assert len(list((_private_cache / "embeddings").glob("*/shard-*.npz"))) == 2  # nothing new written

    # A new reference is encoded; the cached ones are not.
    spy["sbert"].clear()
    embedding.sbert_similarity(["a dog barks", "rain"], [REFS[0], "thunder rumbles far away"])
    assert REFS[0] not in spy["sbert"] and "thunder rumbles far away" in spy["sbert"]


def test_local_folder_gives_the_same_scores_as_the_default() -> None:
    path = embedding.resolve_model(None).path
    default = embedding.sbert_similarity(HYPS[:3], REFS[:3])
    local = embedding.sbert_similarity(HYPS[:3], REFS[:3], model=str(path))
    np.testing.assert_allclose(local.per_item, default.per_item, atol=1e-6)
    assert embedding.resolve_model(str(path)).identity == embedding.resolve_model(None).identity


def test_explicit_layer_goes_into_the_signature() -> None:
    result = embedding.bertscore_f1(HYPS[:2], REFS[:2], num_layers=6)
    assert "layer:6" in result.signature
    assert result.per_item[0] == pytest.approx(1.0, abs=1e-5)


def test_model_not_available_offline_is_metric_unavailable(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(MetricUnavailable, match="not a local folder and not in the Hugging Face cache"):
        embedding.sbert_similarity(["a"], ["b"], model="no-such-org/no-such-model-adiff")
    with pytest.raises(MetricUnavailable, match="never downloads"):
        embedding.bertscore_f1(["a"], ["b"], model="no-such-org/no-such-model-adiff")


def test_folder_without_config_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(MetricUnavailable, match="config.json"):
        embedding.resolve_model(str(tmp_path))


def test_bad_pairs_are_data_errors() -> None:
    with pytest.raises(DataError, match="one reference per hypothesis"):
        embedding.sbert_similarity(["a", "b"], ["a"])
    with pytest.raises(DataError, match="reference #1 is empty"):
        embedding.bertscore_f1(["a", "b"], ["a", " "])


def test_default_layer_is_one_below_the_top(tmp_path: Path) -> None:
    assert embedding.default_num_layers(embedding.resolve_model(None).path) == 5
    (tmp_path / "config.json").write_text('{"num_hidden_layers": 12}')
    assert embedding.default_num_layers(tmp_path) == 11
    assert embedding.default_num_layers(tmp_path, "roberta-large") == 17  # bert-score's tuned layer
