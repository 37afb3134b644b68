"""SPICE: jar detection, the unavailable message, the command we run (via a fake `java`), output parsing,
and SPIDEr. The CoreNLP jars are absent here, so the real SPICE run is only tested where they exist."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import numpy as np
import pytest

from adiff_bench.errors import DataError
from adiff_bench.metrics import spice
from adiff_bench.metrics.base import MetricResult, get_reducer, mean_stats

# What SPICE 1.0 writes with -subset for three items (trimmed to the fields we read plus a few others).
RECORDED_OUTPUT = [
    {
        "image_id": "1",
        "scores": {
            "All": {"pr": 0.5, "re": 0.25, "f": 0.3333333333333333, "fn": 6.0, "numImages": 1.0, "fp": 2.0, "tp": 2.0},
            "Relation": {"pr": 0.0, "re": 0.0, "f": 0.0, "fn": 2.0, "numImages": 1.0, "fp": 1.0, "tp": 0.0},
            "Object": {
                "pr": 1.0,
                "re": 0.5,
                "f": 0.6666666666666666,
                "fn": 2.0,
                "numImages": 1.0,
                "fp": 0.0,
                "tp": 2.0,
            },
        },
        "test_tuples": [{"tuple": ["dog"], "truth_value": True}],
        "ref_tuples": [{"tuple": ["dog"], "truth_value": True}],
    },
    {
        "image_id": "0",
        "scores": {"All": {"pr": 1.0, "re": 1.0, "f": 1.0, "fn": 0.0, "numImages": 1.0, "fp": 0.0, "tp": 3.0}},
    },
    {
        "image_id": "2",
        "scores": {"All": {"pr": "NaN", "re": "NaN", "f": "NaN", "fn": 0.0, "numImages": 1.0, "fp": 0.0, "tp": 0.0}},
    },
]

FAKE_JAVA = r'''#!{python}
"""Stands in for java: checks the SPICE command line and the runtime folder, logs them, writes output."""
import json, os, sys
from pathlib import Path

args = sys.argv[1:]
if args == ["-version"]:
    print('openjdk version "17.0.15" 2025-04-15', file=sys.stderr)
    sys.exit(0)
log = Path(os.environ["FAKE_JAVA_LOG"])
if os.environ.get("FAKE_JAVA_FAIL"):
    print("Exception in thread main java.lang.NoClassDefFoundError: edu/stanford/nlp/Foo", file=sys.stderr)
    sys.exit(1)
jar = Path(args[args.index("-jar") + 2])
in_file = Path(args[args.index("-jar") + 3])
out = Path(args[args.index("-out") + 1])
records = json.loads(in_file.read_text())
lib = jar.parent / "lib"
log.write_text(json.dumps({
    "args": args,
    "cwd": os.getcwd(),
    "jar_is_link": jar.is_symlink(),
    "jar_target": str(jar.resolve()),
    "lib": sorted(p.name for p in lib.iterdir()),
    "lib_targets": {p.name: str(p.resolve()) for p in lib.iterdir()},
    "input": records,
}))
scores = json.loads(os.environ["FAKE_JAVA_SCORES"])
result = [{"image_id": r["image_id"], "scores": {"All": {"f": scores[r["test"]]}}} for r in reversed(records)]
out.write_text(json.dumps(result))
'''


@pytest.fixture()
def fake_pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for pycocoevalcap's spice/ folder (jar + lib/ without CoreNLP), and a private cache."""
    spice_dir = tmp_path / "site" / "spice"
    (spice_dir / "lib").mkdir(parents=True)
    (spice_dir / spice.SPICE_JAR).write_bytes(b"spice jar")
    (spice_dir / "lib" / "json-simple-1.1.1.jar").write_bytes(b"json")
    monkeypatch.setattr(spice, "pycocoevalcap_spice_dir", lambda: spice_dir)
    monkeypatch.setenv("ADIFF_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(spice.SPICE_LIB_ENV, raising=False)
    return spice_dir


def _put_jars(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in spice.CORENLP_JARS:
        (directory / name).write_bytes(name.encode())
    return directory


@pytest.fixture()
def fake_java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    java = bin_dir / "java"
    java.write_text(FAKE_JAVA.replace("{python}", sys.executable))
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    log = tmp_path / "java-log.json"
    monkeypatch.setenv("FAKE_JAVA_LOG", str(log))
    return log


def test_unavailable_names_missing_jars_places_and_setup_command(fake_pkg: Path, tmp_path: Path, monkeypatch) -> None:
    env_dir = tmp_path / "env-lib"
    env_dir.mkdir()
    (env_dir / spice.CORENLP_JARS[0]).write_bytes(b"x")  # one of two is not enough
    monkeypatch.setenv(spice.SPICE_LIB_ENV, str(env_dir))
    result = spice.spice_score(["a dog runs"], ["a dog is running"])
    assert result.corpus is None and not result.available
    assert result.per_item is None
    reason = result.unavailable or ""
    assert "adiff-bench setup spice" in reason
    assert f"{env_dir} (missing {spice.CORENLP_JARS[1]})" in reason
    cache_lib = tmp_path / "cache" / "spice" / "lib"
    assert f"{cache_lib} (missing {', '.join(spice.CORENLP_JARS)})" in reason
    assert str(fake_pkg / "lib") in reason
    assert "\n" not in reason


def test_detection_order_env_then_cache_then_package(fake_pkg: Path, tmp_path: Path, monkeypatch) -> None:
    assert spice.find_install().corenlp_dir is None
    _put_jars(fake_pkg / "lib")
    assert spice.find_install().corenlp_dir == fake_pkg / "lib"
    cache_lib = _put_jars(tmp_path / "cache" / "spice" / "lib")
    assert spice.find_install().corenlp_dir == cache_lib
    env_lib = _put_jars(tmp_path / "env-lib")
    monkeypatch.setenv(spice.SPICE_LIB_ENV, str(env_lib))
    assert spice.find_install().corenlp_dir == env_lib
    assert spice.lib_candidates() == (env_lib, cache_lib, fake_pkg / "lib")
    assert spice.default_lib_dir() == env_lib


def test_missing_java_is_unavailable(fake_pkg: Path, tmp_path: Path, monkeypatch) -> None:
    _put_jars(tmp_path / "cache" / "spice" / "lib")
    empty_bin = tmp_path / "nobin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    result = spice.spice_score(["a dog"], ["a dog"])
    assert result.corpus is None
    assert "java not found" in (result.unavailable or "")


def test_missing_spice_jar_is_unavailable(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(spice, "pycocoevalcap_spice_dir", lambda: None)
    monkeypatch.setenv("ADIFF_BENCH_CACHE", str(tmp_path))
    result = spice.spice_score(["a"], ["b"])
    assert result.corpus is None and "pycocoevalcap" in (result.unavailable or "")


def test_parse_recorded_output_in_id_order_with_missing_f_as_zero() -> None:
    scores, nonfinite = spice.parse_spice_output(RECORDED_OUTPUT, ["0", "1", "2"])
    np.testing.assert_allclose(scores, [1.0, 1 / 3, 0.0])
    assert nonfinite == 1
    none_f = [{"image_id": 0, "scores": {"All": {"f": None}}}]
    assert spice.parse_spice_output(none_f, ["0"])[1] == 1


def test_parse_output_missing_item_or_field_is_one_line_error() -> None:
    with pytest.raises(DataError, match="lacks 1 item"):
        spice.parse_spice_output(RECORDED_OUTPUT, ["0", "1", "2", "3"])
    with pytest.raises(DataError, match="scores.All.f"):
        spice.parse_spice_output([{"image_id": "0", "scores": {}}], ["0"])


def test_java_major_and_command_line() -> None:
    assert spice.java_major("1.8.0_312") == 8
    assert spice.java_major("17.0.15") == 17
    assert spice.java_major("21") == 21
    assert spice.java_major("weird") is None
    p = Path
    cmd8 = spice.spice_command("java", p("/r/spice-1.0.jar"), p("/t/in.json"), p("/t/out.json"), p("/c"), 8)
    assert cmd8 == [
        "java",
        "-jar",
        "-Xmx8G",
        "/r/spice-1.0.jar",
        "/t/in.json",
        "-cache",
        "/c",
        "-out",
        "/t/out.json",
        "-subset",
        "-silent",
    ]
    cmd17 = spice.spice_command("java", p("/r/spice-1.0.jar"), p("/t/in.json"), p("/t/out.json"), p("/c"), 17)
    assert cmd17[cmd17.index("-jar") :] == cmd8[1:]
    assert "java.base/java.lang=ALL-UNNAMED" in cmd17[: cmd17.index("-jar")]


def test_spice_score_runs_the_jar_from_a_private_symlinked_runtime(
    fake_pkg: Path, fake_java: Path, tmp_path: Path, monkeypatch
) -> None:
    corenlp = _put_jars(tmp_path / "cache" / "spice" / "lib")
    monkeypatch.setenv("FAKE_JAVA_SCORES", json.dumps({"a dog barks": 0.5, "rain falls": 0.25, "odd": "NaN"}))
    hyps = ["a dog barks", "", "rain falls", "  ", "odd"]
    refs = ["a dog is barking", "wind blows", "heavy rain", "a car", "even"]
    with pytest.warns(UserWarning, match="no F-score for 1 item"):
        result = spice.spice_score(hyps, refs)

    assert result.available
    np.testing.assert_allclose(result.per_item, [0.5, 0.0, 0.25, 0.0, 0.0])
    assert result.corpus == pytest.approx(0.75 / 5)
    np.testing.assert_allclose(result.stats, mean_stats(result.per_item))
    assert result.reducer == "mean"
    assert get_reducer("mean")(result.stats.sum(0)) == pytest.approx(result.corpus)
    for part in ("spice", "java:17.0.15", "refs:1", "empty:0", "corenlp:3.6.0", "pycocoevalcap:"):
        assert part in result.signature

    log = json.loads(fake_java.read_text())
    # Empty hypotheses never reach Java; each item has exactly one reference.
    assert [r["test"] for r in log["input"]] == ["a dog barks", "rain falls", "odd"]
    assert [r["refs"] for r in log["input"]] == [["a dog is barking"], ["heavy rain"], ["even"]]
    args = log["args"]
    jar_at = args.index("-jar")
    assert args[jar_at + 1] == "-Xmx8G" and Path(args[jar_at + 2]).name == "spice-1.0.jar"
    assert args[args.index("-cache") + 1] == str(tmp_path / "cache" / "spice" / "cache")
    assert args[-2:] == ["-subset", "-silent"]
    assert "--add-opens" in args[:jar_at]  # Java 17: FST needs java.base opened
    # The runtime is a private folder of symlinks in our cache, never site-packages.
    assert log["jar_is_link"] and log["jar_target"] == str((fake_pkg / "spice-1.0.jar").resolve())
    assert Path(log["cwd"]).is_relative_to(tmp_path / "cache" / "spice" / "tmp")
    assert set(log["lib"]) == {"json-simple-1.1.1.jar", *spice.CORENLP_JARS}
    assert log["lib_targets"][spice.CORENLP_JARS[1]] == str((corenlp / spice.CORENLP_JARS[1]).resolve())
    assert list((tmp_path / "cache" / "spice" / "tmp").iterdir()) == []  # temp files removed
    assert sorted(p.name for p in (fake_pkg / "lib").iterdir()) == ["json-simple-1.1.1.jar"]


def test_all_empty_hypotheses_do_not_call_java(fake_pkg: Path, fake_java: Path, tmp_path: Path) -> None:
    _put_jars(tmp_path / "cache" / "spice" / "lib")
    result = spice.spice_score(["", " "], ["a", "b"])
    assert result.corpus == 0.0 and list(result.per_item) == [0.0, 0.0]
    assert not fake_java.exists()


def test_spice_crash_is_unavailable_with_javas_message(fake_pkg: Path, fake_java: Path, tmp_path, monkeypatch) -> None:
    _put_jars(tmp_path / "cache" / "spice" / "lib")
    monkeypatch.setenv("FAKE_JAVA_FAIL", "1")
    result = spice.spice_score(["a dog"], ["a cat"])
    assert result.corpus is None
    assert "status 1" in (result.unavailable or "") and "NoClassDefFoundError" in (result.unavailable or "")


def test_length_mismatch_is_data_error() -> None:
    with pytest.raises(DataError, match="one reference per hypothesis"):
        spice.spice_score(["a", "b"], ["a"])


def test_spider_is_mean_of_cider_and_spice() -> None:
    def res(name: str, values: list[float]) -> MetricResult:
        arr = np.array(values)
        return MetricResult(name, f"{name}-sig", float(arr.mean()), arr, mean_stats(arr), "mean")

    spider = spice.spider_score(res("cider", [1.0, 0.2, 0.0]), res("spice", [0.5, 0.4, 0.0]))
    np.testing.assert_allclose(spider.per_item, [0.75, 0.3, 0.0])
    assert spider.corpus == pytest.approx(0.35)
    assert "cider-sig" in spider.signature and "spice-sig" in spider.signature
    missing = spice.spider_score(res("cider", [1.0]), spice.unavailable("spice", "s", "no jars"))
    assert missing.corpus is None and "no jars" in (missing.unavailable or "")
    with pytest.raises(DataError):
        spice.spider_score(res("cider", [1.0]), res("spice", [1.0, 0.0]))


@pytest.mark.slow
def test_real_spice_when_installed() -> None:
    """Runs the real jar only where CoreNLP 3.6.0 and Java are installed (skipped otherwise)."""
    if not spice.find_install().ready:
        pytest.skip(f"SPICE not installed here: {spice.find_install().problem}")
    result = spice.spice_score(["a dog is running on the grass", ""], ["a dog runs on the grass", "a cat"])
    assert result.available, result.unavailable
    assert 0.0 < result.per_item[0] <= 1.0 and result.per_item[1] == 0.0
