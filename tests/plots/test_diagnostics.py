from __future__ import annotations

import json
import math
from pathlib import Path
from xml.etree import ElementTree

import pytest

from adiff_bench.errors import DataError
from adiff_bench.plots import diagnostic_figure, plot_diagnostic
from adiff_bench.plots.diagnostics import diagnostic_rows
from adiff_bench.plots.save import render_figure

from .conftest import MATH, ODD

TOL = 1e-9


@pytest.fixture
def report_json() -> dict:
    """The shape of DiagnosticReport.to_json(), written by hand."""
    return {
        "task": "synth-test-t1",
        "n_items": 12,
        "attributes": {
            "loudness": {"n_true": 4, "n_stated": 3, "n_correct": 3, "n_detected": 3,
                         "precision": 1.0, "recall": 0.75, "direction_accuracy": 1.0},
            "pitch": {"n_true": 0, "n_stated": 2, "n_correct": 0, "n_detected": 0,
                      "precision": 0.0, "recall": None, "direction_accuracy": None},
            ODD: {"n_true": 3, "n_stated": 0, "n_correct": 0, "n_detected": 0,
                  "precision": None, "recall": 0.0, "direction_accuracy": None},
            MATH: {"n_true": 5, "n_stated": 5, "n_correct": 2, "n_detected": 4,
                   "precision": 0.4, "recall": 0.4, "direction_accuracy": 0.5},
        },
        "identical_pairs": {"n": 2, "n_correct": 1, "no_difference_accuracy": 0.5},
        "swapped_twins": {"n": 1, "n_consistent": 1, "swap_consistency": 1.0},
    }


def _heights(ax) -> list[list[float]]:
    return [[bar.get_height() for bar in container] for container in ax.containers]


def test_bar_heights_are_the_reports_percentages(report_json: dict) -> None:
    fig = diagnostic_figure(report_json)
    (ax,) = fig.axes
    precision, recall = _heights(ax)
    attributes = report_json["attributes"].values()
    expected_p = [100 * (a["precision"] or 0.0) for a in attributes]
    expected_r = [100 * (a["recall"] or 0.0) for a in attributes]
    assert all(math.isclose(h, e, abs_tol=TOL) for h, e in zip(precision, expected_p, strict=True))
    assert all(math.isclose(h, e, abs_tol=TOL) for h, e in zip(recall, expected_r, strict=True))
    assert [c.get_label() for c in ax.containers] == ["precision (correct / stated)", "recall (correct / true)"]
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["100%", "0%", "n/a", "40%", "75%", "n/a", "0%", "40%"]  # undefined ratios say n/a, not 0
    assert ax.get_ylim() == (0.0, 110.0) and ax.get_ylabel() == "percent of pairs"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [
        "loudness\ntrue 4\nstated 3",
        "pitch\ntrue 0\nstated 2",
        f"{ODD}\ntrue 3\nstated 0",
        f"{MATH}\ntrue 5\nstated 5",
    ]
    assert ax.get_title() == (
        "synth-test-t1: stated differences per attribute (12 items)\n"
        "identical pairs judged 'no difference': 1/2; swapped twins flipped consistently: 1/1"
    )


def test_svg_names_drawn_literally(report_json: dict, tmp_path: Path) -> None:
    raw = plot_diagnostic(report_json, tmp_path / "d.svg").read_bytes()
    root = ElementTree.fromstring(raw)
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "script"]
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert ODD in texts and MATH in texts and "loudness" in texts and "percent of pairs" in texts


def test_a_real_report_from_a_tiny_synth_run(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    from adiff_bench.data.synth import ensure_synth
    from adiff_bench.data.tasks import load_task, make_task_spec
    from adiff_bench.diagnostics import diagnose

    data = ensure_synth(tmp_path_factory.mktemp("synth") / "s", seed=0, n_pairs=10)
    task = load_task(make_task_spec("synth", 3), data_dir=data)
    items = list(task.items)
    # references for half the items, a fixed wrong claim for the rest: precision and recall below 100 %
    predictions = {
        item.item_id: item.reference if i % 2 == 0 else "Audio 1 is louder and brighter."
        for i, item in enumerate(items)
    }
    report = diagnose(task, predictions)
    fig = diagnostic_figure(report)
    (ax,) = fig.axes
    precision, recall = _heights(ax)
    for score, p, r in zip(report.attributes, precision, recall, strict=True):
        assert math.isclose(p, 100 * (score.precision or 0.0), abs_tol=TOL)
        assert math.isclose(r, 100 * (score.recall or 0.0), abs_tol=TOL)
    assert len(precision) == len(report.attributes)
    assert any(0 < h < 100 for h in precision + recall)
    # the JSON `diagnose --format json` writes plots the same, byte for byte
    assert render_figure(diagnostic_figure(json.loads(json.dumps(report.to_json()))), ".pdf") == render_figure(
        fig, ".pdf"
    )
    png = plot_diagnostic(report, tmp_path / "d.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.pop("attributes"), "no 'attributes' mapping"),
        (lambda r: r["attributes"].clear(), "lists no attributes"),
        (lambda r: r["attributes"]["loudness"].update(precision=1.5), "'loudness' precision"),
        (lambda r: r["attributes"]["pitch"].update(n_true=-1), "'pitch' n_true"),
        (lambda r: r["attributes"].update(noise=[1, 2]), "'noise': expected an object"),
        (
            lambda r: r["attributes"].update({f"a{i}": r["attributes"]["pitch"] for i in range(97)}),
            "101 attributes",
        ),
    ],
)
def test_bad_reports_are_one_line(report_json: dict, mutate, message: str) -> None:
    mutate(report_json)
    with pytest.raises(DataError, match=message) as info:
        diagnostic_figure(report_json)
    assert "\n" not in str(info.value)


def test_rows_read_from_json(report_json: dict) -> None:
    data = diagnostic_rows(report_json)
    assert data.identical == (1, 2) and data.twins == (1, 1) and data.n_items == 12
    first_two = [(b.attribute, b.precision, b.recall) for b in data.bars][:2]
    assert first_two == [("loudness", 1.0, 0.75), ("pitch", 0.0, None)]
