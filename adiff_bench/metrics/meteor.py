"""METEOR 1.5 exactly as pycocoevalcap computes it, through ONE long-lived jar process per Python process.

pycocoevalcap starts ``meteor-1.5.jar -stdio`` (about 7 s to load the paraphrase table) for every
``Meteor()`` and sends one SCORE line per item, waiting for each answer. Here the process is started
lazily, shared by all threads (a lock serialises requests) and closed at exit; all SCORE lines of a
request are streamed at once. The numbers are the jar's: per-item scores and the corpus score come from
the same ``EVAL`` line pycocoevalcap sends. The per-segment statistics are kept as additive stats so that
bootstrap resampling recomputes corpus METEOR in Python (:func:`reducers.meteor_from_stats`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from adiff_bench.errors import MetricUnavailable
from adiff_bench.metrics.base import MetricResult
from adiff_bench.metrics.jvm import java_executable, java_version, pycocoevalcap_file, pycocoevalcap_version
from adiff_bench.metrics.reducers import METEOR_STAGES

METEOR_JAR = "meteor/meteor-1.5.jar"
METEOR_ARGS = ("-", "-", "-stdio", "-l", "en", "-norm")  # as pycocoevalcap.meteor.meteor.Meteor
METEOR_HEAP = "-Xmx2G"
REDUCER = "meteor-1.5"


def meteor_signature() -> str:
    return (
        f"METEOR|pycocoevalcap:{pycocoevalcap_version()}|tok:ptb|refs:1|java:{java_version()}"
        "|meteor:1.5|lang:en|norm|stats:summed-segment-stats"
    )


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

    def __init__(self, java: str, jar: Path) -> None:
        self._cmd = [java, "-jar", METEOR_HEAP, str(jar), *METEOR_ARGS]
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._owner = os.getpid()

    def start(self) -> None:
        """Start the JVM now (it loads its tables while the caller does other work); returns at once."""
        with self._lock:
            self._ensure_started()

    @contextlib.contextmanager
    def session(self) -> Iterator[subprocess.Popen[bytes]]:
        """The running process, held under the lock, for a client that speaks the jar's stdio protocol itself
        (the fidelity tests drive it with pycocoevalcap's own ``Meteor.compute_score``)."""
        with self._lock:
            yield self._ensure_started()

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

    def _exchange(self, proc: subprocess.Popen[bytes], payload: bytes, n_lines: int, what: str) -> list[str]:
        """Stream ``payload`` from a writer thread while reading ``n_lines`` answers (no pipe deadlock)."""
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

    def score(
        self, tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str]
    ) -> tuple[list[str], list[float], float]:
        """(per-item statistics lines, per-item scores, corpus score), as ``Meteor.compute_score`` computes them."""
        n = len(tokenized_hypotheses)
        if n == 0:
            raise MetricUnavailable("METEOR needs at least one item")
        requests = "".join(
            score_line(h, r) + "\n" for h, r in zip(tokenized_hypotheses, tokenized_references, strict=True)
        )
        with self._lock:
            proc = self._ensure_started()
            stats = self._exchange(proc, requests.encode("utf-8"), n, "computing statistics")
            eval_line = "EVAL" + "".join(f" ||| {s}" for s in stats) + "\n"
            answers = self._exchange(proc, eval_line.encode("utf-8"), n + 1, "scoring")
        try:
            scores = [float(a) for a in answers]
        except ValueError as exc:
            raise MetricUnavailable(f"METEOR returned a non-numeric score ({exc})") from exc
        return stats, scores[:n], scores[n]

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


_PROCESSES: dict[tuple[str, str], MeteorProcess] = {}
_PROCESSES_LOCK = threading.Lock()


def meteor_process() -> MeteorProcess:
    """The shared process for this Python process (created, not started, on first use)."""
    key = (java_executable(), str(pycocoevalcap_file(METEOR_JAR)))
    with _PROCESSES_LOCK:
        if key not in _PROCESSES:
            if not _PROCESSES:
                atexit.register(close_meteor)
            _PROCESSES[key] = MeteorProcess(key[0], Path(key[1]))
        return _PROCESSES[key]


def close_meteor() -> None:
    with _PROCESSES_LOCK:
        processes = list(_PROCESSES.values())
        _PROCESSES.clear()
    for process in processes:
        process.close()


def meteor_score(tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str]) -> MetricResult:
    """METEOR on PTB-tokenized texts (one reference per item); raises MetricUnavailable without Java."""
    signature = meteor_signature()
    stats_lines, per_item, corpus = meteor_process().score(tokenized_hypotheses, tokenized_references)
    stats = np.stack([parse_stats(line) for line in stats_lines])
    return MetricResult(
        name="METEOR",
        signature=signature,
        corpus=corpus,
        per_item=np.asarray(per_item, dtype=np.float64),
        stats=stats,
        reducer=REDUCER,
    )
