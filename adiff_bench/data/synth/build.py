"""Write a synth dataset folder: three tier CSVs, 16-bit wavs and the ground-truth differences."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from adiff_bench.data.synth.render import render
from adiff_bench.data.synth.scenes import SAMPLE_RATE, PairSpec, sample_pairs
from adiff_bench.data.synth.text import caption, tier1, tier2, tier3

COLUMNS = ("taskname", "filepath1", "filepath2", "caption1", "caption2", "input", "answer")
TIER_FILES = {
    1: ("synth_test_adiff_fewwords_answer.csv", "explain the difference in few words"),
    2: ("synth_test_adiff_sentence_answer.csv", "explain the difference in a sentence"),
    3: ("synth_test_adiff_detail_answer.csv", "explain the difference in detail"),
}
GROUND_TRUTH_FILE = "synth_test_differences.json"
# Bump whenever generated audio or text changes: a cached folder of another version is rebuilt.
GENERATOR_VERSION = 1
TASKNAME = "synth"


def item_id(index: int) -> str:
    return f"synth-test-{index:05d}"


def _write_wav(path: Path, audio: np.ndarray) -> None:
    import soundfile as sf

    pcm = np.round(np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)
    sf.write(str(path), pcm, SAMPLE_RATE, subtype="PCM_16", format="WAV")


def _files(pairs: list[PairSpec]) -> list[tuple[str, str]]:
    """Swapped twins reuse their twin's files in the other order; everything else has its own two."""
    names: list[tuple[str, str]] = []
    for pair in pairs:
        if pair.kind == "swapped" and pair.twin_of is not None:
            a, b = names[pair.twin_of]
            names.append((b, a))
        else:
            names.append((f"audio/pair{pair.index:03d}_a.wav", f"audio/pair{pair.index:03d}_b.wav"))
    return names


def _csv_text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def build_synth(folder: Path, seed: int, n_pairs: int) -> None:
    """Fill an empty ``folder``; the caller makes it appear atomically."""
    pairs = sample_pairs(seed, n_pairs)
    files = _files(pairs)
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    for pair, (path1, path2) in zip(pairs, files, strict=True):
        if pair.kind == "swapped":
            continue
        audio1 = render(pair.scene1)
        _write_wav(folder / path1, audio1)
        _write_wav(folder / path2, audio1 if pair.kind == "identical" else render(pair.scene2))
    rows: dict[int, list[dict[str, str]]] = {tier: [] for tier in TIER_FILES}
    truth = []
    for pair, (path1, path2) in zip(pairs, files, strict=True):
        text_rng = np.random.default_rng([seed, pair.index, 1])
        answers = {1: tier1(pair), 2: tier2(pair), 3: tier3(pair, text_rng)}
        for tier, (_, prompt) in TIER_FILES.items():
            rows[tier].append(
                {
                    "taskname": TASKNAME,
                    "filepath1": path1,
                    "filepath2": path2,
                    "caption1": caption(pair.scene1),
                    "caption2": caption(pair.scene2),
                    "input": prompt,
                    "answer": answers[tier],
                }
            )
        truth.append(
            {
                "id": item_id(pair.index),
                "row": pair.index,
                "kind": pair.kind,
                "twin_of": None if pair.twin_of is None else item_id(pair.twin_of),
                "differences": pair.differences,
                "clip1": pair.scene1.to_json(),
                "clip2": pair.scene2.to_json(),
            }
        )
    for tier, (name, _) in TIER_FILES.items():
        (folder / name).write_text(_csv_text(rows[tier]), encoding="utf-8")
    meta = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "n_pairs": n_pairs,
        "sample_rate": SAMPLE_RATE,
        "items": truth,
    }
    (folder / GROUND_TRUTH_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
