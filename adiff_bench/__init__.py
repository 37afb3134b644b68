"""adiff-bench: the evaluation harness for audio difference explanation.

Importing the package is cheap: heavy dependencies (torch, transformers, Java metrics) are
imported only by the modules that need them, when they are used.
"""

__version__ = "0.1.0"


def __getattr__(name: str):  # noqa: ANN202 - the lazily imported object
    """``adiff_bench.load_runs`` without importing pandas when the package is imported."""
    if name == "load_runs":
        from adiff_bench.runs.table import load_runs

        return load_runs
    raise AttributeError(f"module 'adiff_bench' has no attribute {name!r}")
