"""What a metric function receives besides the texts: ``fn(hypotheses, references, ctx) -> MetricResult``.

The context computes what several metrics share (PTB tokens, n-gram counts, the lexical signature tail) once
per :func:`~adiff_bench.metrics.suite.score_texts` call, on first use, also when background metrics ask from
their threads; a failure (no Java) is remembered and raised to every metric that asks, which then comes back
unavailable with that reason. It also hands a metric the results of the metrics it declared it needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from adiff_bench.metrics.base import MetricResult
    from adiff_bench.metrics.ngrams import Cooked

T = TypeVar("T")


class ScoringContext:
    """Shared, lazily computed inputs of one scoring call; read-only for metrics.

    ``tokens`` / ``lexical_tail`` may be given (texts already PTB-tokenized, a fixed signature tail): the
    Python lexical metrics then run without Java.
    """

    def __init__(
        self,
        hypotheses: Sequence[str],
        references: Sequence[str],
        *,
        results: Mapping[str, MetricResult | Future[MetricResult]] | None = None,
        on_step: Callable[[str], None] | None = None,
        tokens: tuple[list[str], list[str]] | None = None,
        lexical_tail: str | None = None,
    ) -> None:
        self.hypotheses, self.references = list(hypotheses), list(references)
        self._results = results if results is not None else {}
        self._on_step = on_step
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._memo: dict[str, tuple[bool, Any]] = {}
        if tokens is not None:
            self._memo["tokens"] = (True, tokens)
        if lexical_tail is not None:
            self._memo["lexical_tail"] = (True, lexical_tail)

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per call under ``key`` (its value, or the exception it raised, is kept)."""
        with self._lock:
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:  # one computation per key; other keys stay free meanwhile
            if key not in self._memo:
                try:
                    self._memo[key] = (True, compute())
                except Exception as exc:
                    self._memo[key] = (False, exc)
            ok, value = self._memo[key]
        if not ok:
            raise value
        return value

    def step(self, message: str) -> None:
        """Say what runs now (shown by ``progress=True`` / ``on_progress``)."""
        if self._on_step is not None:
            self._on_step(message)

    @property
    def tokens(self) -> tuple[list[str], list[str]]:
        """(hypotheses, references) PTB-tokenized as pycocoevalcap does, in one Java launch."""

        def tokenize() -> tuple[list[str], list[str]]:
            from adiff_bench.metrics import ptb

            self.step(f"PTB-tokenizing {len(self.hypotheses)} hypotheses and references")
            return ptb.tokenize_pair(self.hypotheses, self.references)

        return self.shared("tokens", tokenize)

    @property
    def ngram_counts(self) -> Cooked:
        """pycocoevalcap's precooked n-gram counts of the tokens: one counting pass for BLEU and CIDEr-D."""
        from adiff_bench.metrics.ngrams import precook_all

        return self.shared("ngram_counts", lambda: (precook_all(self.tokens[0]), precook_all(self.tokens[1])))

    @property
    def lexical_tail(self) -> str:
        """The pycocoevalcap metrics' common signature tail (versions, tokenizer, one reference)."""
        from adiff_bench.metrics.jvm import lexical_signature_tail

        return self.shared("lexical_tail", lexical_signature_tail)

    def result(self, name: str) -> MetricResult:
        """The result of metric ``name``, which the asking metric must list in its ``needs``."""
        try:
            found = self._results[name]
        except KeyError:
            raise KeyError(f"metric {name!r} was not computed; list it in the asking metric's needs") from None
        return found.result() if isinstance(found, Future) else found
