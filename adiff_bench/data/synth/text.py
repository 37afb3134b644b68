"""Captions and reference explanations for synth pairs, in the style of the official ADIFF tiers.

Tier 1: one concise "Audio 1 features …, while Audio 2 …" sentence. Tier 2: one longer sentence on
the events, scene and signal properties. Tier 3: a detailed paragraph. Content descriptions use only
plain (non-comparative) words that are monotonic in the parameters, so a description never states a
difference the ground truth lacks; every true difference is stated with its direction.
"""

from __future__ import annotations

import numpy as np

from adiff_bench.data.synth.attributes import AUDIO1_HIGHER
from adiff_bench.data.synth.scenes import PairSpec, Scene

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")
NOUNS = {
    "loudness": "loudness",
    "pitch": "pitch",
    "brightness": "timbre",
    "tempo": "rhythm",
    "event_count": "number of events",
    "noise": "background noise level",
    "reverb": "reverberation",
    "duration": "duration",
}
# (phrase when this clip has more, phrase when it has less); used after "is" / "sounds".
PHRASES = {
    "loudness": ("louder", "quieter"),
    "pitch": ("higher-pitched", "lower-pitched"),
    "brightness": ("brighter in timbre", "duller in timbre"),
    "tempo": ("faster in its ticking rhythm", "slower in its ticking rhythm"),
    "event_count": ("busier, with more distinct sound events", "sparser, with fewer distinct sound events"),
    "noise": ("noisier, with more background hiss", "cleaner, with less background noise"),
    "reverb": ("more reverberant", "drier and less reverberant"),
    "duration": ("longer-lasting", "shorter in duration"),
}
INTERPRETATIONS = {
    "loudness": "a change in recording level or distance",
    "pitch": "a differently tuned source",
    "brightness": "a different instrument colour",
    "tempo": "a different pace of the mechanical ticking",
    "event_count": "a scene with a different number of incidents",
    "noise": "a different recording environment",
    "reverb": "a different room",
    "duration": "a source that sounds for a different length of time",
}


def _pitch_word(f0: float) -> str:
    return "low-pitched" if f0 < 180 else ("mid-pitched" if f0 < 360 else "high-pitched")


def _tone_word(tilt: float) -> str:
    return "buzzy, bright" if tilt < 1.3 else ("organ-like" if tilt < 2.1 else "mellow, dull")


def _background_words(scene: Scene) -> str:
    level = "faint" if scene.bg_db < -38 else ("steady" if scene.bg_db < -26 else "heavy")
    kind = "hiss" if scene.bg_color == "pink" else "rumble"
    hum = " and electrical hum" if scene.hum else ""
    return f"{level} background {kind}{hum}"


def _events_words(scene: Scene) -> str:
    if not scene.n_events:
        return ""
    kind = "noise bursts" if scene.event_kind == "burst" else "chirps"
    if scene.n_events == 1:
        kind = kind[:-1]
    return f"{NUMBER_WORDS[scene.n_events]} {kind}"


def _ticking_words(scene: Scene) -> str:
    if scene.click_rate <= 0:
        return ""
    pace = "slow" if scene.click_rate < 2.5 else ("steady" if scene.click_rate < 5 else "rapid")
    return f"{pace} ticking"


def caption(scene: Scene) -> str:
    """A short content caption (no comparisons), e.g. for the caption-oracle model."""
    parts = [f"A {_pitch_word(scene.f0)} {_tone_word(scene.tilt)} tone"]
    extras = [w for w in (_ticking_words(scene), _events_words(scene)) if w]
    if extras:
        parts.append("with " + " and ".join(extras))
    parts.append(f"over {_background_words(scene)}")
    if scene.rt60 > 0:
        parts.append("in a reverberant hall")
    return " ".join(parts)


def _short_description(scene: Scene) -> str:
    extras = [w for w in (_ticking_words(scene), _events_words(scene)) if w]
    tail = f" with {' and '.join(extras)}" if extras else ""
    return f"a {_pitch_word(scene.f0)} {_tone_word(scene.tilt)} tone{tail}"


def _long_description(scene: Scene) -> str:
    text = (
        f"a {_pitch_word(scene.f0)} {_tone_word(scene.tilt)} harmonic tone around {scene.f0:.0f} Hz "
        f"that sounds for about {scene.duration:.1f} seconds"
    )
    if scene.click_rate > 0:
        text += f", a {_ticking_words(scene)} at about {scene.click_rate:.1f} clicks per second"
    if scene.n_events:
        text += f", {_events_words(scene)} scattered through it"
    text += f", and {_background_words(scene)}"
    text += ", all in a reverberant hall" if scene.rt60 > 0 else ", recorded dry and close"
    return text


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _phrases(pair: PairSpec, clip: int) -> list[str]:
    out = []
    for attribute, direction in pair.differences.items():
        more = (direction == AUDIO1_HIGHER) == (clip == 1)
        out.append(PHRASES[attribute][0 if more else 1])
    return out


def tier1(pair: PairSpec) -> str:
    if not pair.differences:
        return f"Audio 1 and Audio 2 both feature {_short_description(pair.scene1)}, with no notable difference."
    return (
        f"Audio 1 features {_short_description(pair.scene1)} that is {_join(_phrases(pair, 1))}, "
        f"while Audio 2 is {_join(_phrases(pair, 2))}."
    )


def tier2(pair: PairSpec) -> str:
    if not pair.differences:
        return (
            f"There is no notable difference between the two audios, as both feature "
            f"{_short_description(pair.scene1)} over {_background_words(pair.scene1)} with the same level, "
            "pitch and timing, suggesting two copies of the same recording."
        )
    nouns = _join([NOUNS[a] for a in pair.differences])
    reasons = _join([INTERPRETATIONS[a] for a in pair.differences])
    return (
        f"The two audios differ in their {nouns}, with the first audio featuring {_short_description(pair.scene1)} "
        f"over {_background_words(pair.scene1)} that is {_join(_phrases(pair, 1))}, whereas the second audio is "
        f"{_join(_phrases(pair, 2))}, suggesting {reasons}."
    )


def _detail_sentence(attribute: str, direction: str, pair: PairSpec, rng: np.random.Generator) -> str:
    """One sentence per difference; half name the higher clip first, half the lower (swapped order)."""
    s1, s2 = pair.scene1, pair.scene2
    facts = {
        "loudness": f"by roughly {abs(s1.gain_db - s2.gain_db):.0f} dB",
        "pitch": f"({s1.f0:.0f} Hz against {s2.f0:.0f} Hz)",
        "brightness": "with its upper harmonics more or less prominent",
        "tempo": f"({s1.click_rate:.1f} against {s2.click_rate:.1f} clicks per second)",
        "event_count": f"({s1.n_events} events against {s2.n_events})",
        "noise": f"(a noise floor about {abs(s1.bg_db - s2.bg_db):.0f} dB apart)",
        "reverb": "with audible tails after every sound",
        "duration": f"({s1.duration:.1f} s against {s2.duration:.1f} s)",
    }
    more, less = PHRASES[attribute]
    high, low = ("Audio 1", "Audio 2") if direction == AUDIO1_HIGHER else ("Audio 2", "Audio 1")
    if rng.random() < 0.5:
        return f"{high} is clearly {more} than {low} {facts[attribute]}."
    return f"Compared with {high}, {low} is {less} {facts[attribute]}."


def tier3(pair: PairSpec, rng: np.random.Generator) -> str:
    if not pair.differences:
        return (
            f"As I listen to the two audios, I notice that both present {_long_description(pair.scene1)}. "
            "Their loudness, pitch, timbre, rhythm, background and room sound match throughout, and I cannot "
            "hear any notable difference between them; they appear to be the same recording played twice."
        )
    details = " ".join(_detail_sentence(a, d, pair, rng) for a, d in pair.differences.items())
    nouns = _join([NOUNS[a] for a in pair.differences])
    return (
        f"As I listen to the two audios, I notice that Audio 1 presents {_long_description(pair.scene1)}. "
        f"In contrast, Audio 2 presents {_long_description(pair.scene2)}. {details} "
        f"The difference between the two audios lies in their {nouns}, while their other acoustic properties "
        "remain much the same."
    )
