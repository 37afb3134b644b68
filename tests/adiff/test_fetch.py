"""`models fetch adiff` against a local HTTP server (tests never reach the network)."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest

from adiff_bench.cli.main import main
from adiff_bench.errors import ModelError
from adiff_bench.models.adiff.fetch import fetch_one, published_md5


@pytest.fixture()
def server(tmp_path):
    """Serves tmp_path/www over http://127.0.0.1:<port>/ and counts the requests per path."""
    root = tmp_path / "www"
    root.mkdir()
    hits: dict[str, int] = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):  # noqa: N802 - http.server API
            path = self.path.split("?")[0]
            hits[path] = hits.get(path, 0) + 1
            self.path = path
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def _publish(root: Path, name: str, payload: bytes, md5: str | None = None) -> None:
    (root / name).write_bytes(payload)
    checksum = md5 or hashlib.md5(payload).hexdigest()
    record = {"files": [{"key": name, "checksum": f"md5:{checksum}", "size": len(payload)}]}
    (root / "record.json").write_text(json.dumps(record))


def test_fetch_verifies_md5_records_sha256_and_skips_when_present(server, tmp_path, capsys):
    root, base, hits = server
    payload = bytes(range(256)) * 5000
    _publish(root, "adiff_base.ckpt", payload)
    dest = tmp_path / "models"
    argv = ["models", "fetch", "adiff", "--url", f"{base}/adiff_base.ckpt?download=1"]
    argv += ["--api-url", f"{base}/record.json", "--dest", str(dest), "--quiet"]
    assert main(argv) == 0
    assert (dest / "adiff_base.ckpt").read_bytes() == payload
    record = json.loads((dest / "adiff_base.ckpt.json").read_text())
    assert record["sha256"] == hashlib.sha256(payload).hexdigest()
    assert record["verified"] == "md5 (zenodo)"
    out = capsys.readouterr().out
    assert "downloaded" in out and record["sha256"] in out
    assert main(argv) == 0  # second time: kept, not downloaded again
    assert hits["/adiff_base.ckpt"] == 1
    assert "already present" in capsys.readouterr().out


def test_md5_mismatch_removes_the_file(server, tmp_path):
    root, base, _ = server
    _publish(root, "adiff_base.ckpt", b"weights", md5="0" * 32)
    with pytest.raises(ModelError, match="does not match"):
        fetch_one("adiff_base.ckpt", tmp_path, f"{base}/adiff_base.ckpt", f"{base}/record.json")
    assert not (tmp_path / "adiff_base.ckpt").exists()
    assert not list(tmp_path.glob("*.part"))


def test_unreachable_checksum_listing_is_reported_unverified(server, tmp_path):
    root, base, _ = server
    (root / "adiff_base.ckpt").write_bytes(b"abc")
    result = fetch_one("adiff_base.ckpt", tmp_path, f"{base}/adiff_base.ckpt", f"{base}/missing.json")
    assert result.verified.startswith("UNVERIFIED")
    assert result.sha256 == hashlib.sha256(b"abc").hexdigest()


def test_missing_file_is_one_line_error(server, tmp_path, capsys):
    _, base, _ = server
    argv = ["models", "fetch", "adiff", "--url", f"{base}/nothing.ckpt", "--md5", "0" * 32]
    assert main(argv + ["--dest", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("adiff-bench: error: cannot download") and err.count("\n") == 1
    assert main(["models", "fetch", "adiff", "--variant", "all", "--url", f"{base}/x", "--quiet"]) == 2


def test_published_md5_reads_both_api_shapes(server):
    root, base, _ = server
    (root / "new.json").write_text(
        json.dumps({"files": {"entries": {"a.ckpt": {"key": "a.ckpt", "checksum": "md5:AB"}}}})
    )
    assert published_md5(f"{base}/new.json", "a.ckpt") == "ab"
    assert published_md5(f"{base}/new.json", "b.ckpt") is None


def test_models_list_names_adiff_and_the_baseline(capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "adiff\tadiff_bench.models.adiff.adapter:AdiffModel" in out
    assert "naive-baseline\t" in out


def test_default_destination_is_the_cache_with_a_progress_bar(server, capsys):
    from adiff_bench.models.adiff.adapter import default_checkpoint
    from adiff_bench.paths import cache_dir

    root, base, _ = server
    _publish(root, "adiff_base.ckpt", b"x" * 3000)
    argv = ["models", "fetch", "adiff", "--url", f"{base}/adiff_base.ckpt", "--api-url", f"{base}/record.json"]
    assert main([*argv, "--force"]) == 0  # progress bar on (stderr), --force downloads even if recorded
    assert (cache_dir() / "models" / "adiff_base.ckpt").read_bytes() == b"x" * 3000
    assert default_checkpoint() == cache_dir() / "models" / "adiff_base.ckpt"
    assert "adiff_base.ckpt" in capsys.readouterr().err
