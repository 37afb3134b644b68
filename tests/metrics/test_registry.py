"""The metric table: a metric added from outside the package is resolved, scored, grouped and signed like the
built-in ones; dependencies, background metrics and progress reports work for any entry."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from adiff_bench.errors import AdiffBenchError
from adiff_bench.metrics import jvm, suite
from adiff_bench.metrics.base import MetricResult, mean_result
from adiff_bench.metrics.context import ScoringContext
from adiff_bench.metrics.suite import MetricDef, register_metric, resolve_metric_names, score_texts

requires_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed")

HYPS = ["a dog barks", "rain falls on a roof", "quiet"]
REFS = ["the dog barks", "rain", "it is quiet here"]


def length_gap(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> MetricResult:
    """A toy metric: how many characters the hypothesis is longer than its reference."""
    gaps = np.array([len(h) - len(r) for h, r in zip(hypotheses, references, strict=True)], dtype=np.float64)
    return mean_result("LEN-GAP", "LEN-GAP|chars|refs:1", gaps)


@pytest.fixture()
def table(monkeypatch: pytest.MonkeyPatch) -> dict[str, MetricDef]:
    """A private copy of the table for one test: registrations vanish afterwards."""
    copy = dict(suite.METRICS)
    monkeypatch.setattr(suite, "METRICS", copy)
    return copy


def test_a_registered_metric_is_resolved_scored_grouped_and_signed(table: dict[str, MetricDef]) -> None:
    built_in = suite.METRIC_NAMES
    register_metric("LEN-GAP", MetricDef(length_gap, groups=("toy",)))
    names, groups = suite.METRIC_NAMES, suite.METRIC_GROUPS  # read from the table when asked
    assert names == (*built_in, "LEN-GAP")
    assert groups["toy"] == ("LEN-GAP",) and groups["default"] == names
    assert resolve_metric_names("len-gap,BLEU-4") == ("BLEU-4", "LEN-GAP")  # canonical (table) order
    assert resolve_metric_names("TOY") == ("LEN-GAP",)
    assert resolve_metric_names(None)[-1] == "LEN-GAP"
    results = score_texts(HYPS, REFS, "toy")
    assert list(results) == ["LEN-GAP"]
    result = results["LEN-GAP"]
    assert result.available and result.signature == "LEN-GAP|chars|refs:1"
    assert result.per_item.tolist() == [-2.0, 16.0, -11.0] and result.corpus == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(AdiffBenchError, match="unknown metric 'LEN-GAPP'.*did you mean 'LEN-GAP'"):
        resolve_metric_names("LEN-GAPP")
    with pytest.raises(AdiffBenchError, match="did you mean 'BLEU-4'"):  # built-in names still suggested
        resolve_metric_names("BLEU4")


def test_registration_refuses_clashes_and_unknown_needs(table: dict[str, MetricDef]) -> None:
    for name, groups in (("bleu-4", ()), ("Lexical", ()), ("NEW", ("rouge-l",)), ("A,B", ()), (" ", ())):
        with pytest.raises(AdiffBenchError, match="cannot register"):
            register_metric(name, MetricDef(length_gap, groups=groups))
    with pytest.raises(AdiffBenchError, match="register those first"):
        register_metric("NEEDY", MetricDef(length_gap, needs=("NOT-THERE",)))
    with pytest.raises(AdiffBenchError, match="foreground"):
        register_metric("NEEDY", MetricDef(length_gap, needs=("BLEU-1",), background=True))
    assert "NEEDY" not in table


def test_needs_are_computed_first_and_only_requested_results_return(table: dict[str, MetricDef]) -> None:
    seen: dict[str, str] = {}

    def slow_part(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> MetricResult:
        seen["thread"] = threading.current_thread().name
        return mean_result("SLOW", "SLOW|test", np.full(len(hypotheses), 0.5))

    def combined(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> MetricResult:
        gap, slow = ctx.result("LEN-GAP"), ctx.result("SLOW")
        return mean_result("BOTH", f"BOTH|[{gap.signature}]+[{slow.signature}]", gap.per_item + slow.per_item)

    register_metric("LEN-GAP", MetricDef(length_gap))
    register_metric("SLOW", MetricDef(slow_part, background=True))
    register_metric("BOTH", MetricDef(combined, needs=("LEN-GAP", "SLOW")))
    results = score_texts(HYPS, REFS, "BOTH")
    assert list(results) == ["BOTH"]
    assert results["BOTH"].per_item.tolist() == [-1.5, 16.5, -10.5]
    assert results["BOTH"].signature == "BOTH|[LEN-GAP|chars|refs:1]+[SLOW|test]"
    assert seen["thread"].startswith("adiff-metrics")  # a background metric runs in the suite's worker threads


def test_a_metric_without_tokens_needs_no_java(table: dict[str, MetricDef], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jvm.shutil, "which", lambda name: None)
    register_metric("LEN-GAP", MetricDef(length_gap))
    results = score_texts(HYPS, REFS, "LEN-GAP,BLEU-1")
    assert results["LEN-GAP"].available
    assert not results["BLEU-1"].available and "Java was not found" in (results["BLEU-1"].unavailable or "")


def test_a_metric_from_a_missing_module_is_unavailable(table: dict[str, MetricDef]) -> None:
    register_metric("GHOST", MetricDef("adiff_bench.metrics.no_such_module:score"))
    result = score_texts(HYPS, REFS, "GHOST")["GHOST"]
    assert not result.available and result.signature == "GHOST"
    assert result.unavailable == "adiff_bench.metrics.no_such_module is not part of this installation"


def test_progress_names_each_step_and_counts_finished_metrics(
    table: dict[str, MetricDef], capsys: pytest.CaptureFixture[str]
) -> None:
    register_metric("LEN-GAP", MetricDef(length_gap))
    register_metric("BOTH", MetricDef(lambda h, r, ctx: ctx.result("LEN-GAP"), needs=("LEN-GAP",)))
    events: list[tuple[str, int, int]] = []
    score_texts(HYPS, REFS, "BOTH", on_progress=lambda step, done, total: events.append((step, done, total)))
    assert events == [("LEN-GAP", 0, 2), ("BOTH", 1, 2), ("done", 2, 2)]
    score_texts(HYPS, REFS, "BOTH", progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == ["LEN-GAP", "BOTH", "done"]
    assert all(line.startswith("[metrics ") for line in lines)
    assert [line.split("] ", 1)[0].rsplit(" ", 1)[1] for line in lines] == ["0/2", "1/2", "2/2"]  # how far


@requires_java
def test_progress_of_the_lexical_suite() -> None:
    events: list[tuple[str, int, int]] = []
    score_texts(HYPS, REFS, "lexical", on_progress=lambda step, done, total: events.append((step, done, total)))
    steps = [step for step, _, _ in events]
    assert steps[0] == "PTB-tokenizing 3 hypotheses and references"
    assert steps[1:] == ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "ROUGE-L", "CIDEr-D", "waiting for METEOR", "done"]
    assert {total for _, _, total in events} == {7} and events[-1][1] == 7
    done = [count for _, count, _ in events]
    assert done == sorted(done)  # never goes back
