"""Turn two clips' descriptors into stated differences and tiered text in the official ADIFF style."""

from __future__ import annotations

import math
from dataclasses import dataclass

from adiff_bench.models.acoustic.descriptors import FLOOR_DB, Descriptors


@dataclass(frozen=True)
class Thresholds:
    """Smallest descriptor change stated as a difference; defaults are roughly 2x a just-audible change."""

    loudness_db: float = 4.0  # gated level difference
    pitch_semitones: float = 2.0  # median f0 difference
    brightness_ratio: float = 1.25  # spectral centroid ratio
    rate_ratio: float = 1.4  # transient-rate ratio (tempo)
    min_onsets: int = 3  # fewer transients than this in either clip: no rhythm to compare
    regular_cv: float = 0.35  # inter-onset variation below this counts as a regular rhythm
    min_event_difference: int = 2  # sustained-event counts this far apart
    noise_db: float = 6.0  # noise floor (relative to level) difference
    decay_ratio: float = 2.0  # reverb: decay-time ratio ...
    decay_min_s: float = 0.08  # ... with the longer decay at least this long
    duration_ratio: float = 1.3  # active-duration ratio ...
    duration_min_s: float = 1.0  # ... and at least this many seconds apart


@dataclass(frozen=True)
class Difference:
    attribute: str
    higher: int  # 1 or 2: the clip with more of the attribute
    detail: str  # the measured values, e.g. "-18 dB vs -27 dB"


def _higher(a: float, b: float) -> int:
    return 1 if a > b else 2


def compare(d1: Descriptors, d2: Descriptors, t: Thresholds) -> list[Difference]:
    out: list[Difference] = []
    if abs(d1.loudness_db - d2.loudness_db) >= t.loudness_db:
        detail = f"{d1.loudness_db:.0f} dB vs {d2.loudness_db:.0f} dB"
        out.append(Difference("loudness", _higher(d1.loudness_db, d2.loudness_db), detail))
    if d1.f0_hz and d2.f0_hz and abs(12 * math.log2(d1.f0_hz / d2.f0_hz)) >= t.pitch_semitones:
        out.append(Difference("pitch", _higher(d1.f0_hz, d2.f0_hz), f"about {d1.f0_hz:.0f} Hz vs {d2.f0_hz:.0f} Hz"))
    c1, c2 = max(d1.centroid_hz, 1.0), max(d2.centroid_hz, 1.0)
    # A pitch change moves the centroid by itself; only the part the pitch does not explain is timbre.
    pitch_shift = math.log(d1.f0_hz / d2.f0_hz) if d1.f0_hz and d2.f0_hz else 0.0
    audible = d1.active_seconds > 0 and d2.active_seconds > 0  # silence has no timbre
    if audible and abs(math.log(c1 / c2) - pitch_shift) >= math.log(t.brightness_ratio):
        higher = 1 if math.log(c1 / c2) > pitch_shift else 2
        out.append(Difference("brightness", higher, f"spectral centroid {c1:.0f} Hz vs {c2:.0f} Hz"))
    if min(d1.onset_count, d2.onset_count) >= t.min_onsets and all(
        d.onset_cv is not None and d.onset_cv < t.regular_cv for d in (d1, d2)
    ):
        r1, r2 = max(d1.onset_rate, 1e-6), max(d2.onset_rate, 1e-6)
        if max(r1, r2) / min(r1, r2) >= t.rate_ratio:
            detail = f"{d1.onset_rate:.1f} vs {d2.onset_rate:.1f} onsets per second"
            out.append(Difference("tempo", _higher(r1, r2), detail))
    if abs(d1.event_count - d2.event_count) >= t.min_event_difference:
        detail = f"{d1.event_count} vs {d2.event_count} sustained sound events"
        out.append(Difference("event_count", _higher(d1.event_count, d2.event_count), detail))
    # Silence has no noise floor below its level (both are the digital floor): it is not "noisier", only quieter.
    if audible and abs(d1.noise_floor_db - d2.noise_floor_db) >= t.noise_db:
        detail = f"noise floor {d1.noise_floor_db:.0f} dB vs {d2.noise_floor_db:.0f} dB below the level"
        out.append(Difference("noise", _higher(d1.noise_floor_db, d2.noise_floor_db), detail))
    if d1.decay_s is not None and d2.decay_s is not None:
        long, short = max(d1.decay_s, d2.decay_s), max(min(d1.decay_s, d2.decay_s), 0.016)
        if long >= t.decay_min_s and long / short >= t.decay_ratio:
            detail = f"decay {d1.decay_s:.2f} s vs {d2.decay_s:.2f} s"
            out.append(Difference("reverb", _higher(d1.decay_s, d2.decay_s), detail))
    a1, a2 = d1.active_seconds, d2.active_seconds
    if abs(a1 - a2) >= t.duration_min_s and max(a1, a2) / max(min(a1, a2), 1e-3) >= t.duration_ratio:
        out.append(Difference("duration", _higher(a1, a2), f"{a1:.1f} s vs {a2:.1f} s of sound"))
    return out


MORE = {
    "loudness": "louder",
    "pitch": "higher-pitched",
    "brightness": "brighter",
    "tempo": "faster in rhythm",
    "event_count": "busier, with more sound events",
    "noise": "noisier",
    "reverb": "more reverberant",
    "duration": "longer-lasting",
}
LESS = {
    "loudness": "quieter",
    "pitch": "lower-pitched",
    "brightness": "duller",
    "tempo": "slower in rhythm",
    "event_count": "sparser, with fewer sound events",
    "noise": "cleaner",
    "reverb": "drier",
    "duration": "shorter",
}
NOUN = {
    "loudness": "loudness",
    "pitch": "pitch",
    "brightness": "brightness",
    "tempo": "tempo",
    "event_count": "number of sound events",
    "noise": "background noise",
    "reverb": "reverberation",
    "duration": "duration",
}


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _side(differences: list[Difference], clip: int) -> str:
    return _join([(MORE if d.higher == clip else LESS)[d.attribute] for d in differences])


def _profile(d: Descriptors) -> str:
    if d.active_seconds == 0 and d.loudness_db <= FLOOR_DB:
        return "only silence, with no sound above -70 dB"
    pitch = f"a pitch near {d.f0_hz:.0f} Hz" if d.f0_hz else "no clear pitch"
    return (
        f"a level of {d.loudness_db:.0f} dB, {pitch}, a spectral centroid of {d.centroid_hz:.0f} Hz, "
        f"{d.onset_count} onsets and about {d.active_seconds:.1f} seconds of sound"
    )


def verbalise(differences: list[Difference], d1: Descriptors, d2: Descriptors, tier: int) -> str:
    if not differences:
        if tier == 1:
            return "Audio 1 and Audio 2 sound much the same, with no notable difference."
        if tier == 2:
            return (
                "There is no notable difference between the two audios, which share the same level, pitch, "
                "brightness, rhythm and background."
            )
        return (
            f"As I listen to the two audios, I notice that Audio 1 has {_profile(d1)}, and Audio 2 has "
            f"{_profile(d2)}. These measurements are close, and I cannot hear any notable difference between them."
        )
    if tier == 1:
        return f"Audio 1 is {_side(differences, 1)}, while Audio 2 is {_side(differences, 2)}."
    nouns = _join([NOUN[d.attribute] for d in differences])
    if tier == 2:
        return (
            f"The two audios differ in their {nouns}, with the first audio being {_side(differences, 1)}, "
            f"whereas the second audio is {_side(differences, 2)}."
        )
    sentences = []
    for d in differences:
        high, low = ("Audio 1", "Audio 2") if d.higher == 1 else ("Audio 2", "Audio 1")
        sentences.append(f"{high} is {MORE[d.attribute]} than {low} ({d.detail}).")
    return (
        f"As I listen to the two audios, I notice that Audio 1 has {_profile(d1)}, while Audio 2 has "
        f"{_profile(d2)}. {' '.join(sentences)} The difference between the two audios lies in their {nouns}."
    )
