"""``compare``: loading and checking run dirs, the Comparison table, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from adiff_bench.cli.main import main
from adiff_bench.compare import compare_runs, load_run
from adiff_bench.errors import DataError
from adiff_bench.metrics.base import MetricResult, mean_stats
from adiff_bench.stats import bootstrap_intervals, clusters_for_pairs

from .conftest import acd_like_clips

N = 200


def values(seed: int, shift: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(0.4 + shift + 0.15 * rng.standard_normal(N), 0, 1)


@pytest.fixture
def three_runs(make_run):
    clips = acd_like_clips(N)
    base = values(0)
    better = base + 0.08 + 0.05 * np.random.default_rng(1).standard_normal(N)
    same = base + 0.05 * np.random.default_rng(2).standard_normal(N)
    return (
        make_run("base_model", base, clips=clips),
        make_run("better_model", better, clips=clips),
        make_run("same_model", same, clips=clips),
    )


def test_compare_finds_the_planted_difference_and_adjusts_p_values(three_runs) -> None:
    comparison = compare_runs([load_run(p) for p in three_runs], n_resamples=500, seed=0)
    assert comparison.baseline == "base_model" and comparison.task == "acd-test-tier2"
    assert comparison.metrics == ("score", "ratio_metric") and comparison.n_items == N
    assert len(comparison.deltas) == 4  # 2 systems x 2 metrics: one Holm family
    better = comparison.delta("better_model", "score")
    assert better.test.delta == pytest.approx(0.08, abs=0.02)
    assert better.test.delta_ci.low > 0 and better.marker.startswith("*")
    for d in comparison.deltas:
        assert d.p_holm >= d.test.p_value
    assert "clips resampled with replacement" in comparison.resampling
    assert comparison.notes == ()


def test_per_system_intervals_are_the_bootstrap_intervals_on_the_same_resamples(three_runs) -> None:
    runs = [load_run(p) for p in three_runs]
    comparison = compare_runs(runs, n_resamples=300, seed=5)
    pairs = [runs[0].clip_pairs[i] for i in runs[0].item_ids]
    direct = bootstrap_intervals(runs[1].results, n_resamples=300, seed=5, clusters=clusters_for_pairs(pairs))
    assert comparison.intervals["better_model"]["score"] == direct["score"]


def test_item_order_does_not_matter(make_run) -> None:
    clips = acd_like_clips(N)
    a, b = values(0), values(1, 0.02)
    shuffled = np.random.default_rng(3).permutation(N)
    ordered = compare_runs([load_run(make_run("a", a, clips=clips)), load_run(make_run("b", b, clips=clips))])
    mixed = compare_runs(
        [load_run(make_run("a2", a, clips=clips)), load_run(make_run("b2", b, clips=clips, order=shuffled))]
    )
    assert ordered.delta("b", "score").test.delta_ci == mixed.delta("b2", "score").test.delta_ci
    assert ordered.delta("b", "score").test.p_value == mixed.delta("b2", "score").test.p_value


def test_renderings(three_runs) -> None:
    comparison = compare_runs([load_run(p) for p in three_runs], n_resamples=200, baseline=1, test="randomization")
    md = comparison.to_markdown()
    assert "| better_model (baseline) |" in md and "p (Holm)" in md
    assert "approximate randomization" in md and "Holm-Bonferroni adjusted over 4 comparisons" in md
    assert "ignores the clip dependence" in md  # the runs share clips: the output says what the test assumes
    tex = comparison.to_latex()
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"base\_model" in tex and "base_model" not in tex.replace(r"base\_model", "")
    data = json.loads(json.dumps(comparison.to_json()))
    assert data["baseline"] == "better_model" and data["multiple_comparisons"] == "holm"
    assert {c["system"] for c in data["comparisons"]} == {"base_model", "same_model"}
    assert data["systems"][0]["scores"]["score"]["ci"]["level"] == 0.95


def test_cluster_auto_falls_back_to_items_when_no_clip_repeats(make_run) -> None:
    unique = [(f"a{i}.wav", f"b{i}.wav") for i in range(N)]
    runs = [load_run(make_run("a", values(0), clips=unique)), load_run(make_run("b", values(1), clips=unique))]
    comparison = compare_runs(runs, n_resamples=100)
    assert "items resampled with replacement" in comparison.resampling
    assert any("no clip appears in two items" in n for n in comparison.notes)
    assert "clips resampled" not in compare_runs(runs, n_resamples=100, cluster="none").resampling


def test_cluster_clip_needs_clip_paths(make_run) -> None:
    runs = [load_run(make_run("a", values(0))), load_run(make_run("b", values(1)))]
    assert any("clip paths unknown" in n for n in compare_runs(runs, n_resamples=50).notes)
    with pytest.raises(DataError, match="lacks audio1/audio2 clip paths"):
        compare_runs(runs, n_resamples=50, cluster="clip")


def test_different_tasks_are_refused(make_run) -> None:
    runs = [load_run(make_run("a", values(0))), load_run(make_run("b", values(1), dataset="cld"))]
    with pytest.raises(DataError, match=r"runs a and b are on different tasks \(acd-test-tier2 vs cld-evaluation"):
        compare_runs(runs)


def test_different_items_are_refused(make_run) -> None:
    runs = [load_run(make_run("a", values(0))), load_run(make_run("b", values(1)[: N - 3]))]
    with pytest.raises(DataError, match="score different items .*3 only in the first"):
        compare_runs(runs)


def test_different_signatures_are_refused(make_run) -> None:
    runs = [load_run(make_run("a", values(0))), load_run(make_run("b", values(1), signature="mean-v2"))]
    with pytest.raises(DataError, match="metric 'score' was computed differently .*a: mean-v1; b: mean-v2"):
        compare_runs(runs)


def test_metric_selection_and_missing_metrics(make_run) -> None:
    extra = {"only_here": MetricResult("only_here", "x", 0.5, None, mean_stats(np.full(N, 0.5)), "mean")}
    runs = [load_run(make_run("a", values(0), extra=extra)), load_run(make_run("b", values(1)))]
    comparison = compare_runs(runs, n_resamples=50)
    assert comparison.metrics == ("score", "ratio_metric")
    assert any("only_here" in n for n in comparison.notes)
    assert compare_runs(runs, n_resamples=50, metrics=["ratio_metric"]).metrics == ("ratio_metric",)
    with pytest.raises(DataError, match=r"run b \(.*\) has no scores for only_here"):
        compare_runs(runs, metrics=["only_here"])


def test_not_a_run_directory(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="spec.json not found"):
        load_run(tmp_path / "empty")


def test_cli_prints_json_and_writes_output(three_runs, tmp_path, capsys) -> None:
    out_file = tmp_path / "table.json"
    args = ["compare", *map(str, three_runs), "--format", "json", "--n-resamples", "100", "--output", str(out_file)]
    args += ["--baseline", "same_model", "--metrics", "score", "--metrics", "ratio_metric"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out_file.read_text())
    assert printed["baseline"] == "same_model" and printed["n_resamples"] == 100


def test_cli_markdown_and_latex(three_runs, capsys) -> None:
    assert main(["compare", *map(str, three_runs[:2]), "--n-resamples", "50", "--cluster", "none"]) == 0
    assert "items resampled with replacement" in capsys.readouterr().out
    assert main(["compare", *map(str, three_runs[:2]), "--n-resamples", "50", "--format", "latex"]) == 0
    assert r"\begin{tabular}" in capsys.readouterr().out


def test_cli_errors_are_one_line(three_runs, make_run, capsys) -> None:
    assert main(["compare", str(three_runs[0])]) == 2
    assert "at least two run directories" in capsys.readouterr().err
    other = make_run("other", values(0)[:10])
    assert main(["compare", str(three_runs[0]), str(other)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("adiff-bench: error:") and "\n" not in err
    assert main(["compare", *map(str, three_runs[:2]), "--baseline", "nope"]) == 2
    assert "--baseline 'nope' is not one of the runs" in capsys.readouterr().err
