"""Reference models that need no weights and no audio: an upper-bound oracle and a lower bound.

``caption-oracle`` reads the ground-truth captions of both clips, which no real system sees; its scores
say how far caption-level knowledge goes, not what a model can do from audio.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from adiff_bench.models.base import ModelNeeds, Request

TEMPLATE_VERSION = "v1"


def _clean(caption: str | None) -> str:
    text = " ".join((caption or "").split()).rstrip(".")
    return text[:1].lower() + text[1:] if text else "an unidentified sound"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


ORACLE_TEMPLATES = {
    1: "Audio 1 features {a}, while Audio 2 features {b}.",
    2: (
        "The two audios differ in their sound events and acoustic scene, with the first audio featuring {a}, "
        "whereas the second audio features {b}."
    ),
    3: (
        "The first audio features {a}. In contrast, the second audio features {b}. "
        "The two recordings therefore differ in the sound events they contain, in the acoustic scene they "
        "suggest and in the signal characteristics those sources produce, such as loudness, pitch and texture."
    ),
}

CONSTANT_TEXTS = {
    1: "Audio 1 and Audio 2 contain different sounds.",
    2: (
        "The two audios differ in their acoustic properties, with the first audio featuring one set of sound "
        "events and the second audio featuring a different set of sound events."
    ),
    3: (
        "The two audios differ in their acoustic properties. The first audio contains one set of sound events "
        "with its own loudness, pitch and texture. The second audio contains a different set of sound events "
        "with different characteristics. Together these differences make the two recordings sound distinct."
    ),
}


class CaptionOracle:
    """ORACLE: writes the difference from the two ground-truth captions with a tier template."""

    name = "caption-oracle"
    needs = ModelNeeds(needs_audio=False, needs_captions=True)

    def fingerprint(self) -> str:
        return _fingerprint(self.name, TEMPLATE_VERSION, *ORACLE_TEMPLATES.values())

    def generate(self, requests: Sequence[Request]) -> list[str]:
        return [ORACLE_TEMPLATES[r.tier].format(a=_clean(r.caption1), b=_clean(r.caption2)) for r in requests]


class Constant:
    """Lower bound: one tier-appropriate generic sentence for every pair."""

    name = "constant"
    needs = ModelNeeds(needs_audio=False)

    def fingerprint(self) -> str:
        return _fingerprint(self.name, TEMPLATE_VERSION, *CONSTANT_TEXTS.values())

    def generate(self, requests: Sequence[Request]) -> list[str]:
        return [CONSTANT_TEXTS[r.tier] for r in requests]
