"""One drawing context for every plot: matplotlib's default style (a user's matplotlibrc does not change
our figures or their bytes), no LaTeX, SVG text kept as text, a fixed SVG hash salt. Names are drawn
literally: control characters become U+FFFD (an SVG may not hold them) and very long names are cut."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_LABEL = 60

_RC = {
    "text.usetex": False,
    "svg.fonttype": "none",  # text stays <text> (searchable, smaller), escaped by the SVG writer
    "svg.hashsalt": "adiff-bench",  # ids of clip paths etc. do not change from one save to the next
    "pdf.fonttype": 42,
}


@contextmanager
def plot_style() -> Iterator[None]:
    """rcParams for the duration of a drawing or a save; restored on exit."""
    import matplotlib
    import matplotlib.style

    with matplotlib.style.context("default"), matplotlib.rc_context(_RC):
        yield


def new_figure(width: float, height: float) -> Any:
    """A Figure on an Agg canvas, owned by the caller (nothing registered in pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def label(text: object) -> str:
    """A user's name as something safe to draw; pair it with ``parse_math=False`` so ``$x$`` stays ``$x$``."""
    out = "".join("\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in str(text))
    return out if len(out) <= MAX_LABEL else out[: MAX_LABEL - 1] + "…"


def freeze_layout(fig: Any) -> Any:
    """Run the constrained layout once and keep it: left on, it moves axes by a hair on every draw, so two
    saves of one figure would differ (and SVG clip ids with them)."""
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig
