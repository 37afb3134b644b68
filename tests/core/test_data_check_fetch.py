import hashlib
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from adiff_bench.cli.main import main
from adiff_bench.data.check import check_data
from adiff_bench.data.fetch import fetch_official
from adiff_bench.data.manifest import OFFICIAL_FILES, RemoteFile
from adiff_bench.errors import DataError

from .helpers import write_task_csvs


def test_acd_test_self_pairs_and_duplicates(official_data: Path) -> None:
    report = check_data(official_data, datasets=("acd",))
    audit = next(a for a in report.audits if a.task == "acd-test-tier2")
    assert audit.rows == 4680
    assert len(audit.self_pairs) == 7
    assert len(audit.duplicate_pairs) == 20
    assert not audit.audio_checked


def test_audio_check_reports_missing_unreadable_and_unsafe(tmp_path: Path) -> None:
    rows = [
        {
            "taskname": "t",
            "filepath1": "ok.wav",
            "filepath2": "missing.wav",
            "caption1": "a",
            "caption2": "b",
            "input": "",
            "answer": "",
        },
        {
            "taskname": "t",
            "filepath1": "../outside.wav",
            "filepath2": "broken.wav",
            "caption1": "a",
            "caption2": "b",
            "input": "",
            "answer": "",
        },
        {
            "taskname": "t",
            "filepath1": "/etc/passwd",
            "filepath2": "ok.wav",
            "caption1": "a",
            "caption2": "b",
            "input": "",
            "answer": "",
        },
    ]
    data = write_task_csvs(tmp_path / "data", rows=rows, tiers=(2,))
    audio = tmp_path / "audio"
    audio.mkdir()
    sf.write(audio / "ok.wav", np.zeros(1600, dtype=np.float32), 16000)
    (audio / "broken.wav").write_bytes(b"RIFF not really")
    (tmp_path / "outside.wav").write_bytes(b"")
    report = check_data(data, audio, datasets=("acd",))
    (audit,) = report.audits
    assert audit.missing_audio == ("missing.wav",)
    assert audit.unreadable_audio == ("broken.wav",)
    assert len(audit.unsafe_paths) == 2 and "../outside.wav" in audit.unsafe_paths[0]
    assert not report.ok


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "served"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", root
    server.shutdown()


def test_fetch_verifies_pinned_hashes_from_a_local_server(http_root, tmp_path: Path) -> None:
    base_url, root = http_root
    (root / "ACD").mkdir()
    content = b"taskname,filepath1,filepath2,caption1,caption2,input,answer\n"
    (root / "ACD" / "acd_test_adiff_sentence_answer.csv").write_bytes(content)
    (root / "ACD" / "acd_test_adiff_detail_answer.csv").write_bytes(content + b"x")
    files = (
        RemoteFile("ACD/acd_test_adiff_sentence_answer.csv", hashlib.sha256(content).hexdigest()),
        RemoteFile("ACD/acd_test_adiff_detail_answer.csv", None),
    )
    target = tmp_path / "data"
    first = fetch_official(target, ("acd",), base_url=base_url, include_unpinned=True, progress=False, files=files)
    assert [(o.verified, o.downloaded) for o in first] == [(True, True), (False, True)]
    assert (target / "ACD" / "acd_test_adiff_sentence_answer.csv").read_bytes() == content
    again = fetch_official(target, ("acd",), base_url=base_url, progress=False, files=files)
    assert [(o.verified, o.downloaded) for o in again] == [(True, False)]


def test_fetch_rejects_a_hash_mismatch_and_keeps_nothing(http_root, tmp_path: Path) -> None:
    base_url, root = http_root
    (root / "CLD").mkdir()
    (root / "CLD" / "x.csv").write_bytes(b"tampered")
    files = (RemoteFile("CLD/x.csv", "0" * 64),)
    with pytest.raises(DataError, match="does not match the pinned sha256"):
        fetch_official(tmp_path / "data", ("cld",), base_url=base_url, progress=False, files=files)
    assert not (tmp_path / "data" / "CLD" / "x.csv").exists()


def test_manifest_pins_match_the_shared_copies(official_data: Path) -> None:
    for remote in OFFICIAL_FILES:
        local = official_data / remote.path
        if remote.sha256 is not None:
            assert hashlib.sha256(local.read_bytes()).hexdigest() == remote.sha256
        assert remote.url().startswith("https://")


def test_cli_data_check_exit_code(official_data: Path, capsys) -> None:
    assert main(["data", "check", "--data-dir", str(official_data), "--dataset", "cld", "--format", "json"]) == 0
    assert '"cld-evaluation-tier2"' in capsys.readouterr().out


def test_data_check_reports_symlinks_that_leave_the_audio_root(tmp_path: Path, capsys) -> None:
    rows = [
        {"taskname": "t", "filepath1": "ok.wav", "filepath2": "link.wav", "caption1": "a", "caption2": "b",
         "input": "", "answer": ""},
        {"taskname": "t", "filepath1": "ok.wav", "filepath2": "inner.wav", "caption1": "a", "caption2": "b",
         "input": "", "answer": ""},
    ]
    data = write_task_csvs(tmp_path / "data", rows=rows, tiers=(2,))
    audio = tmp_path / "audio"
    audio.mkdir()
    sf.write(audio / "ok.wav", np.zeros(1600, dtype=np.float32), 16000)
    secret = tmp_path / "secret.wav"
    sf.write(secret, np.zeros(1600, dtype=np.float32), 16000)
    (audio / "link.wav").symlink_to(secret)
    (audio / "inner.wav").symlink_to(audio / "ok.wav")  # a link that stays inside is fine
    report = check_data(data, audio, datasets=("acd",))
    (audit,) = report.audits
    assert audit.links_outside == (f"acd_test_adiff_sentence_answer.csv:2: link.wav -> {secret.resolve()}",)
    assert not audit.unsafe_paths and report.to_json()["tasks"][0]["links_outside"] == list(audit.links_outside)
    assert main(["data", "check", "--data-dir", str(data), "--audio-root", str(audio), "--dataset", "acd"]) == 0
    err = capsys.readouterr().err
    assert "leads outside the audio root through a symlink: acd_test_adiff_sentence_answer.csv:2" in err
