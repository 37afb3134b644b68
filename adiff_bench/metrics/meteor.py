"""METEOR 1.5 exactly as pycocoevalcap computes it, through long-lived jar processes started in under a second.

pycocoevalcap starts ``meteor-1.5.jar -stdio`` for every ``Meteor()`` (about 6 s, mostly reading the
5.27-million-pair paraphrase table) and sends one SCORE line per item, waiting for each answer. Here
the jar is given only the paraphrase pairs the request can use (:mod:`meteor_paraphrase`: identical
scores, a start of well under a second), large requests are split over two jar processes scoring in
parallel, the processes live as long as the Python process, and all SCORE lines are streamed at once.
The numbers are the jar's: per-item statistics from SCORE, per-item scores from EVAL over each
process's statistics, the corpus score from EVAL over all of them — or, with two processes, over their
sum, which the jar aggregates identically (:func:`corpus_statistics_line`). The statistics are kept as
additive stats so bootstrap resampling recomputes corpus METEOR in Python (:func:`reducers.meteor_from_stats`).

``ADIFF_BENCH_METEOR_FULL_TABLE=1`` makes the jar load the whole table, as pycocoevalcap does.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from adiff_bench.errors import MetricUnavailable
from adiff_bench.metrics import meteor_paraphrase
from adiff_bench.metrics.base import MetricResult
from adiff_bench.metrics.jvm import java_executable, lexical_signature_tail, pycocoevalcap_file
from adiff_bench.metrics.reducers import METEOR_STAGES
from adiff_bench.metrics.tempdirs import private_tempdir

if TYPE_CHECKING:
    from adiff_bench.metrics.context import ScoringContext

METEOR_JAR = "meteor/meteor-1.5.jar"
METEOR_ARGS = ("-", "-", "-stdio", "-l", "en", "-norm")  # as pycocoevalcap.meteor.meteor.Meteor
METEOR_HEAP = "-Xmx2G"
PARAPHRASE_TABLE = "meteor/data/paraphrase-en.gz"
FULL_TABLE_ENV = "ADIFF_BENCH_METEOR_FULL_TABLE"
# A subset-table jar runs for seconds: C2 compilation would cost more CPU than it saves (measured: two
# processes on 2 cores 4.2 s with C1 only vs 9.5 s by default); Java 17 floating point is strict, so the
# compiler tier cannot change a number.
SUBSET_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
PARALLEL_FROM = 1000  # items; below this one jar process answers faster than two start
REDUCER = "meteor-1.5"


def meteor_signature() -> str:
    return f"METEOR|{lexical_signature_tail()}|meteor:1.5|lang:en|norm|stats:summed-segment-stats"


def score_line(tokenized_hypothesis: str, tokenized_reference: str) -> str:
    """The SCORE request pycocoevalcap's ``Meteor._stat`` builds (hypothesis cleaned, reference as is)."""
    hypothesis = tokenized_hypothesis.replace("|||", "").replace("  ", " ")
    return " ||| ".join(("SCORE", tokenized_reference, hypothesis))


def parse_stats(line: str) -> np.ndarray:
    """One jar statistics line → a METEOR_STATS row (see reducers.METEOR_STATS)."""
    values = [float(v) for v in line.split()]
    expected = 4 + 4 * METEOR_STAGES + 3
    if len(values) != expected:
        raise MetricUnavailable(
            f"unexpected METEOR statistics line ({len(values)} numbers, expected {expected}): {line!r}"
        )
    tl, rl, tfw, rfw = values[:4]
    stages = [values[4 + 4 * i : 8 + 4 * i] for i in range(METEOR_STAGES)]  # test/ref content, test/ref function
    chunks, test_words, ref_words = values[-3:]
    test_total = ref_total = 0.0
    for test_content, ref_content, test_function, ref_function in stages:
        test_total += test_content + test_function
        ref_total += ref_content + ref_function
    if test_total == tl and ref_total == rl and chunks == 1:
        chunks = 0.0
    return np.array(
        [
            tl,
            rl,
            tfw,
            rfw,
            test_total,
            ref_total,
            *(s[0] for s in stages),
            *(s[1] for s in stages),
            *(s[2] for s in stages),
            *(s[3] for s in stages),
            chunks,
            test_words,
            ref_words,
        ],
        dtype=np.float64,
    )


class MeteorProcess:
    """One ``meteor-1.5.jar -stdio`` process; thread-safe, restarted if it died."""

    def __init__(
        self, java: str, jar: Path, paraphrase_table: Path | None = None, jvm_options: Sequence[str] = ()
    ) -> None:
        self.paraphrase_table, self.jvm_options = paraphrase_table, tuple(jvm_options)
        table_args = ("-a", str(paraphrase_table)) if paraphrase_table is not None else ()
        self._cmd = [java, *self.jvm_options, "-jar", METEOR_HEAP, str(jar), *METEOR_ARGS, *table_args]
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._owner = os.getpid()

    def start(self) -> None:
        """Start the JVM now (it loads its tables while the caller does other work); returns at once."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        if self._owner != os.getpid():  # a forked child must not talk over its parent's pipes
            self._proc, self._stderr, self._owner = None, None, os.getpid()
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._close_locked()
        self._stderr = tempfile.TemporaryFile(prefix="adiff-meteor-")
        try:
            self._proc = subprocess.Popen(self._cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        except OSError as exc:
            raise MetricUnavailable(f"could not start METEOR ({exc}); check the Java installation") from exc
        return self._proc

    def _failure(self, what: str) -> MetricUnavailable:
        detail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            detail = ": " + " / ".join(lines[-3:]) if lines else ""
        self._close_locked()
        return MetricUnavailable(f"the METEOR jar stopped while {what}{detail}")

    def _exchange(self, payload: bytes, n_lines: int, what: str) -> list[str]:
        """Stream ``payload`` from a writer thread while reading ``n_lines`` answers (no pipe deadlock)."""
        proc = self._ensure_started()
        assert proc.stdin is not None and proc.stdout is not None
        stdin = proc.stdin
        errors: list[BaseException] = []

        def write() -> None:
            try:
                stdin.write(payload)
                stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                errors.append(exc)

        writer = threading.Thread(target=write, name="adiff-meteor-writer", daemon=True)
        writer.start()
        answers = []
        for _ in range(n_lines):
            line = proc.stdout.readline()
            if not line:
                writer.join(timeout=5)
                raise self._failure(what)
            answers.append(line.decode("utf-8").strip())
        writer.join()
        if errors:
            raise self._failure(what)
        return answers

    def statistics(self, requests: Sequence[str]) -> list[str]:
        """One statistics line per SCORE request (each request one line, without its newline)."""
        payload = "".join(f"{r}\n" for r in requests).encode("utf-8")
        with self._lock:
            return self._exchange(payload, len(requests), "computing statistics")

    def evaluate(self, stats: Sequence[str]) -> tuple[list[float], float]:
        """(per-item scores, corpus score) from the jar's EVAL over all statistics lines, as pycocoevalcap."""
        eval_line = "EVAL" + "".join(f" ||| {s}" for s in stats) + "\n"
        with self._lock:
            answers = self._exchange(eval_line.encode("utf-8"), len(stats) + 1, "scoring")
        try:
            scores = [float(a) for a in answers]
        except ValueError as exc:
            raise MetricUnavailable(f"METEOR returned a non-numeric score ({exc})") from exc
        return scores[:-1], scores[-1]

    def _close_locked(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def close(self) -> None:
        with self._lock:
            if self._owner != os.getpid():  # never kill the parent's JVM from a forked child
                self._proc, self._stderr = None, None
                return
            self._close_locked()


class MeteorScorer:
    """This process's METEOR: jar processes fed a paraphrase subset that covers every request so far.

    A request whose words the current subset already covers reuses the running processes; otherwise a
    subset for the union of all words seen is cut and the processes restart on it (under a second).
    Without a usable paraphrase index (or with ``ADIFF_BENCH_METEOR_FULL_TABLE=1``) one process loads
    the whole table, as pycocoevalcap does.
    """

    def __init__(self, java: str, jar: Path, table: Path) -> None:
        self._java, self._jar, self._table = java, jar, table
        self._lock = threading.Lock()
        self._index_thread: threading.Thread | None = None
        self._index: meteor_paraphrase.ParaphraseIndex | None = None
        self._index_problem: str | None = None
        self._covered: set[str] | None = set()  # words the running subset covers; None: the whole table
        self._workers: list[MeteorProcess] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._generation = 0
        self._last_words: tuple[list[str], set[str]] | None = None

    @property
    def uses_full_table(self) -> bool:
        return os.environ.get(FULL_TABLE_ENV, "").strip().lower() in {"1", "true", "yes"}

    def prepare(self) -> None:
        """Load (or, once per machine, build) the paraphrase index in the background — or, for the whole
        table, start its jar process; returns at once."""
        with self._lock:
            self._prepare_locked()

    def _prepare_locked(self) -> None:
        if self.uses_full_table and not self._workers:
            self._covered = None
            self._restart(None, 1)  # the whole table loads for seconds: start now, as before any request
        if self._index_thread is None and not self.uses_full_table:
            self._index_thread = threading.Thread(target=self._load_index, name="adiff-meteor-index", daemon=True)
            self._index_thread.start()

    def _load_index(self) -> None:
        try:
            self._index = meteor_paraphrase.paraphrase_index(self._table, meteor_paraphrase.index_root())
        except (OSError, ValueError, MemoryError) as exc:
            self._index_problem = f"{type(exc).__name__}: {exc}"

    def _wait_for_index(self) -> meteor_paraphrase.ParaphraseIndex | None:
        self._prepare_locked()
        thread = self._index_thread
        if thread is not None:
            thread.join()
        if self._index is None and self._index_problem is not None:
            print(
                f"adiff-bench: METEOR loads its whole paraphrase table (slower, same scores): {self._index_problem}",
                file=sys.stderr,
            )
            self._index_problem = None  # said once
        return self._index

    def _restart(self, table: Path | None, n_workers: int) -> None:
        for worker in self._workers:
            worker.close()
        options = SUBSET_JVM_OPTIONS if table is not None else ()
        self._workers = [MeteorProcess(self._java, self._jar, table, options) for _ in range(n_workers)]
        for worker in self._workers:
            worker.start()

    def _workers_for(self, requests: Sequence[str]) -> list[MeteorProcess]:
        wanted = 2 if len(requests) >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 else 1
        index = None if self.uses_full_table else self._wait_for_index()
        if index is None:
            if not self._workers or self._covered is not None:
                self._covered = None
                self._restart(None, 1)  # the whole table takes seconds to load: one process only
            return self._workers
        words = self._words_of(list(requests), index.max_word_length)
        if self._covered is None or not words <= self._covered:
            self._covered = words | (self._covered or set())
            if self._tmp is None:
                self._tmp = private_tempdir("adiff-meteor-")
            self._generation += 1
            table = Path(self._tmp.name) / f"paraphrase-{self._generation}.gz"
            table.write_bytes(index.subset_table(index.subset_mask(self._covered)))
            self._restart(table, wanted)
            (table.parent / f"paraphrase-{self._generation - 1}.gz").unlink(missing_ok=True)  # its jars are closed
        elif len(self._workers) < wanted:
            first = self._workers[0]
            extra = MeteorProcess(self._java, self._jar, first.paraphrase_table, first.jvm_options)
            extra.start()
            self._workers.append(extra)
        return self._workers[:wanted]

    def _words_of(self, requests: list[str], max_length: int) -> set[str]:
        if self._last_words is None or self._last_words[0] != requests:
            self._last_words = (requests, meteor_paraphrase.meteor_word_candidates(requests, max_length))
        return self._last_words[1]

    def start_for(self, requests: Sequence[str]) -> None:
        """Cut the subset and start the processes for ``requests`` now, unless the paraphrase index is still
        loading (or being built, once per machine): then ``score`` waits for it."""
        thread = self._index_thread
        if self.uses_full_table or (thread is not None and not thread.is_alive()):
            with self._lock:
                self._workers_for(requests)

    def score(self, requests: Sequence[str]) -> tuple[list[str], list[float], float]:
        """(per-item statistics lines, per-item scores, corpus score) for SCORE request lines."""
        if not requests:
            raise MetricUnavailable("METEOR needs at least one item")
        with self._lock:
            workers = self._workers_for(requests)
            bounds = np.linspace(0, len(requests), len(workers) + 1).round().astype(int)
            chunks = [requests[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
            if len(workers) == 1:
                return _score_chunk(workers[0], chunks[0])
            with ThreadPoolExecutor(len(workers), thread_name_prefix="adiff-meteor") as pool:
                parts = list(pool.map(_score_chunk, workers, chunks))
            stats = [line for part in parts for line in part[0]]
            scores = [score for part in parts for score in part[1]]
            total = corpus_statistics_line(stats)
            corpus = workers[0].evaluate([total])[1] if total is not None else workers[0].evaluate(stats)[1]
        return stats, scores, corpus

    def close(self) -> None:
        with self._lock:
            for worker in self._workers:
                worker.close()
            self._workers, self._covered = [], set()
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None


def _score_chunk(worker: MeteorProcess, requests: Sequence[str]) -> tuple[list[str], list[float], float]:
    """SCORE then EVAL on one process: a segment's score depends on its own statistics only."""
    stats = worker.statistics(requests)
    scores, corpus = worker.evaluate(stats)
    return stats, scores, corpus


def _java_double(value: float) -> str:
    """``Double.toString`` of an integral double (what the jar prints and its ``Scanner`` reads back)."""
    if abs(value) < 1e7:
        return repr(value)
    digits = str(int(abs(value))).rstrip("0") or "0"
    exponent = len(str(int(abs(value)))) - 1
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{'-' if value < 0 else ''}{mantissa}E{exponent}"


def corpus_statistics_line(stats_lines: Sequence[str]) -> str | None:
    """One statistics line holding the corpus totals, as the jar's ``MeteorStats.addStats`` sums them.

    EVAL over this single line gives the corpus score of EVAL over all lines: every field is a count
    (sums are exact in any order), a perfect segment's single chunk is dropped before summing (as
    addStats does, see :func:`parse_stats`), and the total of the remaining chunks can never be exactly
    1 on a fully matched corpus, so addStats applied to the total line drops nothing. None when a
    field is not integral (then the caller evaluates all lines).
    """
    total = np.stack([parse_stats(line) for line in stats_lines]).sum(axis=0)
    if not np.all(total == np.round(total)):
        return None
    tl, rl, tfw, rfw = total[:4]
    stages = total[6 : 6 + 4 * METEOR_STAGES].reshape(4, METEOR_STAGES)  # test/ref content, test/ref function
    fields = [tl, rl, tfw, rfw]
    for stage in range(METEOR_STAGES):
        fields.extend(stages[:, stage])
    fields.extend(total[-3:])  # chunks, test word matches, reference word matches
    return " ".join(_java_double(float(v)) for v in fields)


_SCORERS: dict[tuple[str, str], MeteorScorer] = {}
_SCORERS_LOCK = threading.Lock()


def meteor_scorer() -> MeteorScorer:
    """The shared scorer for this Python process (created, not started, on first use)."""
    java, jar = java_executable(), pycocoevalcap_file(METEOR_JAR)
    key = (java, str(jar))
    with _SCORERS_LOCK:
        if key not in _SCORERS:
            if not _SCORERS:
                atexit.register(close_meteor)
            _SCORERS[key] = MeteorScorer(java, jar, pycocoevalcap_file(PARAPHRASE_TABLE))
        return _SCORERS[key]


def close_meteor() -> None:
    with _SCORERS_LOCK:
        scorers = list(_SCORERS.values())
        _SCORERS.clear()
    for scorer in scorers:
        scorer.close()


def score_requests(tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str]) -> list[str]:
    return [score_line(h, r) for h, r in zip(tokenized_hypotheses, tokenized_references, strict=True)]


def meteor_score(tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str]) -> MetricResult:
    """METEOR on PTB-tokenized texts (one reference per item); raises MetricUnavailable without Java."""
    signature = meteor_signature()
    requests = score_requests(tokenized_hypotheses, tokenized_references)
    stats_lines, per_item, corpus = meteor_scorer().score(requests)
    stats = np.stack([parse_stats(line) for line in stats_lines])
    return MetricResult(
        name="METEOR",
        signature=signature,
        corpus=corpus,
        per_item=np.asarray(per_item, dtype=np.float64),
        stats=stats,
        reducer=REDUCER,
    )


def score(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> MetricResult:
    """The suite's METEOR, on the context's PTB tokens."""
    return meteor_score(*ctx.tokens)


def warm() -> None:
    """Begin loading the paraphrase index (built once per machine) in the background; returns at once."""
    meteor_scorer().prepare()


def start(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> None:
    """Start the jar processes now, before the caller's Python metrics hold the GIL (METEOR takes longest)."""
    meteor_scorer().start_for(score_requests(*ctx.tokens))
