"""pycocoevalcap's PTB tokenization, run safely: same jar, options and post-processing, private temp files.

pycocoevalcap's ``PTBTokenizer.tokenize`` writes its temporary file inside the installed package (fails
when site-packages is read-only, races when two runs score at once) and pairs output lines with items
by position without checking the count. Here the input is normalised so each caption is one line, the
file lives in a private temporary directory (removed on the next start if the process was killed), and a
line-count mismatch is an error, never a shift.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from adiff_bench.errors import DataError, MetricUnavailable
from adiff_bench.metrics.cache import LruCache, content_key
from adiff_bench.metrics.jvm import java_executable, pycocoevalcap_file
from adiff_bench.metrics.tempdirs import private_tempdir
from adiff_bench.metrics.text import normalize_text

CORENLP_JAR = "tokenizer/stanford-corenlp-3.4.1.jar"
TEMP_PREFIX = "adiff-ptb-"  # + pid: a folder left by a killed process is removed on the next start
TOKENIZER_CLASS = "edu.stanford.nlp.process.PTBTokenizer"
TOKENIZER_OPTIONS = ("-preserveLines", "-lowerCase")
# A sub-second run: the C1 compiler alone costs half the CPU of the default tiers (0.4 vs 0.8 s here) and
# tokenization does no floating point, so the output cannot change (checked against pycocoevalcap in tests).
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
# Exactly pycocoevalcap.tokenizer.ptbtokenizer.PUNCTUATIONS (with -lowerCase, "-LRB-" etc. never match: kept as is).
PUNCTUATIONS = frozenset(
    ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"]
)

_REFERENCE_CACHE: LruCache[tuple[str, ...]] = LruCache(maxsize=8)


def corenlp_jar() -> Path:
    return pycocoevalcap_file(CORENLP_JAR)


def _encode(lines: Sequence[str]) -> bytes:
    try:
        return "\n".join(lines).encode("utf-8")
    except UnicodeEncodeError:
        for index, line in enumerate(lines):
            try:
                line.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise DataError(
                    f"text #{index} contains {line[exc.start : exc.end]!r}, which is not valid Unicode; "
                    "remove the lone surrogate from that prediction/reference"
                ) from None
        raise


def _strip_punctuation(line: str) -> str:
    return " ".join(w for w in line.rstrip().split(" ") if w not in PUNCTUATIONS)


def _run_tokenizer(lines: Sequence[str]) -> list[str]:
    """One Java launch for all lines; ``lines`` must already be normalised (no line breaks)."""
    if not lines:
        return []
    java, jar = java_executable(), corenlp_jar()
    with private_tempdir(TEMP_PREFIX) as tmp:
        source = Path(tmp) / "captions.txt"
        source.write_bytes(_encode(lines))
        cmd = [java, *JVM_OPTIONS, "-cp", str(jar), TOKENIZER_CLASS, *TOKENIZER_OPTIONS, source.name]
        try:
            proc = subprocess.run(cmd, cwd=tmp, capture_output=True, check=False)
        except OSError as exc:
            raise MetricUnavailable(f"could not start the PTB tokenizer ({exc}); check the Java installation") from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise MetricUnavailable(
            f"the PTB tokenizer ({jar.name}) failed with exit code {proc.returncode}: {' / '.join(tail)}"
        )
    out = proc.stdout.decode("utf-8").split("\n")
    if len(out) < len(lines) or any(extra.strip() for extra in out[len(lines) :]):
        raise MetricUnavailable(
            f"the PTB tokenizer returned {len(out)} lines for {len(lines)} captions; refusing to pair them by position"
        )
    return [_strip_punctuation(line) for line in out[: len(lines)]]


def ptb_tokenize(texts: Sequence[str]) -> list[str]:
    """Tokenize like ``PTBTokenizer().tokenize`` (lower-cased, punctuation removed), one output per text."""
    return _run_tokenizer([normalize_text(t) for t in texts])


def tokenize_pair(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[list[str], list[str]]:
    """Hypotheses and references in ONE Java launch; tokenized references are reused within the process.

    The tokenizer works line by line (``-preserveLines``), so tokenizing both sets together gives the
    same lines as pycocoevalcap's two separate calls (checked against it in tests/metrics).
    """
    hyps = [normalize_text(t) for t in hypotheses]
    refs = [normalize_text(t) for t in references]
    key = content_key(str(corenlp_jar()), refs)
    cached = _REFERENCE_CACHE.get(key)
    if cached is not None:
        return _run_tokenizer(hyps), list(cached)
    both = _run_tokenizer(hyps + refs)
    tok_refs = tuple(both[len(hyps) :])
    _REFERENCE_CACHE.put(key, tok_refs)
    return both[: len(hyps)], list(tok_refs)


def clear_cache() -> None:
    _REFERENCE_CACHE.clear()
