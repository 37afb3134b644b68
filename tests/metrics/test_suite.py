"""The metric suite: names and groups, input checks, line-break safety, unavailable metrics with reasons."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from adiff_bench.errors import AdiffBenchError, DataError
from adiff_bench.metrics import jvm, suite
from adiff_bench.metrics.base import MetricResult, unavailable
from adiff_bench.metrics.suite import LEXICAL_NAMES, METRIC_GROUPS, METRIC_NAMES, resolve_metric_names, score_texts

requires_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed")

HYPS = ["Audio 1 has a dog barking, while Audio 2 has rain.", "The first is louder.", "Both are quiet"]
REFS = ["The first audio has a barking dog and the second has rain.", "Audio 1 is louder than audio 2.", "Quiet."]


def test_resolve_groups_names_and_canonical_order() -> None:
    assert resolve_metric_names(None) == METRIC_NAMES
    assert resolve_metric_names("default") == METRIC_NAMES
    assert resolve_metric_names("lexical") == LEXICAL_NAMES
    assert resolve_metric_names("SBERT, lexical") == (*LEXICAL_NAMES, "SBERT")
    assert resolve_metric_names(["cider-d", "bleu-4", "BLEU-4"]) == ("BLEU-4", "CIDEr-D")
    assert resolve_metric_names("coco") == METRIC_GROUPS["coco"]


@pytest.mark.parametrize(("spec", "hint"), [("BLEU4", "BLEU-4"), ("CIDER", "CIDEr-D"), ("lexcal", "lexical")])
def test_unknown_metric_suggests_the_closest_name(spec: str, hint: str) -> None:
    with pytest.raises(AdiffBenchError, match=f"unknown metric '{spec}'.*did you mean '{hint}'"):
        resolve_metric_names(spec)


def test_empty_metric_list_is_an_error() -> None:
    with pytest.raises(AdiffBenchError, match="metric list is empty"):
        resolve_metric_names(" , ")


def test_bad_inputs_name_the_problem() -> None:
    with pytest.raises(DataError, match="2 hypotheses but 1 references"):
        score_texts(["a", "b"], ["a"], "BLEU-1")
    with pytest.raises(DataError, match="hypothesis #1 is NoneType"):
        score_texts(["a", None], ["a", "b"], "BLEU-1")  # type: ignore[list-item]
    with pytest.raises(DataError, match=r"reference #1 contains '\\ud800'"):
        score_texts(["a", "b"], ["a", "b\ud800"], "BLEU-1")
    with pytest.raises(DataError, match="nothing to score"):
        score_texts([], [], "BLEU-1")


def test_missing_java_makes_lexical_metrics_unavailable_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jvm.shutil, "which", lambda name: None)
    results = score_texts(HYPS, REFS, "lexical")
    assert list(results) == list(LEXICAL_NAMES)
    for result in results.values():
        assert not result.available and result.corpus is None
        assert "Java was not found" in (result.unavailable or "")


@requires_java
@pytest.mark.slow  # starts the METEOR JVM (about 7 s) unless an earlier test did
def test_line_breaks_in_a_prediction_neither_change_its_score_nor_shift_later_items() -> None:
    spaced = score_texts(HYPS, REFS, "lexical")
    broken = [HYPS[0].replace(" while ", "\r\n while\u2028"), HYPS[1].replace(" ", "\n"), HYPS[2] + "\x0b\x0c\x85"]
    assert score_texts(broken, REFS, "lexical").keys() == spaced.keys()
    for name, result in score_texts(broken, REFS, "lexical").items():
        assert result.corpus == spaced[name].corpus, name
        assert np.array_equal(result.per_item, spaced[name].per_item), name


@requires_java
def test_results_carry_signatures_stats_and_reducers() -> None:
    results = score_texts(HYPS, REFS, "lexical")
    for name, result in results.items():
        assert result.name == name and result.available
        assert result.signature.startswith(f"{name}|pycocoevalcap:") and "|tok:ptb|refs:1|java:" in result.signature
        assert result.per_item.shape == (3,) and result.stats.shape[0] == 3 and result.reducer
    assert "df:evaluated-set" in results["CIDEr-D"].signature
    assert "meteor:1.5" in results["METEOR"].signature and "stats:" in results["METEOR"].signature


@requires_java
def test_spider_is_unavailable_with_spice_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_spice(hyps: list[str], refs: list[str]) -> MetricResult:
        return unavailable("spice", "spice|test", "SPICE jars not installed here")

    monkeypatch.setattr(suite, "_spice", lambda h, r: suite._guarded("SPICE", "SPICE", lambda: no_spice(h, r)))
    results = score_texts(HYPS, REFS, "SPIDEr")
    assert list(results) == ["SPIDEr"]
    assert not results["SPIDEr"].available
    assert "SPICE jars not installed here" in (results["SPIDEr"].unavailable or "")


@requires_java
def test_spider_is_the_per_item_mean_of_cider_d_and_spice(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = np.array([0.2, 0.4, 0.6])

    def fake_spice(hyps: list[str], refs: list[str]) -> MetricResult:
        return MetricResult("spice", "spice|fake", float(fake.mean()), fake, np.stack([fake, np.ones(3)], 1), "mean")

    monkeypatch.setattr(suite, "_spice", lambda h, r: suite._guarded("SPICE", "SPICE", lambda: fake_spice(h, r)))
    results = score_texts(HYPS, REFS, "CIDEr-D,SPICE,SPIDEr")
    assert results["SPICE"].name == "SPICE"
    expected = (results["CIDEr-D"].per_item + fake) / 2
    assert np.allclose(results["SPIDEr"].per_item, expected, rtol=0, atol=1e-15)


def test_missing_embedding_module_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        return None

    monkeypatch.setattr(suite, "_optional_module", missing)
    results = score_texts(HYPS, REFS, "embedding")
    assert [r.available for r in results.values()] == [False, False]
    assert "not part of this installation" in (results["SBERT"].unavailable or "")
