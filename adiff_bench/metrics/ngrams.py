"""n-gram counts of tokenized captions, as pycocoevalcap's ``precook`` builds them, and shared stats helpers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

MAX_N = 4
# (hypotheses, references) as precook_all returns them: BLEU and CIDEr-D share one counting pass
Cooked = tuple[list[tuple[int, dict[tuple[str, ...], int]]], list[tuple[int, dict[tuple[str, ...], int]]]]


def precook(text: str, n: int = MAX_N) -> tuple[int, dict[tuple[str, ...], int]]:
    """(length, n-gram counts) with keys inserted in precook's order: all 1-grams, then 2-grams, ...

    CIDEr-D's floating-point sums follow this order, so it is part of the contract.
    """
    words = text.split()
    counts: dict[tuple[str, ...], int] = {}
    for k in range(1, n + 1):
        counts.update(Counter(zip(*(words[i:] for i in range(k)), strict=False)))
    return len(words), counts


def precook_all(texts: Sequence[str], n: int = MAX_N) -> list[tuple[int, dict[tuple[str, ...], int]]]:
    return [precook(text, n) for text in texts]
