"""`adiff-bench setup spice` against a local HTTP server serving a small zip laid out like
stanford-corenlp-full-2015-12-09.zip (dummy jars with the right names)."""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from adiff_bench.cli import setup as setup_cli
from adiff_bench.errors import AdiffBenchError
from adiff_bench.metrics import spice

TOP = "stanford-corenlp-full-2015-12-09"


def run_cli(argv: list[str]) -> int:
    """The `setup` command wired exactly as cli.main wires it (errors -> one line, exit 2)."""
    parser = argparse.ArgumentParser(prog="adiff-bench")
    setup_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AdiffBenchError as exc:
        import sys

        print(f"adiff-bench: error: {exc}", file=sys.stderr)
        return 2


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        _QuietHandler.requests.append(self.path)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    _QuietHandler.requests = []
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def make_zip(path: Path, jars: tuple[str, ...] = spice.CORENLP_JARS) -> str:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{TOP}/", "")
        for name in jars:
            zf.writestr(f"{TOP}/{name}", f"dummy {name}".encode() * 100)
        zf.writestr(f"{TOP}/stanford-corenlp-3.6.0-javadoc.jar", b"javadoc")
        zf.writestr(f"{TOP}/README.txt", b"readme")
    return hashlib.sha1(path.read_bytes()).hexdigest()


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    spice_dir = tmp_path / "site" / "spice"
    (spice_dir / "lib").mkdir(parents=True)
    (spice_dir / spice.SPICE_JAR).write_bytes(b"jar")
    monkeypatch.setattr(spice, "pycocoevalcap_spice_dir", lambda: spice_dir)
    monkeypatch.setenv("ADIFF_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(spice.SPICE_LIB_ENV, raising=False)
    return tmp_path / "cache"


def test_installs_jars_where_detection_finds_them(server, env: Path, capsys) -> None:
    url, root = server
    sha1 = make_zip(root / f"{TOP}.zip")
    assert not spice.find_install().ready
    assert run_cli(["setup", "spice", "--url", f"{url}/{TOP}.zip", "--sha1", sha1]) == 0
    lib = env / "spice" / "lib"
    for name in spice.CORENLP_JARS:
        assert (lib / name).read_bytes() == f"dummy {name}".encode() * 100
    assert sorted(p.name for p in lib.iterdir()) == sorted([*spice.CORENLP_JARS, setup_cli.SOURCE_RECORD])
    install = spice.find_install()
    assert install.corenlp_dir == lib
    record = json.loads((lib / setup_cli.SOURCE_RECORD).read_text())
    assert record["sha1"] == sha1 and record["sha1_checked"] is True
    assert record["sha256"] == hashlib.sha256((root / f"{TOP}.zip").read_bytes()).hexdigest()
    out = capsys.readouterr().out
    assert str(lib / spice.CORENLP_JARS[0]) in out and "verified" in out and "SPICE is" in out

    # A second run finds them and downloads nothing.
    served = len(_QuietHandler.requests)
    assert run_cli(["setup", "spice", "--url", f"{url}/{TOP}.zip", "--sha1", sha1]) == 0
    assert len(_QuietHandler.requests) == served
    assert "already" in capsys.readouterr().out


def test_env_dir_is_the_destination(server, env: Path, tmp_path: Path, monkeypatch) -> None:
    url, root = server
    make_zip(root / "mirror.zip")
    target = tmp_path / "my-spice-lib"
    monkeypatch.setenv(spice.SPICE_LIB_ENV, str(target))
    assert run_cli(["setup", "spice", "--url", f"{url}/mirror.zip", "--sha1", "none"]) == 0
    assert not spice.missing_jars(target)
    assert spice.find_install().corenlp_dir == target
    assert json.loads((target / setup_cli.SOURCE_RECORD).read_text())["sha1_checked"] is False


def test_sha1_mismatch_installs_nothing(server, env: Path, capsys) -> None:
    url, root = server
    make_zip(root / "bad.zip")
    assert run_cli(["setup", "spice", "--url", f"{url}/bad.zip"]) == 2  # default pin != our dummy zip
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "SHA-1" in err and "--sha1 none" in err
    lib = env / "spice" / "lib"
    assert list(lib.iterdir()) == []  # no jars, no partial download left behind


def test_archive_without_the_jars_is_refused(server, env: Path, capsys) -> None:
    url, root = server
    make_zip(root / "partial.zip", jars=(spice.CORENLP_JARS[0],))
    assert run_cli(["setup", "spice", "--url", f"{url}/partial.zip", "--sha1", "none"]) == 2
    err = capsys.readouterr().err
    assert spice.CORENLP_JARS[1] in err and "lacks" in err
    assert list((env / "spice" / "lib").iterdir()) == []


def test_not_a_zip_and_unreachable_url_are_one_line_errors(server, env: Path, capsys) -> None:
    url, root = server
    (root / "page.zip").write_text("<html>not found</html>")
    assert run_cli(["setup", "spice", "--url", f"{url}/page.zip", "--sha1", "none"]) == 2
    assert "not a zip" in capsys.readouterr().err
    assert run_cli(["setup", "spice", "--url", f"{url}/missing.zip", "--sha1", "none"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("adiff-bench: error: could not download") and "\n" not in err
    assert list((env / "spice" / "lib").iterdir()) == []


def test_default_url_is_pycocoevalcaps_archive() -> None:
    assert setup_cli.CORENLP_URL.endswith("/software/stanford-corenlp-full-2015-12-09.zip")
    assert len(setup_cli.CORENLP_SHA1) == 40
