"""Render a Scene to samples: harmonic tone, rhythmic clicks, bursts/chirps, coloured background, reverb.

Everything is float32 numpy and seeded from ``Scene.render_seed``; identical scenes give identical
samples. Rendering is vectorised (wavetable tone, IIR-coloured noise, one FFT convolution for reverb)
so a 10 s clip costs a few milliseconds.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from adiff_bench.data.synth.scenes import CLIP_SECONDS, SAMPLE_RATE, Scene

TABLE_SIZE = 4096
# Paul Kellet's economy pink-noise filter (−3 dB/octave within ±0.5 dB across the audio band).
PINK_B = np.array([0.049922035, -0.095993537, 0.050612699, -0.004408786])
PINK_A = np.array([1.0, -2.494956002, 2.017265875, -0.522189400])


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def _fade(n: int, sr: int, seconds: float = 0.02) -> np.ndarray:
    env = np.ones(n, dtype=np.float32)
    m = min(int(seconds * sr), n // 2)
    if m > 0:
        ramp = np.linspace(0.0, 1.0, m, dtype=np.float32)
        env[:m], env[n - m :] = ramp, ramp[::-1]
    return env


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@lru_cache(maxsize=4)  # the two clips of a pair mostly share their tone and background
def harmonic_tone(f0: float, tilt: float, n: int, sr: int, seed: int) -> np.ndarray:
    """A wavetable tone with harmonics k**-tilt up to 12 kHz and a slight vibrato; unit RMS, read-only."""
    rng = np.random.default_rng(seed)
    k = np.arange(1, max(2, int(12000 // f0)) + 1)
    phases = rng.uniform(0, 2 * np.pi, k.size)
    grid = np.arange(TABLE_SIZE) / TABLE_SIZE
    table = (k[:, None] ** -tilt * np.sin(2 * np.pi * k[:, None] * grid[None, :] + phases[:, None])).sum(axis=0)
    t = np.arange(n, dtype=np.float64) / sr
    # Phase in cycles of f0 * (1 + 0.004 sin(2π·5t + φ)), integrated in closed form.
    cycles = f0 * t - f0 * 0.004 / (2 * np.pi * 5.0) * np.cos(2 * np.pi * 5.0 * t + rng.uniform(0, 2 * np.pi))
    index = (cycles * TABLE_SIZE).astype(np.int64) & (TABLE_SIZE - 1)
    tone = table.astype(np.float32)[index] * _fade(n, sr)
    return _frozen(tone / max(_rms(tone), 1e-9))


def _click(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.012 * sr)
    t = np.arange(n) / sr
    return (np.exp(-t / 0.002) * (np.sin(2 * np.pi * 2800 * t) + 0.5 * rng.standard_normal(n))).astype(np.float32)


def _event(kind: str, sr: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "chirp":
        n = int(0.25 * sr)
        t = np.arange(n) / sr
        f_start, f_end = (700.0, 2400.0) if rng.random() < 0.5 else (2400.0, 700.0)
        phase = 2 * np.pi * (f_start * t + (f_end - f_start) * t**2 / (2 * t[-1]))
        return (np.sin(phase) * np.hanning(n)).astype(np.float32) * 1.4
    n = int(0.18 * sr)
    from scipy.signal import lfilter

    noise = lfilter([1.0, 0.0, -1.0], [1.0, -1.2, 0.6], rng.standard_normal(n))  # broad resonant band
    env = np.exp(-np.arange(n) / (0.05 * sr)) * _fade(n, sr, 0.004)
    burst = (noise * env).astype(np.float32)
    return burst / max(_rms(burst), 1e-9) * 1.2


def _place(target: np.ndarray, sound: np.ndarray, at: int) -> None:
    end = min(target.size, at + sound.size)
    if 0 <= at < end:
        target[at:end] += sound[: end - at]


@lru_cache(maxsize=4)
def _background(color: str, hum: bool, n: int, sr: int, seed: int) -> np.ndarray:
    """Unit-RMS pink or brown noise, optionally with 50 Hz hum; read-only."""
    from scipy.signal import lfilter

    white = np.random.default_rng(seed).standard_normal(n)
    if color == "pink":
        noise = lfilter(PINK_B, PINK_A, white)
    else:
        noise = lfilter([1.0], [1.0, -0.995], white)
        noise = lfilter([1.0, -1.0], [1.0, -0.9995], noise)  # remove the DC drift of the integrator
    noise = noise.astype(np.float32)
    noise /= max(_rms(noise), 1e-9)
    if hum:
        period = np.arange(sr // 50) / sr  # one 50 Hz period, tiled
        cycle = sum(np.sin(2 * np.pi * 50.0 * h * period) / h for h in (1, 2, 3)).astype(np.float32)
        hum_wave = np.tile(cycle, n // cycle.size + 1)[:n]
        noise = noise + 0.5 * hum_wave / max(_rms(hum_wave), 1e-9)
    return _frozen(noise)


def _reverb(dry: np.ndarray, rt60: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    from scipy.signal import fftconvolve

    n_ir = int(min(1.2 * rt60, 2.0) * sr)
    t = np.arange(n_ir) / sr
    ir = (rng.standard_normal(n_ir) * np.exp(-6.9 * t / rt60)).astype(np.float32)
    wet = fftconvolve(dry, ir)[: dry.size].astype(np.float32)
    wet *= _rms(dry) / max(_rms(wet), 1e-9)
    return np.sqrt(0.45, dtype=np.float32) * dry + np.sqrt(0.55, dtype=np.float32) * wet


def render(scene: Scene, sr: int = SAMPLE_RATE, seconds: float = CLIP_SECONDS) -> np.ndarray:
    """The clip as float32 in [-1, 1]; the foreground has RMS ``gain_db`` over its active span."""
    rng = np.random.default_rng(scene.render_seed)
    n = int(round(seconds * sr))
    s0 = int(scene.start * sr)
    s1 = min(n, s0 + int(scene.duration * sr))
    fg = np.zeros(n, dtype=np.float32)
    tone_seed, click_seed, event_seed, bg_seed, rev_seed = (int(x) for x in rng.integers(2**31, size=5))
    fg[s0:s1] = harmonic_tone(scene.f0, scene.tilt, s1 - s0, sr, tone_seed) * 0.8
    click_rng, event_rng, rev_rng = (np.random.default_rng(x) for x in (click_seed, event_seed, rev_seed))
    if scene.click_rate > 0:
        click = _click(sr, click_rng) * 1.6
        for at in np.arange(s0 + int(0.05 * sr), s1 - click.size, sr / scene.click_rate):
            _place(fg, click, int(at))
    if scene.n_events:
        # Event times come from a fixed list of slots so adding events keeps the earlier ones in place.
        slots = np.sort(event_rng.permutation(8)[: scene.n_events])
        span = (s1 - s0) / 8
        for slot in slots:
            sound = _event(scene.event_kind, sr, event_rng)
            jitter = event_rng.uniform(0.1, 0.5) * max(span - sound.size, 0)
            _place(fg, sound, int(s0 + slot * span + jitter))
    if scene.rt60 > 0:
        fg = _reverb(fg, scene.rt60, sr, rev_rng)
    fg /= max(_rms(fg[s0:s1]), 1e-9)  # after the reverb, so a room never changes the level
    mix = fg + _background(scene.bg_color, scene.hum, n, sr, bg_seed) * np.float32(10 ** (scene.bg_db / 20))
    mix *= np.float32(10 ** (scene.gain_db / 20))
    return np.clip(mix, -0.999, 0.999).astype(np.float32)
