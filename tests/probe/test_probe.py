"""The audio-dependence probe: the tiny golden ADIFF depends on both clips; an audio-blind model is flagged."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Sequence

import numpy as np
import pytest

from adiff_bench.cli.main import main
from adiff_bench.models.base import ModelNeeds, Request
from adiff_bench.probe import CONDITIONS, probe_requests, variants_of
from tests.golden import read_clip
from tests.golden import tiny_adiff as tiny_adiff_model

CLIPS = ("clipA_tone_noise_10s.wav", "clipB_chirp_up_10s.wav", "clipC_clicks_10s.wav", "clipD_am_noise_3.7s.wav")


@pytest.fixture(scope="module")
def tiny_adiff(golden_dir):
    return tiny_adiff_model(golden_dir, max_new_tokens=12)


@pytest.fixture(scope="module")
def requests(golden_dir) -> list[Request]:
    a, b, c, d = (read_clip(golden_dir / name) for name in CLIPS)
    prompt = "explain the difference in few words"
    return [
        Request(item_id="AB", prompt=prompt, tier=1, audio1=a, audio2=b, caption1="tone", caption2="chirp"),
        Request(item_id="CD", prompt=prompt, tier=1, audio1=c, audio2=d, caption1="clicks", caption2="noise"),
    ]


class AudioBlind:
    """Answers from the prompt only: what the probe must flag."""

    name = "audio-blind"
    needs = ModelNeeds(needs_audio=True, sample_rate=32000, max_seconds=10.0, short_clip="tile")

    def fingerprint(self) -> str:
        return "blind"

    def generate(self, requests: Sequence[Request]) -> list[str]:
        return [f"the second sound is louder ({len(r.prompt)})" for r in requests]


class FirstClipOnly(AudioBlind):
    name = "first-clip-only"

    def generate(self, requests: Sequence[Request]) -> list[str]:
        return [f"energy {float(np.abs(r.audio1).mean()):.4f}" for r in requests]


def test_variants_move_paths_and_captions_with_clips(requests):
    r = requests[0]
    built = dict(variants_of(r))
    assert [n for n, _ in CONDITIONS] == list(built)
    assert built["swapped"].audio1 is r.audio2 and built["swapped"].caption1 == "chirp"
    assert built["identical"].audio2 is r.audio1 and built["identical"].caption2 == "tone"
    assert not built["mute_audio1"].audio1.any() and built["mute_audio1"].audio2 is r.audio2
    assert not built["mute_audio2"].audio2.any() and built["mute_audio2"].audio1 is r.audio1


def test_tiny_adiff_depends_on_both_clips(tiny_adiff, requests):
    result = probe_requests(tiny_adiff, requests, "golden-fixture")
    assert result.depends_on_audio1 and result.depends_on_audio2 and result.order_sensitive
    assert not result.ignores_audio
    assert result.verdict == "depends on both clips"
    assert {p.item_id for p in result.pairs} == {"AB", "CD"}
    assert result.pairs[0].original == tiny_adiff.generate(requests[:1])[0]  # the unaltered pair, as in a run


def test_audio_blind_model_is_flagged(requests):
    result = probe_requests(AudioBlind(), requests)
    assert result.ignores_audio
    assert result.verdict.startswith("FLAGGED")
    assert all(result.changed_count(name) == 0 for name, _ in CONDITIONS)


def test_model_reading_one_clip_is_partly_flagged(requests):
    result = probe_requests(FirstClipOnly(), requests)
    assert result.depends_on_audio1 and not result.depends_on_audio2
    assert result.verdict == "partly: muting audio 2 never changed the output"


def test_reports_are_json_and_markdown(requests):
    result = probe_requests(FirstClipOnly(), requests, "t")
    data = json.loads(json.dumps(result.to_json()))
    assert data["n_pairs"] == 2 and data["conditions"]["mute_audio1"]["changed"] == 2
    assert data["pairs"][0]["variants"]["mute_audio2"]["changed"] is False
    md = result.to_markdown()
    assert "| mute_audio2 | second clip replaced by silence: (A, 0) | 0/2 |" in md
    assert "**Verdict:** partly" in md


def test_probe_cli_on_a_small_task(golden_dir, tmp_path, capsys):
    audio = tmp_path / "audio"
    audio.mkdir()
    for name in CLIPS:
        shutil.copy(golden_dir / name, audio / name)
    with open(tmp_path / "acd_test_adiff_fewwords_answer.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["taskname", "filepath1", "filepath2", "caption1", "caption2", "input", "answer"])
        writer.writerow(["acd", CLIPS[0], CLIPS[1], "tone", "chirp", "explain the difference in few words", "x"])
        writer.writerow(["acd", CLIPS[2], CLIPS[3], "clicks", "noise", "explain the difference in few words", "y"])
    model_args = f"checkpoint={golden_dir / 'adiff_tiny_seed0.ckpt'},config={golden_dir / 'config.json'}"
    model_args += f",tokenizer={golden_dir},max_new_tokens=8"
    out_file = tmp_path / "probe.json"
    argv = ["probe", "--model", "adiff", "--model-args", model_args, "--dataset", "acd", "--tier", "1"]
    argv += ["--data-dir", str(tmp_path), "--audio-root", str(audio), "--n", "1", "--format", "json"]
    assert main([*argv, "--output", str(out_file)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == json.loads(out_file.read_text())
    assert data["n_pairs"] == 1 and data["task"] == "acd-test-tier1"
    assert data["depends_on_audio1"] and data["depends_on_audio2"]
    assert main([*argv[:-2], "--audio-root", str(tmp_path / "nowhere")]) == 2
    assert "audio file not found" in capsys.readouterr().err
