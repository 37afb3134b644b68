"""PTB tokenization and METEOR through the jars: fidelity on tricky text, line-break safety, read-only
installs, concurrency, and a missing Java reported as unavailable."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from adiff_bench.errors import MetricUnavailable
from adiff_bench.metrics import jvm, ptb
from adiff_bench.metrics.base import get_reducer
from adiff_bench.metrics.meteor import meteor_score, parse_stats
from adiff_bench.metrics.text import LINE_BREAKS, normalize_text

requires_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed")

TRICKY = [
    'He said "hello" (twice) -- then left...',
    "Audio 1 has a dog's bark; Audio 2 has rain!",
    "",
    "café naïve “quoted” — dash",
    "'single' `back` {braces} [brackets]",
    "   leading and trailing   ",
    "numbers 1,000.5 and 3:45 pm?",
]


def test_normalize_text_removes_every_line_break() -> None:
    for ch in LINE_BREAKS:
        assert normalize_text(f"a{ch}b") == "a b"
        assert normalize_text(f"a{ch}b").splitlines() == ["a b"]
    assert normalize_text("no change\there") == "no change\there"


@requires_java
def test_ptb_tokenize_equals_pycocoevalcap_tokenizer() -> None:
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    theirs = PTBTokenizer().tokenize({i: [{"caption": t}] for i, t in enumerate(TRICKY)})
    assert ptb.ptb_tokenize(TRICKY) == [theirs[i][0] for i in range(len(TRICKY))]


@requires_java
def test_pycocoevalcap_tokenizer_shifts_items_on_line_breaks_and_ours_does_not() -> None:
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    texts = ["first\rpart", "second item", "third item"]
    theirs = PTBTokenizer().tokenize({i: [{"caption": t}] for i, t in enumerate(texts)})
    assert theirs[1] == ["part"]  # the trap: item 1 silently gets item 0's tail
    ours = ptb.ptb_tokenize(texts)
    assert ours == ["first part", "second item", "third item"]
    variants = [f"dog{ch}barks." for ch in LINE_BREAKS] + ["last"]
    assert ptb.ptb_tokenize(variants) == ["dog barks"] * len(LINE_BREAKS) + ["last"]


@requires_java
def test_tokenize_pair_is_one_launch_then_reuses_references(monkeypatch: pytest.MonkeyPatch) -> None:
    ptb.clear_cache()
    launches: list[int] = []
    real = ptb._run_tokenizer

    def counting(lines: list[str]) -> list[str]:
        launches.append(len(lines))
        return real(lines)

    monkeypatch.setattr(ptb, "_run_tokenizer", counting)
    refs = ["The dog barks.", '"Rain" falls (softly).']
    hyps1, refs1 = ptb.tokenize_pair(["A dog!", "rain"], refs)
    hyps2, refs2 = ptb.tokenize_pair(["cat", "wind"], refs)
    assert launches == [4, 2]  # hyps+refs together, then hyps only
    assert refs1 == refs2 == ["the dog barks", "rain falls -lrb- softly -rrb-"]
    assert (hyps1, hyps2) == (["a dog", "rain"], ["cat", "wind"])


@requires_java
def test_tokenizer_never_writes_into_a_read_only_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only copy of pycocoevalcap's folder: nothing may be created there, even by two concurrent calls.

    (Running as root ignores the permission bits, so the listing is compared as well.)
    """
    install = tmp_path / "pycocoevalcap"
    (install / "tokenizer").mkdir(parents=True)
    shutil.copy2(ptb.corenlp_jar(), install / "tokenizer")
    for path in (install / "tokenizer", install):
        path.chmod(0o555)
    before = sorted(p.name for p in install.rglob("*"))
    monkeypatch.setattr(jvm, "pycocoevalcap_dir", lambda: install)
    ptb.clear_cache()
    results: dict[int, list[str]] = {}

    def work(k: int) -> None:
        results[k] = ptb.ptb_tokenize([f"Item {k}, first.", f"Item {k}: second!"])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {k: [f"item {k} first", f"item {k} second"] for k in range(2)}
    assert sorted(p.name for p in install.rglob("*")) == before
    for path in (install / "tokenizer", install):
        path.chmod(0o755)


def test_missing_java_is_unavailable_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jvm.shutil, "which", lambda name: None)
    with pytest.raises(MetricUnavailable, match="Java was not found"):
        ptb.ptb_tokenize(["a dog"])
    with pytest.raises(MetricUnavailable, match="Java was not found"):
        meteor_score(["a dog"], ["a dog"])


def test_parse_meteor_stats_derives_totals_and_drops_perfect_chunks() -> None:
    imperfect = parse_stats("7.0 6.0 4.0 3.0 2.0 2.0 3.0 3.0 1.0 1.0 0.0 0.0 " + "0.0 " * 8 + "5.0 6.0 6.0")
    assert imperfect[4:6].tolist() == [6.0, 6.0] and imperfect[22] == 5.0
    perfect = parse_stats("2.0 2.0 0.0 0.0 2.0 2.0 0.0 0.0 " + "0.0 " * 12 + "1.0 2.0 2.0")
    assert perfect[22] == 0.0  # MeteorStats.addStats skips the chunk of a perfect segment
    with pytest.raises(MetricUnavailable, match="unexpected METEOR statistics"):
        parse_stats("1.0 2.0")


@requires_java
@pytest.mark.slow
def test_meteor_stats_reproduce_the_jar_and_the_process_is_shared() -> None:
    hyps = ["a dog is barking loudly", "the dog barks", "", "rain falls on a roof", "engine idles"]
    refs = ["a dog barks loudly", "the dog barks", "wind blows", "heavy rain on the roof", "a car engine idling"]
    results: list = [None, None]

    def work(k: int) -> None:
        results[k] = meteor_score(hyps[k:], refs[k:])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    full, shifted = results
    assert np.array_equal(full.per_item[1:], shifted.per_item)  # concurrent requests do not mix
    assert full.per_item[1] == 1.0 and full.per_item[2] == 0.0
    reducer = get_reducer(full.reducer)
    assert abs(float(reducer(full.stats.sum(0))) - full.corpus) <= 1e-12
    assert np.max(np.abs(reducer(full.stats) - full.per_item)) <= 1e-12
