"""BLEU, ROUGE-L, CIDEr-D and their reducers against pycocoevalcap's pure-Python scorers (no Java needed)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.rouge.rouge import Rouge, my_lcs

from adiff_bench.metrics import cider, rouge
from adiff_bench.metrics.base import get_reducer
from adiff_bench.metrics.bleu import bleu, bleu_stats
from adiff_bench.metrics.context import ScoringContext
from adiff_bench.metrics.ngrams import precook
from adiff_bench.metrics.rouge import lcs_length

WORDS = [
    "the",
    "a",
    "dog",
    "cat",
    "barks",
    "meows",
    "loud",
    "quiet",
    "audio",
    "one",
    "two",
    "has",
    "while",
    "engine",
    "rain",
    "wind",
    "-lrb-",
    "x",
]


def _sentences(seed: int, n: int) -> tuple[list[str], list[str]]:
    """Pre-tokenized hypothesis/reference pairs with overlap, plus edge cases (empty, identical, 1 word)."""
    rng = random.Random(seed)
    refs = [" ".join(rng.choices(WORDS, k=rng.randint(1, 30))) for _ in range(n)]
    hyps = []
    for ref in refs:
        words = ref.split()
        keep = [w for w in words if rng.random() < 0.6] + rng.choices(WORDS, k=rng.randint(0, 8))
        if rng.random() < 0.3:
            rng.shuffle(keep)
        hyps.append(" ".join(keep))
    hyps[0], hyps[1], hyps[2] = "", refs[1], "dog"
    return hyps, refs


def _ctx(hyps: list[str], refs: list[str]) -> ScoringContext:
    """A context for texts that are already tokenized (no Java), signed with tail "test"."""
    return ScoringContext(hyps, refs, tokens=(hyps, refs), lexical_tail="test")


def _coco(hyps: list[str], refs: list[str]) -> tuple[dict, dict]:
    return {i: [r] for i, r in enumerate(refs)}, {i: [h] for i, h in enumerate(hyps)}


@pytest.fixture(scope="module")
def pairs() -> tuple[list[str], list[str]]:
    return _sentences(7, 300)


def test_precook_matches_pycocoevalcap_order() -> None:
    from pycocoevalcap.cider.cider_scorer import precook as coco_precook

    text = "a b a b c a b a"
    assert list(precook(text)[1].items()) == list(coco_precook(text).items())


def test_bleu_corpus_per_item_and_reducer_equal_pycocoevalcap(pairs: tuple[list[str], list[str]]) -> None:
    hyps, refs = pairs
    corpus, per_item = Bleu(4).compute_score(*_coco(hyps, refs), verbose=0)
    stats = bleu_stats(hyps, refs)
    ctx = _ctx(hyps, refs)
    for n in range(1, 5):
        result = bleu(n)(hyps, refs, ctx)
        assert result.signature == f"BLEU-{n}|test|bp:closest"
        assert result.name == f"BLEU-{n}" and result.reducer == f"coco-bleu-{n}"
        assert result.corpus == corpus[n - 1]
        assert np.array_equal(result.per_item, np.array(per_item[n - 1]))
        reducer = get_reducer(result.reducer)
        assert float(reducer(stats.sum(0))) == corpus[n - 1]  # bit-identical, not approximately
        assert np.array_equal(reducer(stats), result.per_item)


def test_bleu_reducer_vectorises_over_resamples(pairs: tuple[list[str], list[str]]) -> None:
    hyps, refs = pairs
    stats = bleu_stats(hyps, refs)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(hyps), size=(5, len(hyps)))
    summed = stats[idx].sum(axis=1)  # (5, k)
    reducer = get_reducer("coco-bleu-4")
    batch = reducer(summed)
    assert batch.shape == (5,)
    for b in range(5):
        sub = [int(i) for i in idx[b]]
        expected = Bleu(4).compute_score(*_coco([hyps[i] for i in sub], [refs[i] for i in sub]), verbose=0)[0][3]
        assert batch[b] == expected


def test_lcs_matches_pycocoevalcap_table() -> None:
    rng = random.Random(3)
    for _ in range(500):
        a = rng.choices("abcde", k=rng.randint(0, 40))
        b = rng.choices("abcdef", k=rng.randint(0, 40))
        assert lcs_length(a, b) == my_lcs(a, b)


def test_rouge_l_equals_pycocoevalcap(pairs: tuple[list[str], list[str]]) -> None:
    hyps, refs = pairs
    corpus, per_item = Rouge().compute_score(*_coco(hyps, refs))
    result = rouge.score(hyps, refs, _ctx(hyps, refs))
    assert result.corpus == corpus
    assert np.array_equal(result.per_item, per_item)
    assert float(get_reducer("mean")(result.stats.sum(0))) == corpus


def test_cider_d_equals_pycocoevalcap_and_caches_reference_side(pairs: tuple[list[str], list[str]]) -> None:
    hyps, refs = pairs
    corpus, per_item = Cider().compute_score(*_coco(hyps, refs))
    first = cider.score(hyps, refs, _ctx(hyps, refs))
    again = cider.score(hyps, refs, _ctx(hyps, refs))  # reference side from the cache
    for result in (first, again):
        assert result.corpus == corpus
        assert np.array_equal(result.per_item, per_item)
        assert float(get_reducer("mean")(result.stats.sum(0))) == corpus
    assert "df:evaluated-set" in first.signature
    # Document frequencies come from the evaluated set: scoring a subset changes an item's score.
    subset = cider.score(hyps[:50], refs[:50], _ctx(hyps[:50], refs[:50]))
    assert not np.array_equal(subset.per_item, first.per_item[:50])
    assert subset.corpus == Cider().compute_score(*_coco(hyps[:50], refs[:50]))[0]
