"""``adiff-bench setup spice``: fetch the Stanford CoreNLP 3.6.0 jars SPICE needs into our own lib folder
(never into site-packages), verifying the download before anything is installed."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.cli.parser import add_output_option
from adiff_bench.errors import AdiffBenchError

# pycocoevalcap's spice/get_stanford_models.py downloads this archive and extracts the two jars below.
CORENLP_URL = "https://nlp.stanford.edu/software/stanford-corenlp-full-2015-12-09.zip"
# SHA-1 of that archive as pinned by DeepDive's CoreNLP installer (no published SHA-256 was found);
# not re-checked from this machine, which cannot reach nlp.stanford.edu. `--sha1 none` skips the check.
CORENLP_SHA1 = "55c9d653eb30ace7d5a60eb3138e424f9442e539"
SOURCE_RECORD = "corenlp-source.json"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Download:
    path: Path
    size: int
    sha1: str
    sha256: str


def download(url: str, directory: Path, timeout: float = 60.0) -> Download:
    """Stream ``url`` into a temp file in ``directory`` with a progress bar, hashing as it goes."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".corenlp-", suffix=".zip.part", dir=directory)
    sha1, sha256, size = hashlib.sha1(), hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
            with Progress(*columns, transient=True) as progress:
                task = progress.add_task(f"downloading {url.rsplit('/', 1)[-1]}", total=total)
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    sha1.update(chunk)
                    sha256.update(chunk)
                    size += len(chunk)
                    progress.update(task, advance=len(chunk))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        Path(tmp).unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        raise AdiffBenchError(
            f"could not download {url}: {reason}; pass --url with a mirror of stanford-corenlp-full-2015-12-09.zip"
        ) from exc
    return Download(Path(tmp), size, sha1.hexdigest(), sha256.hexdigest())


def extract_jars(archive: Path, names: tuple[str, ...], dest: Path) -> list[Path]:
    """Copy the members whose file name is in ``names`` into ``dest``, each written atomically."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise AdiffBenchError(f"{archive}: not a zip archive; check the --url") from exc
    with zf:
        members = {Path(info.filename).name: info for info in zf.infolist() if not info.is_dir()}
        missing = [n for n in names if n not in members]
        if missing:
            raise AdiffBenchError(
                f"the downloaded archive lacks {', '.join(missing)}; it must be stanford-corenlp-full-2015-12-09.zip"
            )
        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for name in names:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=dest)
            try:
                with os.fdopen(fd, "wb") as out, zf.open(members[name]) as src:
                    shutil.copyfileobj(src, out, CHUNK)
                os.replace(tmp, dest / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            written.append(dest / name)
    return written


def install_corenlp(url: str, dest: Path, expected_sha1: str | None, force: bool = False) -> tuple[list[Path], str]:
    """Download, verify and install the CoreNLP jars into ``dest``; returns the jars and a status line."""
    from adiff_bench.io_utils import atomic_write_json
    from adiff_bench.metrics.spice import CORENLP_JARS, missing_jars

    if not force and not missing_jars(dest):
        return [dest / n for n in CORENLP_JARS], f"CoreNLP jars already in {dest} (use --force to fetch again)"
    got = download(url, dest)
    try:
        if expected_sha1 and got.sha1 != expected_sha1.lower():
            raise AdiffBenchError(
                f"{url}: SHA-1 {got.sha1} does not match the expected {expected_sha1}; "
                "the file is corrupt or not stanford-corenlp-full-2015-12-09.zip (pass --sha1 none to accept it)"
            )
        jars = extract_jars(got.path, CORENLP_JARS, dest)
    finally:
        got.path.unlink(missing_ok=True)
    record = {
        "url": url,
        "bytes": got.size,
        "sha1": got.sha1,
        "sha256": got.sha256,
        "sha1_checked": bool(expected_sha1),
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "jars": {p.name: p.stat().st_size for p in jars},
    }
    atomic_write_json(dest / SOURCE_RECORD, record)
    checked = "verified" if expected_sha1 else "NOT verified (--sha1 none)"
    return jars, f"downloaded {got.size} bytes, sha1 {got.sha1} {checked}, sha256 {got.sha256}"


def _setup_spice(args: argparse.Namespace) -> int:
    from adiff_bench.metrics.spice import SPICE_LIB_ENV, default_lib_dir, find_install, lib_candidates

    dest = Path(args.dest).expanduser() if args.dest else default_lib_dir()
    expected = None if str(args.sha1).lower() in ("", "none") else str(args.sha1)
    jars, status = install_corenlp(args.url, dest, expected, force=args.force)
    print(status)
    for jar in jars:
        print(f"  {jar}")
    if dest.resolve() not in {d.resolve() for d in lib_candidates()}:
        print(f"note: {dest} is not searched by default; set {SPICE_LIB_ENV}={dest}")
    install = find_install()
    if install.ready:
        print(f"SPICE is ready (CoreNLP jars from {install.corenlp_dir})")
    else:
        print(f"SPICE is not ready yet: {install.problem}")
    return 0


def _setup_meteor(args: argparse.Namespace) -> int:
    from adiff_bench.metrics.jvm import pycocoevalcap_file
    from adiff_bench.metrics.meteor import PARAPHRASE_TABLE
    from adiff_bench.metrics.meteor_paraphrase import build_or_load_index, index_root, load_index

    table, root = pycocoevalcap_file(PARAPHRASE_TABLE), index_root()
    start = time.perf_counter()
    existed = load_index(table, root) is not None
    index = build_or_load_index(table, root)
    verb = "found" if existed else f"built in {time.perf_counter() - start:.1f} s"
    print(f"METEOR paraphrase index {verb}: {index.n_pairs} pairs, {len(index.words)} words, under {root}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "setup", help="install optional external pieces (SPICE's CoreNLP jars, METEOR's paraphrase index)"
    )
    targets = parser.add_subparsers(dest="setup_target", metavar="TARGET")
    spice = targets.add_parser(
        "spice",
        help="download the Stanford CoreNLP 3.6.0 jars SPICE needs",
        description="Download stanford-corenlp-full-2015-12-09.zip (several hundred MB), verify it and extract "
        "stanford-corenlp-3.6.0.jar and stanford-corenlp-3.6.0-models.jar into the SPICE lib folder "
        "($ADIFF_BENCH_SPICE_LIB, else <cache>/spice/lib).",
    )
    spice.add_argument("--url", default=CORENLP_URL, help="where to download the archive from (a mirror)")
    add_output_option(
        spice, "folder for the jars (default: the SPICE lib folder)", dest="dest", old=("--dest",), default=None,
        metavar="DIR",
    )
    spice.add_argument("--sha1", default=CORENLP_SHA1, help="expected SHA-1 of the archive, or 'none' to skip")
    spice.add_argument("--force", action="store_true", help="download again even if the jars are present")
    spice.set_defaults(func=_setup_spice)
    meteor = targets.add_parser(
        "meteor",
        help="build METEOR's paraphrase index now (otherwise the first METEOR score builds it, ~15 s)",
        description="Parse pycocoevalcap's paraphrase-en.gz once into $ADIFF_BENCH_METEOR_INDEX_DIR (else "
        "<cache>/meteor-paraphrase), so METEOR processes start on just the pairs a request can use.",
    )
    meteor.set_defaults(func=_setup_meteor)
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)
