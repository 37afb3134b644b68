"""A per-call subset of METEOR's paraphrase table: same scores, a JVM that starts in under a second.

``meteor-1.5.jar`` spends most of its start-up (about 5 s of 6 here) reading ``paraphrase-en.gz``:
5.27 million phrase pairs over a 43 k-word vocabulary. Its paraphrase stage
(``edu.cmu.meteor.aligner.ParaphraseMatcher``) can only ever use a pair whose words ALL occur in the
two sentences being aligned: a path through the table's trie needs every reference-phrase word in one
sentence and every paraphrase word in the other, and a sentence word the table does not know maps to
-1, which no path or phrase contains. The jar ignores each pair's probability line. So a table holding
only the pairs whose words all lie in a superset of the words METEOR will see, in the original order,
gives the jar exactly the same candidate matches — and identical scores (tests compare both tables).

The words METEOR sees are its ``-norm`` normaliser's output, lower-cased and split on whitespace.
:func:`meteor_word_candidates` over-approximates them from the raw request text (see its docstring).
The table is parsed once per machine into an index under the adiff-bench cache (about 16 s here, in a
child process); after that a subset is cut and written in well under a second.
"""

from __future__ import annotations

import array
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adiff_bench.io_utils import atomic_write_bytes, atomic_write_json

INDEX_FORMAT = 1
INDEX_DIR_ENV = "ADIFF_BENCH_METEOR_INDEX_DIR"  # default: <adiff-bench cache>/meteor-paraphrase
_CHUNK = 1 << 20
_JAVA_TOKEN_SEPARATORS = re.compile("[ \t\n\r\f]+")  # java.util.StringTokenizer's default delimiters
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SINGLE_QUOTES = re.compile("[`\u2018\u2019]")
_DOUBLE_QUOTES = re.compile("[\u201c\u201d]|''")


def _normaliser_variants(token: str) -> set[str]:
    """The token after each of the normaliser's character rewrites, applied in its order.

    Quotes and dashes are rewritten line-wide before any of the affected characters can be separated,
    so a word's characters are a substring of one of these variants (with dots dropped, for "U.S.").
    """
    single = _SINGLE_QUOTES.sub("'", token)
    double = _DOUBLE_QUOTES.sub('"', single)
    en_dash = double.replace("\u2013", "-")
    variants = {token, single, double, en_dash, en_dash.replace("--", "-")}
    if "DOTMULTI" in token:  # the normaliser's own escape for "..." is unescaped wherever it appears
        variants |= {_unescape_dots(v) for v in variants}
    return variants


def _unescape_dots(text: str) -> str:
    while "DOTDOTMULTI" in text:
        text = text.replace("DOTDOTMULTI", "DOTMULTI.")
    return text.replace("DOTMULTI", ".")


def meteor_word_candidates(lines: Iterable[str], max_length: int) -> set[str]:
    """A superset of the words METEOR's ``-norm -l en`` pipeline can produce from ``lines``.

    The normaliser (``edu.cmu.meteor.util.Normalizer``) only inserts spaces next to characters outside
    its alphanumeric class (a superset of ASCII letters and digits), rewrites quotes and dashes, and
    drops the dots of words like "U.S."; METEOR then lower-cases and splits on whitespace. So every word
    it produces is, lower-cased, a substring of a variant of one whitespace token, cut only next to a
    non-ASCII-alphanumeric character, with or without its dots. Candidates longer than ``max_length``
    (the table's longest word) cannot match anything and are skipped.
    """
    candidates: set[str] = set()
    seen: set[str] = set()
    for line in lines:
        for token in _JAVA_TOKEN_SEPARATORS.split(line):
            if not token or token in seen:
                continue
            seen.add(token)
            for variant in _normaliser_variants(token):
                cuts = [0]
                cuts.extend(
                    i
                    for i in range(1, len(variant))
                    if variant[i - 1] not in _ASCII_ALNUM or variant[i] not in _ASCII_ALNUM
                )
                cuts.append(len(variant))
                for a, start in enumerate(cuts):
                    for end in cuts[a + 1 :]:
                        piece = variant[start:end]
                        undotted = piece.replace(".", "")
                        if len(undotted) > max_length:
                            break
                        for word in (piece, undotted):
                            if len(word) <= max_length:
                                candidates.add(word)
                                candidates.add(word.lower())
    return candidates


@dataclass(frozen=True)
class ParaphraseIndex:
    """The table as word ids: pair ``k`` is phrases ``2k`` (reference side) and ``2k + 1`` (paraphrase)."""

    words: np.ndarray  # object array of str, id -> word
    word_ids: dict[str, int]
    ids: np.ndarray  # word ids of all phrases, concatenated
    phrase_ends: np.ndarray  # exclusive end of each phrase in ``ids``
    max_word_length: int

    @property
    def n_pairs(self) -> int:
        return len(self.phrase_ends) // 2

    def subset_mask(self, candidates: Iterable[str]) -> np.ndarray:
        """Which pairs have every word among ``candidates`` (one bool per pair, table order)."""
        unknown = np.ones(len(self.words), dtype=bool)
        hits = [self.word_ids[w] for w in candidates if w in self.word_ids]
        unknown[np.asarray(hits, dtype=np.int64)] = False
        unknown_at = np.empty(len(self.ids), dtype=bool)
        for start in range(0, len(self.ids), _CHUNK):  # np.take widens indices to intp: keep that copy small
            np.take(unknown, self.ids[start : start + _CHUNK], out=unknown_at[start : start + _CHUNK])
        pair_starts = np.concatenate(([0], self.phrase_ends[1:-1:2]))  # a pair's two phrases are contiguous
        return ~np.logical_or.reduceat(unknown_at, pair_starts)

    def subset_table(self, keep: np.ndarray) -> bytes:
        """The kept pairs in the jar's gzip format (probability line ``0``: the jar reads and ignores it)."""
        pairs = np.flatnonzero(keep)
        phrases = np.stack([2 * pairs, 2 * pairs + 1], axis=1).ravel()
        ends = self.phrase_ends[phrases]
        starts = np.where(phrases > 0, self.phrase_ends[np.maximum(phrases - 1, 0)], 0)
        lengths = ends - starts
        total = int(lengths.sum())
        positions = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths) + np.repeat(starts, lengths)
        tokens = self.words[self.ids[positions]]
        phrase_last = np.cumsum(lengths) - 1
        separators = np.full(total, " ", dtype=object)
        separators[phrase_last] = "\n"
        firsts = (np.cumsum(lengths) - lengths)[0::2]
        tokens[firsts] = ["0\n" + t for t in tokens[firsts]]
        interleaved = np.empty(2 * total, dtype=object)
        interleaved[0::2] = tokens
        interleaved[1::2] = separators
        text = "".join(interleaved.tolist()).encode("utf-8")
        compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: gzip container
        return compressor.compress(text) + compressor.flush()


def _table_digest(table: Path) -> str:
    digest = hashlib.sha256()
    with table.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _parse_table(table: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Word ids of every phrase, split exactly as the jar's ``StringTokenizer`` splits (on spaces here)."""
    vocabulary: dict[str, int] = {}
    lookup = vocabulary.setdefault
    ids = array.array("I")  # compact while parsing 32 million words
    ends = array.array("q")
    with gzip.open(table, "rt", encoding="utf-8", newline="\n") as lines:
        for number, (_, *phrases) in enumerate(zip(lines, lines, lines, strict=True)):
            for phrase in phrases:
                before = len(ids)
                ids.extend(lookup(w, len(vocabulary)) for w in phrase.rstrip("\n").split(" ") if w)
                if len(ids) == before:  # the jar would match an empty paraphrase everywhere: keep it exact
                    raise ValueError(f"{table}: pair {number + 1} has an empty phrase; not indexed")
                ends.append(len(ids))
    words = list(vocabulary)
    if any(ch in word for word in words for ch in "\t\r\f"):  # the jar splits on these too
        raise ValueError(f"{table} separates words by tabs or carriage returns too; only space-separated is indexed")
    dtype = np.uint16 if len(words) <= np.iinfo(np.uint16).max else np.uint32
    return words, np.frombuffer(ids, dtype=np.uint32).astype(dtype), np.frombuffer(ends, dtype=np.int64).copy()


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _index(words: np.ndarray, ids: np.ndarray, ends: np.ndarray) -> ParaphraseIndex:
    return ParaphraseIndex(
        words=words,
        word_ids={w: i for i, w in enumerate(words.tolist())},
        ids=ids,
        phrase_ends=ends,
        max_word_length=max((len(w) for w in words.tolist()), default=0),
    )


def _load(directory: Path) -> ParaphraseIndex:
    text = (directory / "words.txt").read_text(encoding="utf-8")
    words = np.array(text.split("\n") if text else [], dtype=object)
    ids = np.load(directory / "ids.npy", allow_pickle=False)
    ends = np.load(directory / "phrase_ends.npy", allow_pickle=False)
    if len(ends) % 2 or (len(ends) and int(ends[-1]) != len(ids)) or (len(ids) and int(ids.max()) >= len(words)):
        raise ValueError(f"the paraphrase index in {directory} is inconsistent; delete that folder to rebuild it")
    return _index(words, ids, ends)


def _index_dir(table: Path, cache_root: Path) -> Path:
    return cache_root / _table_digest(table)[:32]


def load_index(table: Path, cache_root: Path) -> ParaphraseIndex | None:
    """The index of ``table`` from ``cache_root``, or None when it is not there (or damaged)."""
    directory = _index_dir(table, cache_root)
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        return _load(directory) if meta.get("format") == INDEX_FORMAT else None
    except (OSError, ValueError):
        return None


def build_or_load_index(table: Path, cache_root: Path) -> ParaphraseIndex:
    """The index of ``table``, parsed once and kept under ``cache_root/<sha256 of the table>``."""
    found = load_index(table, cache_root)
    if found is not None:
        return found
    directory = _index_dir(table, cache_root)
    words, ids, ends = _parse_table(table)
    try:
        atomic_write_bytes(directory / "words.txt", "\n".join(words).encode("utf-8"))
        atomic_write_bytes(directory / "ids.npy", _npy_bytes(ids))
        atomic_write_bytes(directory / "phrase_ends.npy", _npy_bytes(ends))
        atomic_write_json(  # written last: its presence means the folder is complete
            directory / "meta.json",
            {"format": INDEX_FORMAT, "table": str(table), "pairs": len(ends) // 2, "words": len(words)},
        )
    except OSError:  # a read-only or full cache: use the index in memory, parse again next time
        return _index(np.array(words, dtype=object), ids, ends)
    return _load(directory)


def _build_in_subprocess(table: Path, cache_root: Path) -> ParaphraseIndex | None:
    """Build in a low-priority child process: the parse holds the GIL for ~15 s, which would stall a model
    generating in this process's main thread."""
    command = [sys.executable, "-m", __name__, str(table), str(cache_root)]
    proc = subprocess.run(command, capture_output=True, check=False)
    return load_index(table, cache_root) if proc.returncode == 0 else None


def index_root() -> Path:
    """Where indexes live: ``$ADIFF_BENCH_METEOR_INDEX_DIR`` (e.g. one folder shared by a cluster) or the cache."""
    from adiff_bench.paths import cache_dir

    explicit = os.environ.get(INDEX_DIR_ENV)
    return Path(explicit).expanduser() if explicit else cache_dir() / "meteor-paraphrase"


_INDEXES: dict[tuple[str, str], ParaphraseIndex] = {}
_INDEX_LOCK = threading.Lock()


def paraphrase_index(table: Path, cache_root: Path) -> ParaphraseIndex:
    """The index for this process: loaded from disk, or built once per machine (in a child process)."""
    key = (str(table), str(cache_root))
    with _INDEX_LOCK:
        if key not in _INDEXES:
            index = load_index(table, cache_root) or _build_in_subprocess(table, cache_root)
            _INDEXES[key] = index or build_or_load_index(table, cache_root)  # e.g. a read-only cache
        return _INDEXES[key]


if __name__ == "__main__":  # python -m adiff_bench.metrics.meteor_paraphrase TABLE CACHE_ROOT
    os.nice(10)
    build_or_load_index(Path(sys.argv[1]), Path(sys.argv[2]))
