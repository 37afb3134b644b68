"""Scene parameters of a synth clip and the seeded sampling of pairs that differ in known attributes.

Each pair draws from its own ``numpy`` Generator seeded by ``(seed, pair index)``, so pair *i* is the
same whatever ``n_pairs`` is, and no global random state is touched.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np

from adiff_bench.data.synth.attributes import ATTRIBUTES, AUDIO1_HIGHER, AUDIO2_HIGHER, flip

CLIP_SECONDS = 10.0
SAMPLE_RATE = 32000


@dataclass(frozen=True)
class Scene:
    gain_db: float  # foreground RMS over its active span, dBFS
    f0: float  # fundamental of the harmonic tone, Hz
    tilt: float  # harmonic amplitude ~ k**-tilt: lower is brighter
    click_rate: float  # rhythmic clicks per second; 0 = no rhythm
    n_events: int  # discrete foreground events (noise bursts or chirps)
    event_kind: str  # "burst" | "chirp"
    bg_db: float  # background noise level relative to the foreground, dB
    bg_color: str  # "pink" | "brown"
    hum: bool  # mains hum under the background
    rt60: float  # reverberation time, s; 0 = dry
    duration: float  # active span of the foreground, s
    start: float  # where the active span starts, s
    render_seed: int  # noise realisations and event times

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class PairSpec:
    index: int
    kind: str  # "different" | "identical" | "swapped"
    scene1: Scene
    scene2: Scene
    differences: dict[str, str]
    twin_of: int | None = None


def _uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _sample_scene(rng: np.random.Generator) -> Scene:
    duration = _uniform(rng, 3.0, 9.0)
    return Scene(
        gain_db=_uniform(rng, -30.0, -18.0),
        f0=float(math.exp(rng.uniform(math.log(120.0), math.log(480.0)))),
        tilt=_uniform(rng, 0.7, 2.7),
        click_rate=_uniform(rng, 1.5, 6.0) if rng.random() < 0.6 else 0.0,
        n_events=int(rng.integers(0, 5)),
        event_kind="burst" if rng.random() < 0.6 else "chirp",
        bg_db=_uniform(rng, -45.0, -22.0),
        bg_color="pink" if rng.random() < 0.6 else "brown",
        hum=bool(rng.random() < 0.3),
        rt60=_uniform(rng, 0.8, 1.6) if rng.random() < 0.4 else 0.0,
        duration=duration,
        start=_uniform(rng, 0.2, CLIP_SECONDS - duration - 0.2),
        render_seed=int(rng.integers(0, 2**31 - 1)),
    )


def _shift(
    rng: np.random.Generator, value: float, lo: float, hi: float, step: tuple[float, float]
) -> tuple[float, str]:
    """Move ``value`` by a step in a feasible random direction; returns (new value, which clip is higher)."""
    up_room, down_room = hi - value, value - lo
    options = [s for s, room in ((1, up_room), (-1, down_room)) if room >= step[0]]
    sign = int(rng.choice(options)) if options else (1 if up_room >= down_room else -1)
    room = up_room if sign > 0 else down_room
    size = _uniform(rng, step[0], max(step[0], min(step[1], room)))
    return value + sign * size, (AUDIO2_HIGHER if sign > 0 else AUDIO1_HIGHER)


def _apply(rng: np.random.Generator, attribute: str, base: Scene, other: Scene) -> tuple[Scene, Scene, str]:
    """Return (scene1, scene2, direction) with ``attribute`` changed between them by a clear step."""
    if attribute == "loudness":
        value, d = _shift(rng, base.gain_db, -38.0, -12.0, (8.0, 12.0))
        return base, replace(other, gain_db=value), d
    if attribute == "pitch":
        value, d = _shift(rng, math.log2(base.f0), math.log2(90.0), math.log2(900.0), (0.6, 1.0))
        return base, replace(other, f0=2.0**value), d
    if attribute == "brightness":  # lower tilt is brighter, so the direction flips
        value, d = _shift(rng, base.tilt, 0.5, 3.0, (1.2, 1.8))
        return base, replace(other, tilt=value), flip(d)
    if attribute == "tempo":
        rate = base.click_rate or _uniform(rng, 1.5, 4.0)
        base = replace(base, click_rate=rate)
        value, d = _shift(rng, math.log2(rate), math.log2(1.0), math.log2(10.0), (0.85, 1.3))
        return base, replace(other, click_rate=2.0**value), d
    if attribute == "event_count":
        count = base.n_events
        choices = [c for c in range(0, 7) if abs(c - count) >= 2]
        value = int(rng.choice(choices))
        return base, replace(other, n_events=value), AUDIO2_HIGHER if value > count else AUDIO1_HIGHER
    if attribute == "noise":
        value, d = _shift(rng, base.bg_db, -50.0, -12.0, (15.0, 22.0))
        return base, replace(other, bg_db=value), d
    if attribute == "reverb":
        if base.rt60 > 0:
            return base, replace(other, rt60=0.0), AUDIO1_HIGHER
        return base, replace(other, rt60=_uniform(rng, 0.9, 1.6)), AUDIO2_HIGHER
    if attribute == "duration":
        value, d = _shift(rng, math.log2(base.duration), math.log2(2.0), math.log2(9.6), (0.7, 1.5))
        duration = 2.0**value
        start = min(base.start, CLIP_SECONDS - duration - 0.1)
        return base, replace(other, duration=duration, start=max(0.1, start)), d
    raise ValueError(f"unknown attribute {attribute!r}")


def _different_pair(rng: np.random.Generator, index: int) -> PairSpec:
    base = _sample_scene(rng)
    k = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
    chosen = sorted(rng.choice(len(ATTRIBUTES), size=k, replace=False).tolist())
    other = base
    differences: dict[str, str] = {}
    for position in chosen:
        attribute = ATTRIBUTES[position]
        base, other, differences[attribute] = _apply(rng, attribute, base, other)
    return PairSpec(index, "different", base, other, differences)


def sample_pairs(seed: int, n_pairs: int) -> list[PairSpec]:
    """Pairs in row order: every 10th row (i % 10 == 9) identical, rows i % 10 == 4 swap row i-1."""
    pairs: list[PairSpec] = []
    for index in range(n_pairs):
        rng = np.random.default_rng([seed, index])
        if index % 10 == 9:
            scene = _sample_scene(rng)
            pairs.append(PairSpec(index, "identical", scene, scene, {}))
        elif index % 10 == 4:
            twin = pairs[index - 1]
            flipped = {a: flip(d) for a, d in twin.differences.items()}
            pairs.append(PairSpec(index, "swapped", twin.scene2, twin.scene1, flipped, twin_of=index - 1))
        else:
            pairs.append(_different_pair(rng, index))
    return pairs
