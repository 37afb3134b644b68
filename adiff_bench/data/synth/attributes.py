"""The attributes a synth pair can differ in, and how a direction is written.

A direction says which clip has *more* of the attribute: louder, higher-pitched, brighter, faster,
more events, noisier, more reverberant, longer.
"""

from __future__ import annotations

ATTRIBUTES: tuple[str, ...] = (
    "loudness",
    "pitch",
    "brightness",
    "tempo",
    "event_count",
    "noise",
    "reverb",
    "duration",
)
AUDIO1_HIGHER = "audio1_higher"
AUDIO2_HIGHER = "audio2_higher"
DIRECTIONS: tuple[str, ...] = (AUDIO1_HIGHER, AUDIO2_HIGHER)

# Words for "more" / "less" of each attribute, used by the reference writer and the report.
MORE_LESS: dict[str, tuple[str, str]] = {
    "loudness": ("louder", "quieter"),
    "pitch": ("higher-pitched", "lower-pitched"),
    "brightness": ("brighter", "duller"),
    "tempo": ("faster", "slower"),
    "event_count": ("more events", "fewer events"),
    "noise": ("noisier", "cleaner"),
    "reverb": ("more reverberant", "drier"),
    "duration": ("longer", "shorter"),
}


def flip(direction: str) -> str:
    return AUDIO2_HIGHER if direction == AUDIO1_HIGHER else AUDIO1_HIGHER
