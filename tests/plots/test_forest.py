from __future__ import annotations

import json
import math
from pathlib import Path
from xml.etree import ElementTree

import pytest

from adiff_bench.compare import Comparison
from adiff_bench.errors import DataError
from adiff_bench.plots import ForestRow, forest_figure, forest_rows, plot_comparison
from adiff_bench.plots.save import render_figure

from .conftest import MATH, ODD

TOL = 1e-9
SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def _panels(fig) -> list:
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]


def _errorbars(ax) -> list:
    from matplotlib.container import ErrorbarContainer

    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def _svg_texts(data: bytes) -> list[str]:
    return ["".join(t.itertext()) for t in ElementTree.fromstring(data).iter(SVG_TEXT)]


def test_one_panel_per_metric_one_error_bar_per_defined_row(hand_rows: list[dict]) -> None:
    fig = forest_figure(hand_rows, baseline="base")
    panels = _panels(fig)
    assert [ax.get_title() for ax in panels] == ["BLEU-4", "CIDEr"]
    for ax in panels:
        assert ax.get_xlabel() == "difference vs base (×100)"
        rows = [r for r in hand_rows if r["metric"] == ax.get_title() and r["delta"] is not None]
        bars = _errorbars(ax)
        assert len(bars) == len(rows)
        for bar, row in zip(bars, rows, strict=True):
            marker_line, _caps, (segments,) = bar.lines
            assert math.isclose(marker_line.get_xdata()[0], row["delta"] * 100, abs_tol=TOL)
            (lo, y0), (hi, y1) = segments.get_segments()[0]
            assert math.isclose(lo, row["ci_low"] * 100, abs_tol=TOL)
            assert math.isclose(hi, row["ci_high"] * 100, abs_tol=TOL)
            assert y0 == y1 == ["alpha", ODD, MATH].index(row["system"])
            filled = marker_line.get_markerfacecolor() != "white"
            assert filled == (row["p_adjusted"] < 0.05)
        zero = [line for line in ax.get_lines() if list(line.get_xdata()) == [0, 0]]
        assert len(zero) == 1  # the zero line
    cidr = panels[1]
    texts = [t.get_text() for t in cidr.texts]
    assert "***" in texts and "n/a" in texts  # the star of the significant row, the undefined row said so
    assert [t.get_text() for t in panels[0].get_yticklabels()] == ["alpha", ODD, MATH]
    assert fig.get_suptitle() == "paired differences vs base with CI"


def test_a_real_comparison_is_drawn_as_computed(comparison: Comparison, tmp_path: Path) -> None:
    fig = forest_figure(comparison)
    panels = _panels(fig)
    assert [ax.get_title() for ax in panels] == list(comparison.metrics)
    for ax in panels:
        bars = _errorbars(ax)
        assert len(bars) == len(comparison.systems) - 1
        for bar, system in zip(bars, ["better", "same"], strict=True):
            d = comparison.delta(system, ax.get_title())
            marker_line, _caps, (segments,) = bar.lines
            assert math.isclose(marker_line.get_xdata()[0], d.test.delta * 100, abs_tol=TOL)
            (lo, _), (hi, _) = segments.get_segments()[0]
            assert math.isclose(lo, d.test.delta_ci.low * 100, abs_tol=TOL)
            assert math.isclose(hi, d.test.delta_ci.high * 100, abs_tol=TOL)
            assert (marker_line.get_markerfacecolor() != "white") == (d.p_holm < 0.05)
    assert comparison.delta("better", "score").p_holm < 0.05 and comparison.delta("same", "score").p_holm > 0.05
    assert fig.get_suptitle() == "acd-test: paired differences vs base with 95% CI (40 items)"
    # what `compare --format json` writes plots the same, byte for byte
    reread = json.loads(json.dumps(comparison.to_json()))
    assert render_figure(forest_figure(reread), ".svg") == render_figure(fig, ".svg")
    path = plot_comparison(comparison, tmp_path / "forest.svg")
    texts = _svg_texts(path.read_bytes())
    assert {"better", "same", "score", "other", "difference vs base (×100)"} <= set(texts)


def test_odd_names_are_drawn_literally_and_escaped(hand_rows: list[dict], tmp_path: Path) -> None:
    hand_rows[0] = {**hand_rows[0], "system": "tab\there\x00nul"}
    path = plot_comparison(hand_rows, tmp_path / "odd.svg", baseline="$b$ & <base>")
    raw = path.read_bytes()
    root = ElementTree.fromstring(raw)  # still well-formed XML with a NUL in a name
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "script"]
    assert b"<script>" not in raw and b"&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    texts = _svg_texts(raw)
    assert ODD in texts and MATH in texts  # mathtext would have drawn "x2" glyph by glyph
    assert "tab\ufffdhere\ufffdnul" in texts
    assert "difference vs $b$ & <base> (×100)" in texts
    fig = forest_figure(hand_rows, baseline="$b$")
    assert all(not t.get_parse_math() for t in fig.axes[0].get_yticklabels())


def test_long_names_are_cut() -> None:
    fig = forest_figure([ForestRow("s" * 200, "m", 0.1, 0.0, 0.2)], baseline="b")
    (label,) = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(label) == 60 and label.endswith("…")


def test_marker_stands_in_for_a_missing_p_value() -> None:
    rows = [ForestRow("a", "m", 0.1, 0.05, 0.15, None, "**"), ForestRow("b", "m", 0.1, -0.05, 0.25)]
    assert [r.significant for r in rows] == [True, False]
    bars = _errorbars(forest_figure(rows, baseline="base").axes[0])
    assert [b.lines[0].get_markerfacecolor() != "white" for b in bars] == [True, False]


def test_an_undefined_ci_draws_the_point_alone() -> None:
    fig = forest_figure([ForestRow("a", "m", 0.1, math.nan, math.nan, 0.01, "*")], baseline="b")
    (bar,) = _errorbars(fig.axes[0])
    marker_line, caps, bars = bar.lines
    assert math.isclose(marker_line.get_xdata()[0], 10.0, abs_tol=TOL) and caps == () and bars == ()
    assert [t.get_text() for t in fig.axes[0].texts] == ["*"]


def test_many_metrics_wrap_to_three_panels_a_line() -> None:
    rows = [ForestRow("a", f"m{i}", 0.01 * i, 0.0, 0.02 * i) for i in range(5)]
    fig = forest_figure(rows, baseline="b")
    assert len(_panels(fig)) == 5 and len(fig.axes) == 6 and not fig.axes[5].get_visible()


@pytest.mark.parametrize(
    ("source", "kwargs", "message"),
    [
        ([], {"baseline": "b"}, "nothing to plot"),
        ([{"system": "a", "metric": "m"}], {"baseline": "b"}, "comparison row 0: missing 'delta'"),
        ([{"system": "a", "metric": "m", "delta": "big"}], {"baseline": "b"}, "comparison row 0 delta"),
        ([ForestRow("a", "m", 0.1, 0.0, 0.2)], {}, "needs the baseline"),
        ({"baseline": "b"}, {}, "no 'comparisons' list"),
        ({"comparisons": []}, {}, "names no 'baseline'"),
        ([ForestRow(f"s{i}", "m", 0.0, 0.0, 0.0) for i in range(101)], {"baseline": "b"}, "101 systems"),
    ],
)
def test_bad_input_is_one_line(source, kwargs: dict, message: str) -> None:
    with pytest.raises(DataError, match=message) as info:
        forest_figure(source, **kwargs)
    assert "\n" not in str(info.value)


def test_rows_keep_the_comparisons_numbers(comparison: Comparison) -> None:
    data = forest_rows(comparison)
    assert data.baseline == "base" and data.level == 0.95 and len(data.rows) == len(comparison.deltas)
    first = comparison.deltas[0]
    assert data.rows[0] == ForestRow(
        first.test.system, first.test.metric, first.test.delta, first.test.delta_ci.low, first.test.delta_ci.high,
        first.p_holm, first.marker,
    )


def test_an_interval_collapsed_onto_the_difference_is_drawn() -> None:
    """A constant shift gives CI bounds equal to the difference up to rounding; x - lo may be -1e-15."""
    delta = 0.1 + 0.2  # 0.30000000000000004
    fig = forest_figure([ForestRow("a", "m", delta, 0.3, 0.3, 0.001, "***")], baseline="b")
    (bar,) = _errorbars(fig.axes[0])
    assert math.isclose(bar.lines[0].get_xdata()[0], 30.0, abs_tol=TOL)
