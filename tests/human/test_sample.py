from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from adiff_bench.errors import DataError
from adiff_bench.human.sample import allocate, sample_runs
from adiff_bench.human.study import default_study

from .helpers import ACD2, CLD2, make_run, read_key

SECRET = ("ZETA-secret-model", "OMEGA-hidden-model", "KAPPA-covert-model")


def _runs(root: Path, tasks=(ACD2,), n_items: int = 12) -> list[Path]:
    return [
        make_run(root / "runs", s, task, n_items=n_items, text=f"text{i}")
        for i, s in enumerate(SECRET)
        for task in tasks
    ]


def _files(study_dir: Path) -> dict[str, bytes]:
    return {name: (study_dir / name).read_bytes() for name in ("sheet.csv", "form.html", "key.csv")}


def test_sample_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    runs = _runs(tmp_path)
    sample_runs(runs, n=5, seed=3, out=tmp_path / "a", study=default_study())
    sample_runs(list(reversed(runs)), n=5, seed=3, out=tmp_path / "b", study=default_study())
    sample_runs(runs, n=5, seed=4, out=tmp_path / "c", study=default_study())
    assert _files(tmp_path / "a") == _files(tmp_path / "b")  # the order of RUN arguments does not matter
    assert _files(tmp_path / "a")["key.csv"] != _files(tmp_path / "c")["key.csv"]


def test_every_system_rates_the_same_items_in_shuffled_order(tmp_path: Path) -> None:
    sample, _ = sample_runs(_runs(tmp_path, n_items=20), n=10, seed=0, out=tmp_path / "s", study=default_study())
    key = read_key(tmp_path / "s")
    assert len(key) == 30 and len({row["blinded_id"] for row in key}) == 30
    per_item = Counter(row["item_id"] for row in key)
    assert len(per_item) == 10 and set(per_item.values()) == {3}
    orders = {tuple(row["system"] for row in key[k : k + 3]) for k in range(0, 30, 3)}
    assert all(len(set(order)) == 3 for order in orders)  # units of one item are adjacent, one per system
    assert len(orders) > 1  # and the systems' order changes from item to item


def test_blinding_hides_system_names_from_everything_raters_see(tmp_path: Path) -> None:
    sample_runs(_runs(tmp_path), n=6, seed=1, out=tmp_path / "s", study=default_study())
    for name in ("sheet.csv", "form.html", "study.json"):
        text = (tmp_path / "s" / name).read_text(encoding="utf-8")
        for secret in SECRET:
            assert secret.split("-")[0] not in text, (name, secret)
    assert all(s in (tmp_path / "s" / "key.csv").read_text() for s in SECRET)
    header = (tmp_path / "s" / "sheet.csv").read_text().splitlines()[0]
    assert header == "blinded_id,audio1,audio2,prompt,explanation,correctness,granularity,readability"


def test_stratified_by_task_in_proportion(tmp_path: Path) -> None:
    runs = [make_run(tmp_path, s, ACD2, n_items=30) for s in SECRET[:2]]
    runs += [make_run(tmp_path, s, CLD2, n_items=10) for s in SECRET[:2]]
    sample, _ = sample_runs(runs, n=8, seed=0, out=tmp_path / "s", study=default_study())
    assert sample.tasks == {"acd-test-tier2": 6, "cld-evaluation-tier2": 2}
    assert Counter(row["task"] for row in read_key(tmp_path / "s")) == {"acd-test-tier2": 12, "cld-evaluation-tier2": 4}
    assert allocate({"a": 5, "b": 5, "c": 5}, 4) == {"a": 2, "b": 1, "c": 1}
    assert allocate({"a": 2, "b": 1}, 10) == {"a": 2, "b": 1}


def test_only_items_every_system_answered_are_sampled(tmp_path: Path) -> None:
    runs = [make_run(tmp_path, SECRET[0], n_items=5), make_run(tmp_path, SECRET[1], n_items=3)]
    sample, _ = sample_runs(runs, n=100, seed=0, out=tmp_path / "s", study=default_study())
    assert sample.tasks == {"acd-test-tier2": 3} and sample.n_available == 3


def test_form_is_self_contained_and_escapes_every_text(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
    runs = [make_run(tmp_path, s, text=evil) for s in SECRET[:2]]
    sample_runs(runs, n=3, seed=0, out=tmp_path / "s", study=default_study())
    html = (tmp_path / "s" / "form.html").read_text(encoding="utf-8")
    assert html.count("<script") == 1  # only the form's own script
    assert "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp;" in html
    assert not re.search(r"(https?:)?//[a-z]", html.replace("</", ""))  # no remote resource of any kind
    assert "<link" not in html and "@import" not in html
    for criterion in default_study().criteria:
        for _, anchor in criterion.anchors:
            assert anchor.replace("'", "&#x27;") in html
    assert html.count('type="radio"') == 6 * 3 * 5


def _wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(800, dtype=np.float32), 8000)


def test_audio_players_link_or_embed_the_clips(tmp_path: Path) -> None:
    audio_root = tmp_path / "audio"
    for name in ("a b.wav", "c.wav"):
        _wav(audio_root / name)
    audio = {f"acd-test-{k:05d}": ("a b.wav", "c.wav") for k in range(2)}
    runs = [make_run(tmp_path, s, n_items=3, audio=audio) for s in SECRET[:2]]
    sample, paths = sample_runs(runs, n=3, seed=0, out=tmp_path / "s", study=default_study(), audio_root=audio_root)
    html = paths["form.html"].read_text()
    assert sample.audio_found == 4 and sample.audio_missing == ()
    assert html.count("<audio") == 4 and 'src="../audio/a%20b.wav"' in html
    assert (paths["form.html"].parent / "../audio/a b.wav").is_file()
    assert "audio not available" in html  # the third item has no audio paths
    sample_runs(runs, n=3, seed=0, out=tmp_path / "e", study=default_study(), audio_root=audio_root, embed_audio=True)
    assert (tmp_path / "e" / "form.html").read_text().count('src="data:audio/wav;base64,') == 4


def test_missing_audio_is_reported_not_fatal(tmp_path: Path) -> None:
    audio = {"acd-test-00000": ("gone1.wav", "gone2.wav")}
    runs = [make_run(tmp_path, s, n_items=1, audio=audio) for s in SECRET[:2]]
    sample, paths = sample_runs(runs, n=1, seed=0, out=tmp_path / "s", study=default_study(), audio_root=tmp_path)
    assert sample.audio_missing == ("gone1.wav", "gone2.wav")
    assert "audio not available (gone1.wav)" in paths["form.html"].read_text()


def test_bad_run_sets_are_refused_with_one_line(tmp_path: Path) -> None:
    one = make_run(tmp_path, SECRET[0])
    with pytest.raises(DataError, match="only one system"):
        sample_runs([one], n=3, seed=0, out=tmp_path / "s", study=default_study())
    other_task = make_run(tmp_path, SECRET[1], CLD2)
    with pytest.raises(DataError, match=f"system '{SECRET[1]}' has no run on acd-test-tier2"):
        sample_runs([one, other_task], n=3, seed=0, out=tmp_path / "s", study=default_study())
    with pytest.raises(DataError, match="not a run directory"):
        sample_runs([one, tmp_path], n=3, seed=0, out=tmp_path / "s", study=default_study())


def test_an_existing_study_is_not_overwritten(tmp_path: Path) -> None:
    runs = _runs(tmp_path)
    sample_runs(runs, n=2, seed=0, out=tmp_path / "s", study=default_study())
    with pytest.raises(DataError, match="already holds a study"):
        sample_runs(runs, n=2, seed=1, out=tmp_path / "s", study=default_study())
    sample_runs(runs, n=2, seed=1, out=tmp_path / "s", study=default_study(), overwrite=True)


def test_two_runs_of_one_model_need_labels(tmp_path: Path) -> None:
    runs = [make_run(tmp_path / "x", "same-model"), make_run(tmp_path / "y", "same-model")]
    with pytest.raises(DataError, match="both runs of 'same-model' on acd-test-tier2; .* LABEL=RUN_DIR"):
        sample_runs(runs, n=2, seed=0, out=tmp_path / "s", study=default_study())
    labelled = [f"cfg-a={runs[0]}", f"cfg-b={runs[1]}"]
    sample_runs(labelled, n=2, seed=0, out=tmp_path / "s", study=default_study())
    assert {row["system"] for row in read_key(tmp_path / "s")} == {"cfg-a", "cfg-b"}


def test_runs_disagreeing_on_the_clips_are_refused(tmp_path: Path) -> None:
    runs = [
        make_run(tmp_path, SECRET[0], n_items=1, audio={"acd-test-00000": ("a.wav", "b.wav")}),
        make_run(tmp_path, SECRET[1], n_items=1, audio={"acd-test-00000": ("a.wav", "c.wav")}),
    ]
    with pytest.raises(DataError, match="item acd-test-00000 of acd-test-tier2 names clips .* not of the same data"):
        sample_runs(runs, n=1, seed=0, out=tmp_path / "s", study=default_study())


def test_a_different_prompt_is_shown_with_its_explanation(tmp_path: Path) -> None:
    from .helpers import simulation_module

    write_run = simulation_module().write_run
    runs = [
        write_run(tmp_path / "a", SECRET[0], ACD2, {"acd-test-00000": "x"}, prompt="Usual question?"),
        write_run(tmp_path / "b", SECRET[1], ACD2, {"acd-test-00000": "y"}, prompt="Ablation <question>?"),
    ]
    _, paths = sample_runs(runs, n=1, seed=0, out=tmp_path / "s", study=default_study())
    html = paths["form.html"].read_text()
    assert html.count("Question asked") == 2 and "Question asked here:</b> " in html
    assert ("Ablation &lt;question&gt;?" in html) and ("Usual question?" in html)
