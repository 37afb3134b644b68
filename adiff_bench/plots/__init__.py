"""Figures people would rather look at than read: a forest plot of paired differences (``compare --plot``)
and per-attribute precision/recall bars (``diagnose --plot``), saved as PNG, SVG or PDF.

Importing this package imports no matplotlib: each function imports it when called, draws on its own
``Figure`` (Agg canvas, no pyplot, no open-figure registry) and leaves the global rcParams as they were.
"""

from adiff_bench.plots.diagnostics import diagnostic_figure, plot_diagnostic
from adiff_bench.plots.forest import ForestRow, forest_figure, forest_rows, plot_comparison
from adiff_bench.plots.save import PLOT_SUFFIXES, check_plot_path, save_figure

__all__ = [
    "PLOT_SUFFIXES",
    "ForestRow",
    "check_plot_path",
    "diagnostic_figure",
    "forest_figure",
    "forest_rows",
    "plot_comparison",
    "plot_diagnostic",
    "save_figure",
]
