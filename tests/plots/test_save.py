from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from adiff_bench.errors import DataError
from adiff_bench.plots import check_plot_path, forest_figure, save_figure

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fig(hand_rows: list[dict]):
    return forest_figure(hand_rows, baseline="base")


def test_writes_each_format_by_suffix(fig, tmp_path: Path) -> None:
    png = save_figure(fig, tmp_path / "f.png")
    svg = save_figure(fig, tmp_path / "sub" / "f.svg")  # a missing folder is created
    pdf = save_figure(fig, tmp_path / "f.PDF")  # the suffix is read case-blind
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    root = ElementTree.fromstring(svg.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["f.PDF", "f.png", "f.svg"]


@pytest.mark.parametrize("name", ["f.jpg", "f", "f.png.txt", "f.eps"])
def test_refuses_other_suffixes_in_one_line(fig, tmp_path: Path, name: str) -> None:
    with pytest.raises(DataError, match=r"\.png, \.svg or \.pdf") as info:
        save_figure(fig, tmp_path / name)
    assert "\n" not in str(info.value) and str(tmp_path / name) in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_path_is_one_line(fig, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="cannot write the plot") as info:
        save_figure(fig, tmp_path / "file" / "f.png")
    assert "\n" not in str(info.value) and (tmp_path / "file").read_text() == "x"


def test_refuses_an_existing_directory(fig, tmp_path: Path) -> None:
    folder = tmp_path / "plot.svg"
    folder.mkdir()
    with pytest.raises(DataError, match="is a directory"):
        save_figure(fig, folder)
    with pytest.raises(DataError, match="is a directory"):
        check_plot_path(folder)
    assert folder.is_dir() and list(folder.iterdir()) == []


@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".png"])
def test_two_saves_are_byte_identical(hand_rows: list[dict], tmp_path: Path, suffix: str) -> None:
    first = forest_figure(hand_rows, baseline="base")
    a = save_figure(first, tmp_path / f"a{suffix}").read_bytes()
    b = save_figure(first, tmp_path / f"b{suffix}").read_bytes()
    c = save_figure(forest_figure(hand_rows, baseline="base"), tmp_path / f"c{suffix}").read_bytes()
    assert a == b == c
    if suffix == ".svg":
        assert b"<dc:date>" not in a
    if suffix == ".pdf":
        assert b"/CreationDate" not in a


def test_a_failed_render_keeps_the_old_file_and_leaves_no_temp(fig, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "f.svg"
    target.write_text("old")

    def broken(*args, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError):
        save_figure(fig, target)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.svg"]
    monkeypatch.undo()
    save_figure(fig, target)
    assert target.read_bytes().startswith(b"<?xml") and [p.name for p in tmp_path.iterdir()] == ["f.svg"]


def test_rcparams_are_left_as_they_were_and_a_users_usetex_is_ignored(hand_rows: list[dict], tmp_path: Path) -> None:
    import matplotlib

    with matplotlib.rc_context({"text.usetex": True, "svg.fonttype": "path", "lines.linewidth": 7.0}):
        before = dict(matplotlib.rcParams)
        path = save_figure(forest_figure(hand_rows, baseline="base"), tmp_path / "f.svg")
        assert dict(matplotlib.rcParams) == before
    text = path.read_text(encoding="utf-8")
    assert "<text" in text and "BLEU-4" in text  # svg.fonttype none and no LaTeX run, whatever the user set


def test_importing_the_package_imports_no_matplotlib_and_drawing_no_pyplot(tmp_path: Path) -> None:
    code = (
        "import sys, adiff_bench.plots as p; print('matplotlib' in sys.modules); "
        "rows = [p.ForestRow('a', 'm', 0.1, 0.0, 0.2)]; "
        f"p.save_figure(p.forest_figure(rows, baseline='b'), {str(tmp_path / 'f.png')!r}); "
        "print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["False", "True", "False"]
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
