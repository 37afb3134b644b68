"""The lexical suite equals pycocoevalcap's own scorers, bit for bit, on 200 seeded-random items of the
real ACD test set (tier 2, sentence answers), and its per-item statistics reproduce the corpus scores.

pycocoevalcap's METEOR here is its own ``Meteor()`` with the whole paraphrase table; ours runs on the
paraphrase subset (:mod:`adiff_bench.metrics.meteor_paraphrase`), so this also checks the subset."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from adiff_bench.metrics import meteor, ptb
from adiff_bench.metrics.base import MetricResult, get_reducer
from adiff_bench.metrics.reducers import METEOR_STATS
from adiff_bench.metrics.suite import BLEU_NAMES, LEXICAL_NAMES, score_texts

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed")]

N_ITEMS = 200
SEED = 20250101


def _acd_slice(official_data: Path) -> tuple[list[str], list[str]]:
    path = official_data / "ACD" / "acd_test_adiff_sentence_answer.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    picked = sorted(random.Random(SEED).sample(range(len(rows)), N_ITEMS))
    refs = [rows[i]["answer"] for i in picked]
    hyps = [
        f"Audio 1 has {rows[i]['caption1']}, while Audio 2 has {rows[i]['caption2']}."
        if k % 2 == 0
        else rows[(i + 1) % len(rows)]["answer"]  # a real explanation of another pair
        for k, i in enumerate(picked)
    ]
    hyps[5] = refs[5]  # perfect match
    hyps[7] = ""  # empty prediction
    hyps[9] = 'Audio 1 is "louder" (clearly) than audio 2 -- isn\'t it?'
    hyps[11] = "The U.S.-made engine's hum... e.g. 1,000 times “louder”, well-known co-operation – it's 3 p.m."
    hyps[13] = "Café naïve straße — ΟΔΟΣ Москва; a/b (c) [d] 1990's rock 'n' roll ``quoted''"
    return hyps, refs


@pytest.fixture(scope="module")
def both(official_data: Path) -> tuple[dict[str, MetricResult], dict[str, tuple[float, np.ndarray]], tuple]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    hyps, refs = _acd_slice(official_data)
    ptb.clear_cache()
    ours = score_texts(hyps, refs, "lexical")  # one METEOR process for 200 items
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(meteor, "PARALLEL_FROM", 50)
        patch.setattr(meteor.os, "cpu_count", lambda: 2)
        ours["METEOR (two processes)"] = score_texts(hyps, refs, "METEOR")["METEOR"]

    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({i: [{"caption": r}] for i, r in enumerate(refs)})
    res = tokenizer.tokenize({i: [{"caption": h}] for i, h in enumerate(hyps)})
    theirs: dict[str, tuple[float, np.ndarray]] = {}
    bleu, bleu_items = Bleu(4).compute_score(gts, res, verbose=0)
    for n in range(4):
        theirs[BLEU_NAMES[n]] = (bleu[n], np.array(bleu_items[n]))
    reference_meteor = Meteor()  # its own jar process, whole paraphrase table
    score, items = reference_meteor.compute_score(gts, res)
    reference_meteor.meteor_p.kill()
    reference_meteor.meteor_p.wait()
    theirs["METEOR"] = theirs["METEOR (two processes)"] = (score, np.array(items))
    theirs["ROUGE-L"] = Rouge().compute_score(gts, res)
    theirs["CIDEr-D"] = Cider().compute_score(gts, res)
    tokenized = ([res[i][0] for i in range(len(hyps))], [gts[i][0] for i in range(len(refs))])
    return ours, theirs, (hyps, refs, tokenized)


def test_tokenization_equals_pycocoevalcap(both: tuple) -> None:
    _, _, (hyps, refs, tokenized) = both
    assert ptb.tokenize_pair(hyps, refs) == tokenized


@pytest.mark.parametrize("name", [*LEXICAL_NAMES, "METEOR (two processes)"])
def test_corpus_and_per_item_scores_are_identical(both: tuple, name: str) -> None:
    ours, theirs, _ = both
    corpus, per_item = theirs[name]
    assert ours[name].corpus == corpus
    assert np.array_equal(ours[name].per_item, per_item)


@pytest.mark.parametrize("name", [*BLEU_NAMES, "ROUGE-L", "CIDEr-D"])
def test_summed_stats_reproduce_the_corpus_score_exactly(both: tuple, name: str) -> None:
    result = both[0][name]
    assert float(get_reducer(result.reducer)(result.stats.sum(axis=0))) == result.corpus


def test_meteor_summed_stats_reproduce_the_jar_corpus_score(both: tuple) -> None:
    """The jar aggregates the same statistics; Python's pow may differ from Java's Math.pow in the last bit."""
    result = both[0]["METEOR"]
    reducer = get_reducer(result.reducer)
    assert abs(float(reducer(result.stats.sum(axis=0))) - result.corpus) <= 1e-12
    assert np.max(np.abs(reducer(result.stats) - result.per_item)) <= 1e-12
    mean_of_segments = float(np.mean(result.per_item))
    assert abs(mean_of_segments - result.corpus) > 1e-6  # corpus METEOR is not the mean of segment scores


def test_paraphrase_matches_take_part_so_the_subset_is_exercised(both: tuple) -> None:
    stats = both[0]["METEOR"].stats
    paraphrase_stage = [METEOR_STATS.index(f"{side}_matches_3") for side in ("test_content", "ref_content")]
    assert stats[:, paraphrase_stage].sum() > 0
