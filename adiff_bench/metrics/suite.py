"""The metric suite used by ``run`` and ``score``: one table of metrics, and one call that scores a set of texts.

Each entry of :data:`METRICS` says how its metric is computed — ``fn(hypotheses, references, ctx)``, which
returns a :class:`MetricResult` with its own signature — the groups it belongs to, and what it needs (PTB
tokens, other metrics' results; see :class:`~adiff_bench.metrics.context.ScoringContext`). Names, groups and
the order of results all come from the table; :func:`register_metric` adds a metric.

Lexical metrics reproduce pycocoevalcap (PTB tokenization, BLEU-1..4, METEOR, ROUGE-L, CIDEr-D) exactly;
SPICE/SPIDEr and the embedding metrics come from :mod:`adiff_bench.metrics.spice` and
:mod:`adiff_bench.metrics.embedding`. Java metrics run in threads while the Python ones compute, the
METEOR jar processes start first (see :mod:`adiff_bench.metrics.meteor`), and tokenization happens once per call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import importlib
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import ModuleType
from typing import Any

from adiff_bench.errors import AdiffBenchError, DataError, MetricUnavailable
from adiff_bench.metrics import bleu, cider, meteor, rouge
from adiff_bench.metrics.base import MetricResult, unavailable
from adiff_bench.metrics.context import ScoringContext
from adiff_bench.metrics.text import normalize_text

MetricFn = Callable[[list[str], list[str], ScoringContext], MetricResult]
ProgressFn = Callable[[str, int, int], None]


@dataclasses.dataclass(frozen=True)
class MetricDef:
    """One metric of the suite: how it is computed and what it needs.

    ``fn`` may be ``"module:function"``, imported on first use; a module missing from this installation
    makes the metric unavailable, with that reason.
    """

    fn: MetricFn | str
    groups: tuple[str, ...] = ()  # besides "default", which holds every metric
    needs_tokens: bool = False  # reads ctx.tokens: tokenized first, once, before anything is started
    needs: tuple[str, ...] = ()  # metrics (earlier in the table) whose results it reads with ctx.result
    background: bool = False  # runs in a worker thread (it waits on Java) while the Python metrics compute
    warm: Callable[[], None] | None = None  # starts slow one-time set-up early: in prewarm() and before tokenizing
    start: Callable[[list[str], list[str], ScoringContext], None] | None = None  # just before going to background


_LEXICAL = ("lexical", "coco")
METRICS: dict[str, MetricDef] = {
    **{f"BLEU-{n}": MetricDef(bleu.bleu(n), (*_LEXICAL, "bleu"), needs_tokens=True) for n in range(1, 5)},
    "METEOR": MetricDef(
        meteor.score, _LEXICAL, needs_tokens=True, background=True, warm=meteor.warm, start=meteor.start
    ),
    "ROUGE-L": MetricDef(rouge.score, _LEXICAL, needs_tokens=True),
    "CIDEr-D": MetricDef(cider.score, _LEXICAL, needs_tokens=True),
    # SPICE/SPIDEr and the embedding metrics live in optional modules, imported when first used
    "SPICE": MetricDef(lambda hyps, refs, ctx: _spice(*ctx.tokens), ("coco",), needs_tokens=True, background=True),
    "SPIDEr": MetricDef("adiff_bench.metrics.spice:spider", ("coco",), needs=("CIDEr-D", "SPICE")),
    "SBERT": MetricDef("adiff_bench.metrics.embedding:sbert_similarity", ("embedding",)),
    "BERTScore": MetricDef("adiff_bench.metrics.embedding:bertscore_f1", ("embedding",)),
}


def metric_groups() -> dict[str, tuple[str, ...]]:
    """Group name → its metrics in table order; ``default`` is every metric."""
    groups: dict[str, list[str]] = {}
    for name, definition in METRICS.items():
        for group in definition.groups:
            groups.setdefault(group, []).append(name)
    return {**{group: tuple(names) for group, names in groups.items()}, "default": tuple(METRICS)}


_DERIVED: dict[str, Callable[[], Any]] = {
    "METRIC_NAMES": lambda: tuple(METRICS),
    "METRIC_GROUPS": metric_groups,
    "LEXICAL_NAMES": lambda: metric_groups()["lexical"],
    "BLEU_NAMES": lambda: metric_groups()["bleu"],
}


def __getattr__(attribute: str) -> Any:
    """``METRIC_NAMES``, ``METRIC_GROUPS``, ``LEXICAL_NAMES``, ``BLEU_NAMES``: read from the table when asked."""
    if attribute in _DERIVED:
        return _DERIVED[attribute]()
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


def register_metric(name: str, definition: MetricDef) -> None:
    """Add a metric to the table: it is then resolved by name and group, scored, and part of ``default``."""
    groups = metric_groups()
    taken = {key.lower() for key in (*METRICS, *groups)}
    clash = [key for key in (name, *definition.groups) if key.lower() in {n.lower() for n in METRICS}]
    if name.lower() in taken or clash or not name.strip() or "," in name:
        raise AdiffBenchError(f"cannot register metric {name!r}: the name or one of its groups is taken or invalid")
    missing = [need for need in definition.needs if need not in METRICS]
    if missing or (definition.background and definition.needs):
        raise AdiffBenchError(
            f"metric {name!r} needs {', '.join(definition.needs)}: register those first, and run it in the foreground"
        )
    METRICS[name] = definition


def resolve_metric_names(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"lexical,SBERT"`` → metric names in canonical order; names and groups are case-insensitive."""
    if spec is None:
        return tuple(METRICS)
    groups = metric_groups()
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    lookup = {name.lower(): (name,) for name in METRICS}
    lookup.update({group.lower(): names for group, names in groups.items()})
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
                f"known metrics: {', '.join(METRICS)}; groups: {', '.join(groups)}"
            )
        chosen.update(names)
    if not chosen:
        raise AdiffBenchError("the metric list is empty; name metrics or groups, e.g. 'lexical' or 'BLEU-4,SBERT'")
    return tuple(name for name in METRICS if name in chosen)


def _with_needs(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` and every metric they need, in table order (a metric's needs come before it)."""
    wanted = set(names)
    for name in reversed(list(METRICS)):
        if name in wanted:
            wanted.update(METRICS[name].needs)
    return tuple(name for name in METRICS if name in wanted)


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


def _guarded(name: str, signature: str, compute: Callable[[], MetricResult]) -> MetricResult:
    try:
        result = compute()
    except MetricUnavailable as exc:
        return unavailable(name, signature, str(exc))
    return result if result.name == name else dataclasses.replace(result, name=name)


def _call(name: str, fn: Callable[..., MetricResult] | str, *args: Any) -> MetricResult:
    """``fn(*args)`` as metric ``name``: unavailable with the reason if it cannot run here."""
    if isinstance(fn, str):
        module_name, _, function = fn.partition(":")
        module = _optional_module(module_name)
        if module is None:
            return unavailable(name, name, f"{module_name} is not part of this installation")
        fn = getattr(module, function)
    return _guarded(name, name, lambda: fn(*args))


def _spice(tokenized_hypotheses: list[str], tokenized_references: list[str]) -> MetricResult:
    return _call("SPICE", "adiff_bench.metrics.spice:spice_score", tokenized_hypotheses, tokenized_references)


class _Progress:
    """Each step to stderr (``progress=True``) and to ``on_progress(step, metrics done, metrics in all)``."""

    def __init__(self, total: int, to_stderr: bool, callback: ProgressFn | None) -> None:
        self.total, self.done, self.to_stderr, self.callback = total, 0, to_stderr, callback
        self.start = time.perf_counter()
        self._lock = threading.Lock()

    def step(self, message: str) -> None:
        if self.to_stderr:
            elapsed = time.perf_counter() - self.start  # how long, and how far: metrics done of those asked for
            print(f"[metrics {elapsed:6.1f}s {self.done}/{self.total}] {message}", file=sys.stderr, flush=True)
        if self.callback is not None:
            self.callback(message, self.done, self.total)

    def compute(self, name: str, definition: MetricDef, ctx: ScoringContext) -> MetricResult:
        result = _call(name, definition.fn, ctx.hypotheses, ctx.references, ctx)
        with self._lock:
            self.done += 1
        return result


def score_texts(
    hypotheses: Sequence[str],
    references: Sequence[str],
    metrics: Sequence[str] | None = None,
    *,
    progress: bool = False,
    on_progress: ProgressFn | None = None,
) -> dict[str, MetricResult]:
    """Score each hypothesis against its one reference; returns the requested metrics in canonical order.

    A metric that cannot run here (no Java, no SPICE jars, no embedding model) comes back unavailable
    with its reason, never as a number. ``on_progress(step, done, total)`` hears each step as it begins
    (a metric's name, "PTB-tokenizing …", "waiting for METEOR", finally "done"), with how many of the
    ``total`` metrics to compute are finished; ``progress=True`` prints the steps to stderr.
    """
    names = resolve_metric_names(metrics)
    hyps, refs = _texts(hypotheses, "hypothesis"), _texts(references, "reference")
    if len(hyps) != len(refs):
        raise DataError(
            f"{len(hyps)} hypotheses but {len(refs)} references; scoring needs exactly one reference per item"
        )
    if not hyps:
        raise DataError("there is nothing to score (0 items)")
    plan = {name: METRICS[name] for name in _with_needs(names)}
    say = _Progress(len(plan), progress, on_progress)
    results: dict[str, MetricResult | Future[MetricResult]] = {}
    ctx = ScoringContext(hyps, refs, results=results, on_step=say.step)
    for definition in plan.values():
        if definition.warm is not None:
            with contextlib.suppress(MetricUnavailable):  # scoring says why
                definition.warm()  # e.g. METEOR's paraphrase index loads while we tokenize
    if any(definition.needs_tokens for definition in plan.values()):
        with contextlib.suppress(MetricUnavailable):  # each metric that needs the tokens says why
            ctx.tokens  # noqa: B018 - computed once, here, before any thread starts
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="adiff-metrics") as pool:
        for name, definition in plan.items():
            if definition.background:
                if definition.start is not None:
                    with contextlib.suppress(MetricUnavailable):  # the metric itself says why
                        definition.start(hyps, refs, ctx)
                results[name] = pool.submit(say.compute, name, definition, ctx)
        foreground = [name for name, definition in plan.items() if not definition.background]
        for name in [name for name in foreground if not plan[name].needs]:
            say.step(name)
            results[name] = say.compute(name, plan[name], ctx)
        for name, value in list(results.items()):
            if isinstance(value, Future):
                say.step(f"waiting for {name}")
                results[name] = value.result()
        for name in [name for name in foreground if plan[name].needs]:
            say.step(name)
            results[name] = say.compute(name, plan[name], ctx)
    say.step("done")
    return {name: results[name] for name in names}  # type: ignore[misc]


def prewarm(metrics: Sequence[str] | None) -> None:
    """Start slow one-time set-up now, while a model generates (METEOR's paraphrase index, built once per
    machine); never fails: scoring reports what cannot run."""
    for name in _with_needs(resolve_metric_names(metrics)):
        warm = METRICS[name].warm
        if warm is not None:
            with contextlib.suppress(MetricUnavailable):
                warm()
