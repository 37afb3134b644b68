"""Write a figure by its path's suffix (.png, .svg, .pdf), atomically and with reproducible bytes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from adiff_bench.errors import DataError

PLOT_SUFFIXES = (".png", ".svg", ".pdf")

# No dates in the files: two saves of the same figure are byte-identical.
_METADATA = {".png": {}, ".svg": {"Date": None}, ".pdf": {"CreationDate": None, "ModDate": None}}


def check_plot_path(path: Path | str) -> Path:
    """The plot path, checked before anything is computed: a known suffix, not an existing directory."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        shown = f"suffix {path.suffix!r}" if path.suffix else "no suffix"
        raise DataError(f"{path}: cannot write a plot with {shown}; name the file .png, .svg or .pdf")
    if path.is_dir():
        raise DataError(f"{path}: is a directory; give a file name ending in .png, .svg or .pdf")
    return path


def render_figure(fig: Any, suffix: str, *, dpi: int = 150) -> bytes:
    """The figure's bytes in the format of ``suffix``; deterministic for the same figure."""
    from adiff_bench.plots.style import plot_style

    suffix = suffix.lower()
    if suffix not in _METADATA:
        raise DataError(f"cannot render a plot as {suffix!r}; use .png, .svg or .pdf")
    buffer = io.BytesIO()
    with plot_style():
        fig.savefig(
            buffer, format=suffix[1:], dpi=dpi, bbox_inches="tight", pad_inches=0.1, metadata=_METADATA[suffix]
        )
    return buffer.getvalue()


def save_figure(fig: Any, path: Path | str, *, dpi: int = 150) -> Path:
    """Render first, then write through a temporary file in the same folder and ``os.replace``: a failed
    render leaves an existing file untouched, and no reader sees half a plot."""
    from adiff_bench.io_utils import atomic_write_bytes

    path = check_plot_path(path)
    data = render_figure(fig, path.suffix, dpi=dpi)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:  # a parent that is a file, a read-only folder, a full disk
        raise DataError(f"{path}: cannot write the plot ({exc.strerror or exc}); choose another path") from exc
    return path
