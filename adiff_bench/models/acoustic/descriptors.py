"""Signal descriptors of one clip, pure numpy/scipy: level, brightness, pitch, onsets, noise floor,
decay (a reverberation proxy) and active duration. Works on any mono clip, not only synth."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

FRAME = 1024
HOP = 512
FLOOR_DB = -100.0
MAX_PITCH_FRAMES = 160


@dataclass(frozen=True)
class Descriptors:
    loudness_db: float  # gated mean power (BS.1770-style gates, no K-weighting), dBFS
    centroid_hz: float  # spectral centroid of the mean active spectrum
    f0_hz: float | None  # median pitch of periodic frames; None when too few are periodic
    voiced_fraction: float  # periodic share of active frames
    onset_count: int  # brief transients (clicks, taps): at most ~50 ms above the preceding level
    onset_rate: float  # brief transients per active second
    onset_cv: float | None  # variation of their inter-onset intervals (low = regular rhythm)
    event_count: int  # sustained events: onsets that stay above the preceding level for ~50 ms
    flatness: float  # spectral flatness of the mean active spectrum (1 = white noise)
    noise_floor_db: float  # stationary background estimate relative to loudness, dB
    decay_s: float | None  # median 5→15 dB fall time after sound offsets; None when none measurable
    active_seconds: float

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _frames(audio: np.ndarray) -> np.ndarray:
    if audio.size < FRAME:
        audio = np.pad(audio, (0, FRAME - audio.size))
    n = 1 + (audio.size - FRAME) // HOP
    return np.lib.stride_tricks.as_strided(audio, (n, FRAME), (audio.strides[0] * HOP, audio.strides[0]))


def _db(power: np.ndarray | float) -> np.ndarray:
    return 10.0 * np.log10(np.maximum(power, 1e-10))


def _gated_loudness(power: np.ndarray) -> float:
    level = _db(power)
    keep = level > -70.0
    if not keep.any():
        return FLOOR_DB
    relative_gate = float(_db(power[keep].mean())) - 10.0
    keep &= level > relative_gate
    return float(_db(power[keep].mean()))


def _pitch(frames: np.ndarray, sr: int, fmin: float = 70.0, fmax: float = 1000.0) -> tuple[np.ndarray, np.ndarray]:
    """YIN-style cumulative-mean-normalised difference from FFT autocorrelation; per frame f0 (0 = aperiodic)."""
    if frames.shape[0] == 0:
        return np.zeros(0), np.zeros(0, dtype=bool)
    from scipy import fft

    x = frames - frames.mean(axis=1, keepdims=True)
    spec = fft.rfft(x, n=2 * FRAME, axis=1)
    ac = fft.irfft(spec.real**2 + spec.imag**2, axis=1)[:, :FRAME].astype(np.float64)
    ac = ac / (FRAME - np.arange(FRAME))[None, :] * FRAME  # unbiased
    tau_max = min(int(sr / fmin), FRAME // 2)
    tau_min = max(2, int(sr / fmax))
    diff = 2.0 * (ac[:, :1] - ac[:, : tau_max + 1])
    diff[:, 0] = 0.0
    cumulative = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * np.arange(1, tau_max + 1)[None, :] / np.maximum(cumulative, 1e-12)
    search = cmnd[:, tau_min:]
    below = search < 0.2
    voiced = below.any(axis=1)
    f0 = np.zeros(frames.shape[0])
    for i in np.flatnonzero(voiced):
        first = int(np.argmax(below[i]))
        end = first
        while end + 1 < search.shape[1] and search[i, end + 1] < search[i, end]:
            end += 1
        tau = end + tau_min
        if 1 <= tau < cmnd.shape[1] - 1:  # parabolic refinement
            a, b, c = cmnd[i, tau - 1], cmnd[i, tau], cmnd[i, tau + 1]
            shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
            tau = tau + min(1.0, max(-1.0, float(shift)))
        f0[i] = sr / tau
    return f0, voiced


def _onsets(log_spec: np.ndarray) -> np.ndarray:
    from scipy.ndimage import median_filter
    from scipy.signal import find_peaks

    if log_spec.shape[0] < 3:
        return np.zeros(0, dtype=int)
    flux = np.maximum(np.diff(log_spec, axis=0), 0.0).mean(axis=1)
    scale = np.percentile(flux, 99) or 1.0
    flux = flux / scale
    threshold = median_filter(flux, size=31, mode="nearest") + 0.15
    peaks, _ = find_peaks(flux, height=threshold, distance=4)
    return peaks + 1


def _sustained(level: np.ndarray, onset: int, frames: int = 3, rise_db: float = 3.0) -> bool:
    """Does the level stay ``rise_db`` above the level before the onset for ``frames`` hops after it?"""
    before = level[max(0, onset - 4) : max(1, onset - 1)]
    after = level[onset + 1 : onset + 1 + frames]
    return after.size == frames and bool((after >= float(np.median(before)) + rise_db).all())


def _decay(level: np.ndarray, active: np.ndarray, sr: int) -> float | None:
    """Median time between falling 5 and 15 dB below the level before each offset of a ≥0.2 s sound."""
    hop_s = HOP / sr
    edges = np.flatnonzero(active[:-1] & ~active[1:])
    horizon = int(1.0 / hop_s)
    times = []
    for end in edges:
        start = end
        while start > 0 and active[start - 1]:
            start -= 1
        if (end - start + 1) * hop_s < 0.2:
            continue
        reference = float(np.median(level[max(start, end - 8) : end - 2])) if end - start > 4 else float(level[end])
        tail = level[end - 2 : end + horizon]
        if tail.size < 4 or tail.min() > reference - 17:
            continue  # the floor hides the decay
        t5 = int(np.argmax(tail <= reference - 5))
        t15 = int(np.argmax(tail <= reference - 15))
        if t15 >= t5:
            times.append((t15 - t5) * hop_s)
    return float(np.median(times)) if times else None


def describe(audio: np.ndarray, sr: int) -> Descriptors:
    from scipy import fft

    audio = np.ascontiguousarray(audio, dtype=np.float32)
    frames = _frames(audio)
    power = np.mean(np.square(frames, dtype=np.float64), axis=1)
    level = _db(power)
    loudness = _gated_loudness(power)
    window = np.hanning(FRAME).astype(np.float32)
    complex_spec = fft.rfft(frames * window, axis=1)
    spectrum = complex_spec.real**2 + complex_spec.imag**2
    freqs = np.fft.rfftfreq(FRAME, 1.0 / sr)
    # Stationary floor: per-bin 10th percentile over time, median over bins (ignores tonal lines).
    floor_spec = np.percentile(spectrum, 10, axis=0)
    mean_spec_all = spectrum.mean(axis=0)
    scale = float(power.mean() / max(mean_spec_all.sum(), 1e-20))
    floor_total = float(np.median(floor_spec) * floor_spec.size * scale)
    noise_floor = float(_db(floor_total))
    threshold = max(loudness - 15.0, noise_floor + 8.0, -70.0)
    active = level >= threshold
    hop_s = HOP / sr
    active_seconds = float(active.sum() * hop_s)
    if active.any():
        mean_spec = spectrum[active].mean(axis=0)
    else:
        mean_spec = mean_spec_all
    total = float(mean_spec.sum())
    # Median of per-frame centroids: the sustained sound decides, not a few broadband transients.
    chosen = spectrum[active] if active.any() else spectrum
    frame_centroids = (chosen @ freqs.astype(np.float32)) / np.maximum(chosen.sum(axis=1), 1e-20)
    centroid = float(np.median(frame_centroids)) if total > 0 else 0.0
    flatness = float(np.exp(np.mean(np.log(mean_spec + 1e-20))) / max(mean_spec.mean(), 1e-20)) if total > 0 else 0.0
    active_index = np.flatnonzero(active)
    if active_index.size > MAX_PITCH_FRAMES:  # evenly spaced subset: the median needs no more
        active_index = active_index[np.linspace(0, active_index.size - 1, MAX_PITCH_FRAMES).astype(int)]
    f0, voiced = _pitch(frames[active_index], sr)
    voiced_fraction = float(voiced.mean()) if voiced.size else 0.0
    f0_hz = float(np.exp(np.median(np.log(f0[voiced])))) if voiced.sum() >= max(5, 0.2 * voiced.size) else None
    onsets = _onsets(np.log(spectrum + 1e-10 * max(float(spectrum.max()), 1e-20)))
    onsets = onsets[active[onsets]] if onsets.size else onsets
    sustained = np.array([_sustained(level, int(o)) for o in onsets], dtype=bool)
    events, onsets = onsets[sustained], onsets[~sustained]
    intervals = np.diff(onsets) * hop_s
    onset_cv = float(intervals.std() / intervals.mean()) if intervals.size >= 2 and intervals.mean() > 0 else None
    return Descriptors(
        loudness_db=loudness,
        centroid_hz=centroid,
        f0_hz=f0_hz,
        voiced_fraction=voiced_fraction,
        onset_count=int(onsets.size),
        onset_rate=float(onsets.size / active_seconds) if active_seconds > 0 else 0.0,
        onset_cv=onset_cv,
        event_count=int(events.size),
        flatness=flatness,
        noise_floor_db=noise_floor - loudness if loudness > FLOOR_DB else 0.0,
        decay_s=_decay(level, active, sr),
        active_seconds=active_seconds,
    )
