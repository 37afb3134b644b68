"""The metric suite used by ``run`` and ``score``: names, groups, and one call that scores a set of texts.

Lexical metrics reproduce pycocoevalcap (PTB tokenization, BLEU-1..4, METEOR, ROUGE-L, CIDEr-D) exactly;
SPICE/SPIDEr and the embedding metrics come from :mod:`adiff_bench.metrics.spice` and
:mod:`adiff_bench.metrics.embedding`. Java metrics run in threads while the Python ones compute, the
METEOR jar processes start first, on a paraphrase subset (see :mod:`adiff_bench.metrics.meteor`), and
tokenization happens once per call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import importlib
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import ModuleType

from adiff_bench.errors import AdiffBenchError, DataError, MetricUnavailable
from adiff_bench.metrics.base import MetricResult, unavailable
from adiff_bench.metrics.text import normalize_text

BLEU_NAMES = ("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4")
LEXICAL_NAMES = (*BLEU_NAMES, "METEOR", "ROUGE-L", "CIDEr-D")
METRIC_NAMES = (*LEXICAL_NAMES, "SPICE", "SPIDEr", "SBERT", "BERTScore")
METRIC_GROUPS: dict[str, tuple[str, ...]] = {
    "lexical": LEXICAL_NAMES,
    "coco": (*LEXICAL_NAMES, "SPICE", "SPIDEr"),
    "embedding": ("SBERT", "BERTScore"),
    "bleu": BLEU_NAMES,
    "default": METRIC_NAMES,
}
_NEEDS_PTB = frozenset((*LEXICAL_NAMES, "SPICE", "SPIDEr"))


def resolve_metric_names(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"lexical,SBERT"`` → metric names in canonical order; names and groups are case-insensitive."""
    if spec is None:
        return METRIC_NAMES
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    lookup = {name.lower(): (name,) for name in METRIC_NAMES}
    lookup.update({group.lower(): names for group, names in METRIC_GROUPS.items()})
    chosen: set[str] = set()
    for raw in parts:
        part = str(raw).strip()
        if not part:
            continue
        names = lookup.get(part.lower())
        if names is None:
            close = difflib.get_close_matches(part.lower(), list(lookup), n=1, cutoff=0.5)
            hint = ""
            if close:
                canonical = lookup[close[0]]
                hint = f"did you mean {close[0] if len(canonical) > 1 else canonical[0]!r}? "
            raise AdiffBenchError(
                f"unknown metric {part!r} in the metric list; {hint}"
                f"known metrics: {', '.join(METRIC_NAMES)}; groups: {', '.join(METRIC_GROUPS)}"
            )
        chosen.update(names)
    if not chosen:
        raise AdiffBenchError("the metric list is empty; name metrics or groups, e.g. 'lexical' or 'BLEU-4,SBERT'")
    return tuple(name for name in METRIC_NAMES if name in chosen)


def _texts(values: Sequence[str], what: str) -> list[str]:
    out = []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise DataError(f"{what} #{index} is {type(value).__name__}, not text; every {what} must be a string")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise DataError(
                f"{what} #{index} contains {value[exc.start : exc.end]!r}, which is not valid Unicode "
                "(a lone surrogate); fix or remove that character"
            ) from None
        out.append(normalize_text(value))
    return out


def _optional_module(name: str) -> ModuleType | None:
    """The other metric modules may be absent from a build; anything else failing inside them is a bug."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[metrics {time.perf_counter() - self.start:6.1f}s] {message}", file=sys.stderr, flush=True)


def _lexical_tail() -> str:
    from adiff_bench.metrics.jvm import java_version, pycocoevalcap_version

    return f"pycocoevalcap:{pycocoevalcap_version()}|tok:ptb|refs:1|java:{java_version()}"


def _guarded(name: str, signature: str, compute: Callable[[], MetricResult]) -> MetricResult:
    try:
        result = compute()
    except MetricUnavailable as exc:
        return unavailable(name, signature, str(exc))
    return result if result.name == name else dataclasses.replace(result, name=name)


def _spice(tok_hyps: list[str], tok_refs: list[str]) -> MetricResult:
    module = _optional_module("adiff_bench.metrics.spice")
    if module is None:
        return unavailable("SPICE", "SPICE", "adiff_bench.metrics.spice is not part of this installation")
    return _guarded("SPICE", "SPICE", lambda: module.spice_score(tok_hyps, tok_refs))


def _spider(cider: MetricResult, spice: MetricResult) -> MetricResult:
    module = _optional_module("adiff_bench.metrics.spice")
    if module is None or not spice.available:
        return unavailable("SPIDEr", "SPIDEr", f"needs SPICE: {spice.unavailable}")
    return _guarded("SPIDEr", "SPIDEr", lambda: module.spider_score(cider, spice))


def _embedding(name: str, function: str, hyps: list[str], refs: list[str]) -> MetricResult:
    module = _optional_module("adiff_bench.metrics.embedding")
    if module is None:
        return unavailable(name, name, "adiff_bench.metrics.embedding is not part of this installation")
    return _guarded(name, name, lambda: getattr(module, function)(hyps, refs))


def score_texts(
    hypotheses: Sequence[str],
    references: Sequence[str],
    metrics: Sequence[str] | None = None,
    *,
    progress: bool = False,
) -> dict[str, MetricResult]:
    """Score each hypothesis against its one reference; returns the requested metrics in canonical order.

    A metric that cannot run here (no Java, no SPICE jars, no embedding model) comes back unavailable
    with its reason, never as a number.
    """
    names = resolve_metric_names(metrics)
    hyps, refs = _texts(hypotheses, "hypothesis"), _texts(references, "reference")
    if len(hyps) != len(refs):
        raise DataError(
            f"{len(hyps)} hypotheses but {len(refs)} references; scoring needs exactly one reference per item"
        )
    if not hyps:
        raise DataError("there is nothing to score (0 items)")
    say = _Progress(progress)
    results: dict[str, MetricResult] = {}
    futures: dict[str, Future[MetricResult]] = {}
    wanted = set(names) | ({"CIDEr-D", "SPICE"} if "SPIDEr" in names else set())

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="adiff-metrics") as pool:
        if wanted & _NEEDS_PTB:
            from adiff_bench.metrics import bleu, cider, meteor, ngrams, ptb, rouge

            try:
                tail = _lexical_tail()
                if "METEOR" in wanted:
                    meteor.meteor_scorer().prepare()  # its paraphrase index loads while we tokenize
                say(f"PTB-tokenizing {len(hyps)} hypotheses and references")
                tok_hyps, tok_refs = ptb.tokenize_pair(hyps, refs)
            except MetricUnavailable as exc:
                for name in sorted(wanted & _NEEDS_PTB):
                    results[name] = unavailable(name, name, str(exc))
            else:
                if "METEOR" in wanted:
                    scorer = meteor.meteor_scorer()
                    if scorer.index_ready():  # else its thread waits, and the other metrics go first
                        with contextlib.suppress(MetricUnavailable):  # if so, the future below says why
                            # METEOR takes longest: start its jar processes before Python metrics take the GIL
                            scorer.start_for(meteor.score_requests(tok_hyps, tok_refs))
                    futures["METEOR"] = pool.submit(
                        _guarded, "METEOR", "METEOR", lambda: meteor.meteor_score(tok_hyps, tok_refs)
                    )
                if "SPICE" in wanted:
                    futures["SPICE"] = pool.submit(_spice, tok_hyps, tok_refs)
                cooked = None
                if wanted & {*BLEU_NAMES, "CIDEr-D"}:  # one n-gram counting pass for both
                    cooked = (ngrams.precook_all(tok_hyps), ngrams.precook_all(tok_refs))
                if wanted & set(BLEU_NAMES):
                    say("BLEU")
                    stats = bleu.bleu_stats(tok_hyps, tok_refs, cooked)
                    for result in bleu.bleu_results(stats, f"{tail}|bp:closest"):
                        results[result.name] = result
                if "ROUGE-L" in wanted:
                    say("ROUGE-L")
                    results["ROUGE-L"] = rouge.rouge_l_score(tok_hyps, tok_refs, tail)
                if "CIDEr-D" in wanted:
                    say("CIDEr-D")
                    results["CIDEr-D"] = cider.cider_d_score(tok_hyps, tok_refs, tail, cooked)
        if "SBERT" in wanted:
            say("SBERT")
            results["SBERT"] = _embedding("SBERT", "sbert_similarity", hyps, refs)
        if "BERTScore" in wanted:
            say("BERTScore")
            results["BERTScore"] = _embedding("BERTScore", "bertscore_f1", hyps, refs)
        for name, future in futures.items():
            say(f"waiting for {name}")
            results[name] = future.result()
    if "SPIDEr" in wanted:
        results["SPIDEr"] = _spider(results["CIDEr-D"], results["SPICE"])
    say("done")
    return {name: results[name] for name in names}


def prewarm(metrics: Sequence[str] | None) -> None:
    """Load METEOR's paraphrase index now (built once per machine), while a model generates; no-op without Java."""
    if "METEOR" not in resolve_metric_names(metrics):
        return
    try:
        from adiff_bench.metrics.meteor import meteor_scorer

        meteor_scorer().prepare()
    except MetricUnavailable:
        pass  # scoring will report the reason
