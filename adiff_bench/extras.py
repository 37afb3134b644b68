"""Optional dependencies: the core install is torch-free, and everything heavier comes with an extra.

``require(module, extra=...)`` imports a module that only an extra installs; when it is missing, the
user gets one line naming the extra (``pip install 'adiff-bench[embedding]'``), never a traceback.
The error is both a MetricUnavailable (a metric that needs it reports "unavailable" with that line,
not a number) and a ModelError (a model that needs it stops before anything is generated).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from adiff_bench.errors import MetricUnavailable, ModelError

# What each extra is for (pyproject.toml's [project.optional-dependencies] lists its packages).
EXTRAS: dict[str, str] = {
    "embedding": "Sentence-BERT and BERTScore metrics (torch, transformers, sentence-transformers, bert-score, MiniLM)",
    "adiff": "the ADIFF model and the naive baseline (torch, transformers)",
    "hf": "transformers audio-language models: qwen2-audio, qwen2.5-omni, hf-alm (torch, transformers)",
    "dist": "data-parallel generation under accelerate launch (torch, accelerate)",
    "human": "human-study agreement and plots (krippendorff, matplotlib)",
    "all": "everything above",
}


class MissingExtra(MetricUnavailable, ModelError):
    """A package that an optional extra installs is not importable here."""

    def __init__(self, module: str, extra: str, reason: str | None = None) -> None:
        self.module = module
        self.extra = extra
        detail = f" ({reason})" if reason else ""
        # The extra comes first: reports cut a reason at its first ";" or ". ".
        super().__init__(f"install adiff-bench[{extra}] (the {extra} extra): {module} is not installed{detail}")


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise MissingExtra naming ``extra``. The message names the package that is
    really missing (torch, when sentence-transformers is there without it); a module that exists but fails
    to import (a broken build) gets the same one line, with the first line of the import error."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; known: {', '.join(EXTRAS)}")
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        if isinstance(exc, ModuleNotFoundError) and missing:
            top = missing.split(".")[0]
            needed_by = None if module.split(".")[0] == top else f"needed by {module}"
            raise MissingExtra(top, extra, reason=needed_by) from exc
        first = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise MissingExtra(module, extra, reason=f"importing it failed: {first}".replace(";", ",")) from exc


def available(module: str) -> bool:
    """Whether ``module`` can be found without importing it (cheap, for choosing defaults and skipping)."""
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check(*modules: str, extra: str) -> None:
    """Raise MissingExtra for the first of ``modules`` that is not installed, without importing any of them:
    a model calls this in its constructor so that the run stops before the data is read or anything loads."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; known: {', '.join(EXTRAS)}")
    for module in modules:
        if not available(module):
            raise MissingExtra(module, extra)
