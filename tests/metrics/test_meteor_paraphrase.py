"""METEOR's paraphrase subset: the candidate words cover the jar's normaliser, the subset keeps exactly the
usable pairs in table order, the index is built once, and the scorer reuses, restarts or falls back."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from adiff_bench.metrics import meteor, meteor_paraphrase
from adiff_bench.metrics.jvm import pycocoevalcap_file
from adiff_bench.metrics.meteor_paraphrase import build_or_load_index, meteor_word_candidates

requires_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed")

ADVERSARIAL = [
    "the u.s. army and e.g. mr. smith arrived at 3 p.m.",
    "it's the dog's bark , isn't it ? they 'll go",
    "well-known co-operate x---y a--b -- dash – en dash — em dash",
    "wait ... and .... then..now 1,000,000 and 3.14 and a,b",
    "“double” ‘single’ ``back'' 'quoted' `tick`",
    "café naïve straße İstanbul ΟΔΟΣ москва 東京 مرحبا",
    "a/b (c) [d] {e} <f> #g $h %i &j *k +l =m @n ^o _p |q ~r",
    "tab\tseparated\x0bvertical\u00a0nbsp\u2009thin\u3000ideographic",
    "1990's rock 'n' roll o'clock l'homme",
    "dotmulti DOTMULTI. ... x.y.z. U.S.A. e.t.c xDOTMULTIy aDOTDOTMULTIb",
]


def _java_normalised(lines: Sequence[str]) -> list[str]:
    """The jar's own normaliser (``edu.cmu.meteor.util.Normalizer en true``: keep punctuation), lower-cased."""
    jar = pycocoevalcap_file(meteor.METEOR_JAR)
    cmd = ["java", "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-cp", str(jar)]
    proc = subprocess.run(
        [*cmd, "edu.cmu.meteor.util.Normalizer", "en", "true"],
        input="\n".join(lines).encode("utf-8") + b"\n",
        capture_output=True,
        check=True,
    )
    out = proc.stdout.decode("utf-8").split("\n")[: len(lines)]
    assert len(out) == len(lines)
    return [line.lower() for line in out]


@requires_java
def test_candidates_cover_every_word_the_jar_normaliser_produces(official_data: Path) -> None:
    import csv

    with (official_data / "ACD" / "acd_test_adiff_sentence_answer.csv").open(encoding="utf-8") as handle:
        answers = [row["answer"] for row in csv.DictReader(handle)][:300]
    lines = ADVERSARIAL + answers + [meteor.score_line(a, b) for a, b in zip(answers, ADVERSARIAL * 30, strict=False)]
    normalised = _java_normalised(lines)
    assert "café" in normalised[5] and "us" in normalised[0].split()  # UTF-8 round trip; "u.s." lost its dots
    for line, words in zip(lines, normalised, strict=True):
        missing = set(words.split()) - meteor_word_candidates([line], max_length=10**6)
        assert not missing, (line, missing)


def test_plain_words_are_their_own_only_candidates() -> None:
    assert meteor_word_candidates(["a dog barks", "a dog"], max_length=24) == {"a", "dog", "barks"}
    assert meteor_word_candidates(["Dogs"], max_length=24) == {"Dogs", "dogs"}
    assert meteor_word_candidates(["u.s."], max_length=24) >= {"u.s.", "us", "u", "s", "."}
    assert "longword" not in meteor_word_candidates(["longword"], max_length=4)


def _write_table(path: Path, pairs: Sequence[tuple[str, str]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for k, (phrase, paraphrase) in enumerate(pairs):
            handle.write(f"0.{k + 1}\n{phrase}\n{paraphrase}\n")
    return path


PAIRS = [
    ("dog", "hound"),
    ("big dog", "large hound"),
    ("rain", "rainfall"),
    ("dog", "canine"),
    ("loud noise", "din"),
    ("hound", "dog"),
]


def test_subset_keeps_exactly_the_usable_pairs_in_table_order(tmp_path: Path) -> None:
    index = build_or_load_index(_write_table(tmp_path / "p.gz", PAIRS), tmp_path / "cache")
    assert index.n_pairs == len(PAIRS) and index.max_word_length == len("rainfall")
    keep = index.subset_mask({"dog", "hound", "big", "large", "din", "canine"})
    assert keep.tolist() == [True, True, False, True, False, True]
    text = gzip.decompress(index.subset_table(keep)).decode("utf-8")
    kept = [p for p, k in zip(PAIRS, keep, strict=True) if k]
    assert text == "".join(f"0\n{a}\n{b}\n" for a, b in kept)  # the jar ignores the probability line
    assert not index.subset_mask(set()).any()


def test_index_is_built_once_then_loaded_and_rebuilt_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table, cache = _write_table(tmp_path / "p.gz", PAIRS), tmp_path / "cache"
    first = build_or_load_index(table, cache)
    (meta,) = cache.glob("*/meta.json")

    def no_parsing(path: Path) -> None:
        raise AssertionError("the table was parsed again")

    with monkeypatch.context() as patch:
        patch.setattr(meteor_paraphrase, "_parse_table", no_parsing)
        again = build_or_load_index(table, cache)
    assert np.array_equal(again.ids, first.ids) and again.words.tolist() == first.words.tolist()
    meta.write_text("{not json")
    rebuilt = build_or_load_index(table, cache)
    assert np.array_equal(rebuilt.phrase_ends, first.phrase_ends) and '"format": 1' in meta.read_text()


def test_an_unwritable_cache_still_gives_an_index_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path, data: bytes) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(meteor_paraphrase, "atomic_write_bytes", refuse)
    index = build_or_load_index(_write_table(tmp_path / "p.gz", PAIRS), tmp_path / "cache")
    assert index.subset_mask({"rain", "rainfall"}).tolist() == [False, False, True, False, False, False]


@pytest.mark.parametrize(
    ("pairs", "reason"),
    [([("dog", "")], "empty phrase"), ([("dog\tbig", "hound")], "tabs"), ([("dog", "hound\rx")], "tabs")],
)
def test_tables_the_subset_cannot_reproduce_are_refused(tmp_path: Path, pairs: list, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        build_or_load_index(_write_table(tmp_path / "p.gz", pairs), tmp_path / "cache")


def _fake_stats(n: int) -> str:
    """A statistics line in the jar's format: n test words, 2 reference words, 1 exact content match."""
    return f"{n}.0 2.0 0.0 0.0 1.0 1.0 0.0 0.0 " + "0.0 " * 12 + "1.0 1.0 1.0"


class _FakeJar:
    """Stands in for a jar process: records how it was started and what it was asked."""

    started: list[_FakeJar] = []

    def __init__(self, java: str, jar: Path, table: Path | None = None, options: Sequence[str] = ()) -> None:
        self.paraphrase_table, self.jvm_options = table, tuple(options)
        self.table_text = gzip.decompress(table.read_bytes()).decode() if table is not None else None
        self.requests: list[str] = []
        self.evaluated: list[list[str]] = []
        self.closed = False
        _FakeJar.started.append(self)

    def start(self) -> None:
        pass

    def statistics(self, requests: Sequence[str]) -> list[str]:
        self.requests.extend(requests)
        return [_fake_stats(len(r)) for r in requests]

    def evaluate(self, stats: Sequence[str]) -> tuple[list[float], float]:
        self.evaluated.append(list(stats))
        return [float(s.split()[0]) for s in stats], 0.5

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_scorer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> meteor.MeteorScorer:
    _FakeJar.started = []
    monkeypatch.setattr(meteor, "MeteorProcess", _FakeJar)
    monkeypatch.setenv("ADIFF_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(meteor.FULL_TABLE_ENV, raising=False)
    scorer = meteor.MeteorScorer("java", tmp_path / "meteor.jar", _write_table(tmp_path / "p.gz", PAIRS))
    yield scorer
    scorer.close()


def test_scorer_reuses_its_processes_until_new_words_arrive(fake_scorer: meteor.MeteorScorer) -> None:
    request = "SCORE ||| big dog ||| large hound"
    stats, scores, corpus = fake_scorer.score([request])
    assert stats == [_fake_stats(len(request))] and scores == [len(request)] and corpus == 0.5
    (first,) = _FakeJar.started
    assert first.table_text == "0\ndog\nhound\n0\nbig dog\nlarge hound\n0\nhound\ndog\n"
    assert first.jvm_options == meteor.SUBSET_JVM_OPTIONS
    fake_scorer.score(["SCORE ||| dog ||| hound"])
    assert len(_FakeJar.started) == 1  # covered: same process
    fake_scorer.score(["SCORE ||| dog ||| canine"])
    assert first.closed and len(_FakeJar.started) == 2
    assert "0\ndog\ncanine\n" in _FakeJar.started[1].table_text  # the union of everything seen
    assert "0\nbig dog\nlarge hound\n" in _FakeJar.started[1].table_text
    assert not first.paraphrase_table.exists() and _FakeJar.started[1].paraphrase_table.exists()  # no pile-up


def test_large_requests_are_split_over_two_processes_in_order(
    fake_scorer: meteor.MeteorScorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meteor.os, "cpu_count", lambda: 2)
    requests = [f"SCORE ||| dog {k} ||| hound" for k in range(meteor.PARALLEL_FROM + 1)]
    stats, scores, _ = fake_scorer.score(requests)
    assert stats == [_fake_stats(len(r)) for r in requests] and scores == [float(len(r)) for r in requests]
    first, second = _FakeJar.started
    assert first.requests + second.requests == requests and first.requests and second.requests
    # each process evaluates its own segments; the corpus score comes from ONE line of summed statistics
    assert first.evaluated[0] + second.evaluated[0] == stats
    total, n = sum(len(r) for r in requests), len(requests)
    summed = f"{total}.0 {2 * n}.0 0.0 0.0 {n}.0 {n}.0 0.0 0.0 " + "0.0 " * 12 + f"{n}.0 {n}.0 {n}.0"
    assert first.evaluated[1] == [summed]


def test_corpus_statistics_line_sums_like_the_jar() -> None:
    perfect = "2.0 2.0 0.0 0.0 2.0 2.0 0.0 0.0 " + "0.0 " * 12 + "1.0 2.0 2.0"  # its one chunk is not counted
    other = "3.0 4.0 1.0 1.0 1.0 1.0 1.0 1.0 0.0 1.0 0.0 0.0 " + "0.0 " * 8 + "2.0 2.0 3.0"
    assert meteor.corpus_statistics_line([perfect, other]) == (
        "5.0 6.0 1.0 1.0 3.0 3.0 1.0 1.0 0.0 1.0 0.0 0.0 " + "0.0 " * 8 + "2.0 4.0 5.0"
    )
    assert meteor.corpus_statistics_line([other.replace("3.0 4.0", "3.5 4.0", 1)]) is None  # not a count
    assert meteor._java_double(12345678.0) == "1.2345678E7" and meteor._java_double(10000000.0) == "1.0E7"


def test_an_unusable_index_falls_back_to_the_whole_table_and_says_so_once(
    fake_scorer: meteor.MeteorScorer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(table: Path, root: Path) -> None:
        raise ValueError("table damaged")

    monkeypatch.setattr(meteor_paraphrase, "paraphrase_index", broken)
    fake_scorer.score(["SCORE ||| dog ||| hound"])
    fake_scorer.score(["SCORE ||| rain ||| rainfall"])
    (only,) = _FakeJar.started
    assert only.paraphrase_table is None and only.jvm_options == ()  # exactly pycocoevalcap's command
    assert capsys.readouterr().err.count("whole paraphrase table") == 1


def test_the_environment_can_ask_for_the_whole_table(
    fake_scorer: meteor.MeteorScorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(meteor.FULL_TABLE_ENV, "1")
    fake_scorer.prepare()  # the whole table loads for seconds: its process starts at once
    assert [jar.paraphrase_table for jar in _FakeJar.started] == [None]
    fake_scorer.score(["SCORE ||| dog ||| hound"])
    assert len(_FakeJar.started) == 1 and _FakeJar.started[0].requests == ["SCORE ||| dog ||| hound"]


def test_setup_meteor_builds_the_index_then_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from adiff_bench.cli import setup as setup_cli
    from adiff_bench.metrics import jvm

    table = _write_table(tmp_path / "p.gz", PAIRS)
    monkeypatch.setattr(jvm, "pycocoevalcap_file", lambda relative: table)
    monkeypatch.setenv(meteor_paraphrase.INDEX_DIR_ENV, str(tmp_path / "shared-index"))
    parser = argparse.ArgumentParser()
    setup_cli.register(parser.add_subparsers(dest="command"))
    for expected in ("built in", "found"):
        args = parser.parse_args(["setup", "meteor"])
        assert args.func(args) == 0
        out = capsys.readouterr().out
        assert expected in out and f"{len(PAIRS)} pairs" in out and str(tmp_path / "shared-index") in out
    assert list((tmp_path / "shared-index").glob("*/meta.json"))


def test_a_missing_index_is_built_in_a_child_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _write_table(tmp_path / "p.gz", PAIRS)

    def not_here(path: Path) -> None:
        raise AssertionError("parsed in this process")

    monkeypatch.setattr(meteor_paraphrase, "_parse_table", not_here)
    monkeypatch.setattr(meteor_paraphrase, "_INDEXES", {})
    index = meteor_paraphrase.paraphrase_index(table, tmp_path / "cache")
    assert index.n_pairs == len(PAIRS) and list((tmp_path / "cache").glob("*/meta.json"))
