"""Regenerate the leaderboard files from the entries: same entries in, same bytes out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adiff_bench.errors import DataError
from adiff_bench.io_utils import atomic_write_text
from adiff_bench.leaderboard.entries import read_entries
from adiff_bench.leaderboard.ranking import RankingOptions, Table, build_table
from adiff_bench.leaderboard.reported import read_reported

MARKDOWN_FILE = "LEADERBOARD.md"
HTML_FILE = "index.html"


def _renderers() -> dict[str, Callable[[Table], str]]:
    from adiff_bench.leaderboard.render_html import render_html
    from adiff_bench.leaderboard.render_json import render_json
    from adiff_bench.leaderboard.render_latex import render_latex
    from adiff_bench.leaderboard.render_md import render_markdown

    return {"md": render_markdown, "latex": render_latex, "html": render_html, "json": render_json}


def load_table(leaderboard_dir: str | Path, metric: str | None = None, options: RankingOptions | None = None) -> Table:
    folder = Path(leaderboard_dir)
    return build_table(read_entries(folder), read_reported(folder), metric, options)


def render(table: Table, fmt: str) -> str:
    renderers = _renderers()
    if fmt not in renderers:
        raise DataError(f"unknown format {fmt!r}: choose one of {', '.join(renderers)}")
    return renderers[fmt](table)


def regenerate(
    leaderboard_dir: str | Path, metric: str | None = None, options: RankingOptions | None = None
) -> tuple[Table, dict[Path, str]]:
    """Write LEADERBOARD.md and index.html (atomically); returns the table and what was written where."""
    folder = Path(leaderboard_dir)
    table = load_table(folder, metric, options)
    written = {folder / MARKDOWN_FILE: render(table, "md"), folder / HTML_FILE: render(table, "html")}
    for path, text in written.items():
        atomic_write_text(path, text)
    return table, written
