"""SPICE (and SPIDEr) through the SPICE-1.0 jar shipped with pycocoevalcap.

SPICE needs the Stanford CoreNLP 3.6.0 jars, which pycocoevalcap downloads into site-packages on first
use. We never write there: the jars are looked up in a documented directory (see ``lib_candidates``),
and each call runs the jar from a private directory of symlinks (SPICE jar + its lib jars + CoreNLP),
so two processes can score at once. Without the jars the result is unavailable, never a number.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from adiff_bench.errors import DataError
from adiff_bench.metrics.base import MetricResult, mean_result, unavailable
from adiff_bench.metrics.tempdirs import private_tempdir
from adiff_bench.versions import java_version, package_version

if TYPE_CHECKING:
    from adiff_bench.metrics.context import ScoringContext

SPICE_LIB_ENV = "ADIFF_BENCH_SPICE_LIB"
CORENLP_JARS = ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar")
SPICE_JAR = "spice-1.0.jar"
JAVA_HEAP = "-Xmx8G"  # as pycocoevalcap runs it
# SPICE's cache serialises with FST 2.47, which on Java >= 9 dies with "Unable to make field private final
# byte[] java.lang.String.value accessible" unless these packages are opened to it (checked here on Java 17).
JAVA9_OPENS = tuple(
    flag
    for pkg in ("java.lang", "java.util", "java.math", "java.util.concurrent", "java.net", "java.text", "java.io")
    for flag in ("--add-opens", f"java.base/{pkg}=ALL-UNNAMED")
)
SETUP_HINT = "run `adiff-bench setup spice`"


@dataclass(frozen=True)
class SpiceInstall:
    """Where the pieces SPICE needs were found; ``problem`` is None when it can run."""

    spice_dir: Path | None  # pycocoevalcap's spice/ folder (spice-1.0.jar and lib/)
    corenlp_dir: Path | None  # folder holding both CoreNLP jars
    java: str | None
    looked_in: tuple[Path, ...]
    problem: str | None

    @property
    def ready(self) -> bool:
        return self.problem is None


def pycocoevalcap_spice_dir() -> Path | None:
    try:
        import pycocoevalcap
    except ImportError:
        return None
    for base in getattr(pycocoevalcap, "__path__", []):
        candidate = Path(base) / "spice"
        if (candidate / SPICE_JAR).is_file():
            return candidate
    return None


def default_lib_dir() -> Path:
    """Where `adiff-bench setup spice` puts the CoreNLP jars: $ADIFF_BENCH_SPICE_LIB, else the cache."""
    explicit = os.environ.get(SPICE_LIB_ENV)
    if explicit:
        return Path(explicit).expanduser()
    from adiff_bench.paths import cache_dir

    return cache_dir() / "spice" / "lib"


def lib_candidates() -> tuple[Path, ...]:
    """Directories searched for the CoreNLP jars, in order."""
    from adiff_bench.paths import cache_dir

    out: list[Path] = []
    explicit = os.environ.get(SPICE_LIB_ENV)
    if explicit:
        out.append(Path(explicit).expanduser())
    out.append(cache_dir() / "spice" / "lib")
    spice_dir = pycocoevalcap_spice_dir()
    if spice_dir is not None:
        out.append(spice_dir / "lib")
    return tuple(dict.fromkeys(out))


def missing_jars(directory: Path) -> list[str]:
    return [name for name in CORENLP_JARS if not (directory / name).is_file()]


def find_install() -> SpiceInstall:
    looked = lib_candidates()
    spice_dir = pycocoevalcap_spice_dir()
    corenlp = next((d for d in looked if not missing_jars(d)), None)
    java = shutil.which("java")
    problem = None
    if spice_dir is None:
        problem = f"{SPICE_JAR} not found: install pycocoevalcap>=1.2 (it ships the SPICE jar)"
    elif corenlp is None:
        where = "; ".join(f"{d} (missing {', '.join(missing_jars(d))})" for d in looked)
        problem = f"Stanford CoreNLP 3.6.0 jars not found; looked in {where}. To install them {SETUP_HINT}"
        problem += f" (or put {' and '.join(CORENLP_JARS)} in ${SPICE_LIB_ENV})"
    elif java is None:
        problem = "java not found on PATH; SPICE needs Java 8 or newer"
    return SpiceInstall(spice_dir, corenlp, java, looked, problem)


def assemble_runtime(install: SpiceInstall, directory: Path) -> Path:
    """A folder laid out as the jar's manifest Class-Path expects (``lib/*.jar`` beside it), made of
    symlinks, so nothing is written next to the installed package."""
    assert install.spice_dir is not None and install.corenlp_dir is not None
    lib = directory / "lib"
    lib.mkdir(parents=True)
    (directory / SPICE_JAR).symlink_to((install.spice_dir / SPICE_JAR).resolve())
    for jar in sorted((install.spice_dir / "lib").glob("*.jar")):
        (lib / jar.name).symlink_to(jar.resolve())
    for name in CORENLP_JARS:
        target = lib / name
        if target.is_symlink() or target.exists():
            target.unlink()
        target.symlink_to((install.corenlp_dir / name).resolve())
    return directory / SPICE_JAR


def java_major(version_string: str) -> int | None:
    """``1.8.0_312`` -> 8, ``17.0.15`` -> 17."""
    match = re.match(r"(\d+)(?:\.(\d+))?", version_string)
    if not match:
        return None
    first = int(match.group(1))
    return int(match.group(2) or 0) if first == 1 else first


def spice_command(
    java: str, jar: Path, in_file: Path, out_file: Path, cache: Path, major: int | None = None
) -> list[str]:
    """pycocoevalcap's command line, plus the --add-opens flags FST needs on Java 9+."""
    opens = list(JAVA9_OPENS) if major is None or major >= 9 else []
    args = [str(in_file), "-cache", str(cache), "-out", str(out_file), "-subset", "-silent"]
    return [java, *opens, "-jar", JAVA_HEAP, str(jar), *args]


def parse_spice_output(results: list[dict], ids: Sequence[str]) -> tuple[np.ndarray, int]:
    """Per-item SPICE F from SPICE's output JSON (``scores.All.f``, as pycocoevalcap), in ``ids`` order.

    SPICE reports no F (null/NaN) when neither side yields a tuple; pycocoevalcap would then make the
    corpus mean NaN. We score such items 0 and return how many there were.
    """
    by_id: dict[str, object] = {}
    for entry in results:
        try:
            by_id[str(entry["image_id"])] = entry["scores"]["All"]["f"]
        except (KeyError, TypeError) as exc:
            raise DataError(f"SPICE output entry without scores.All.f: {str(entry)[:200]}") from exc
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise DataError(f"SPICE output lacks {len(missing)} item(s), e.g. {missing[0]!r}; re-run the scoring")
    scores = np.zeros(len(ids), dtype=np.float64)
    nonfinite = 0
    for k, item_id in enumerate(ids):
        try:
            value = float(by_id[item_id])  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = math.nan
        if math.isfinite(value):
            scores[k] = value
        else:
            nonfinite += 1
    return scores, nonfinite


def _signature(java: str) -> str:
    return (
        f"spice|jar:{SPICE_JAR}|pycocoevalcap:{package_version('pycocoevalcap')}|corenlp:3.6.0|java:{java}"
        "|refs:1|subset|empty:0|no-f:0"
    )


def _run_spice(install: SpiceInstall, hyps: list[str], refs: list[str], major: int | None) -> tuple[np.ndarray, int]:
    from adiff_bench.paths import cache_dir

    assert install.java is not None
    spice_cache = cache_dir() / "spice" / "cache"
    spice_cache.mkdir(parents=True, exist_ok=True)
    tmp_root = cache_dir() / "spice" / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    ids = [str(i) for i in range(len(hyps))]
    with private_tempdir("run-", tmp_root) as tmp:
        work = Path(tmp)
        jar = assemble_runtime(install, work / "spice")
        in_file, out_file = work / "in.json", work / "out.json"
        records = [{"image_id": i, "test": h, "refs": [r]} for i, h, r in zip(ids, hyps, refs, strict=True)]
        in_file.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        cmd = spice_command(install.java, jar, in_file, out_file, spice_cache, major)
        proc = subprocess.run(cmd, cwd=jar.parent, capture_output=True, text=True)
        if proc.returncode != 0 or not out_file.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"SPICE exited with status {proc.returncode}: {' | '.join(tail)}")
        results = json.loads(out_file.read_text(encoding="utf-8"))
    return parse_spice_output(results, ids)


def spice_score(tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str]) -> MetricResult:
    """SPICE F per item (one reference each) and their mean, as pycocoevalcap computes it.

    Empty hypotheses score 0 without going to Java (they have no tuples, so F would be 0 or undefined).
    """
    hyps = [str(h) for h in tokenized_hypotheses]
    refs = [str(r) for r in tokenized_references]
    if len(hyps) != len(refs):
        raise DataError(f"SPICE needs one reference per hypothesis; got {len(hyps)} hypotheses, {len(refs)} references")
    install = find_install()
    if not install.ready:
        return unavailable("SPICE", _signature("n/a"), str(install.problem))
    assert install.java is not None
    jv = java_version(install.java) or "unknown"
    keep = [k for k, h in enumerate(hyps) if h.strip()]
    per_item = np.zeros(len(hyps), dtype=np.float64)
    nonfinite = 0
    if keep:
        try:
            scores, nonfinite = _run_spice(install, [hyps[k] for k in keep], [refs[k] for k in keep], java_major(jv))
        except (OSError, RuntimeError, ValueError, DataError) as exc:
            return unavailable("SPICE", _signature(jv), f"SPICE could not run: {exc}")
        per_item[keep] = scores
        if nonfinite:
            warnings.warn(f"SPICE reported no F-score for {nonfinite} item(s); they score 0 (no-f:0)", stacklevel=2)
    return mean_result("SPICE", _signature(jv), per_item)


def spider_score(cider: MetricResult, spice: MetricResult) -> MetricResult:
    """SPIDEr = (CIDEr-D + SPICE) / 2 per item; the corpus is their mean. Unavailable if either is."""
    signature = f"spider|mean-of[{cider.signature}]+[{spice.signature}]"
    for part in (cider, spice):
        if not part.available or part.per_item is None:
            reason = part.unavailable or f"{part.name} has no per-item scores"
            return unavailable("SPIDEr", signature, f"needs {part.name}: {reason}")
    assert cider.per_item is not None and spice.per_item is not None
    if cider.per_item.shape != spice.per_item.shape:
        raise DataError(f"SPIDEr: CIDEr has {cider.per_item.shape[0]} items but SPICE has {spice.per_item.shape[0]}")
    per_item = (np.asarray(cider.per_item, dtype=np.float64) + np.asarray(spice.per_item, dtype=np.float64)) / 2
    return mean_result("SPIDEr", signature, per_item)


def spider(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> MetricResult:
    """The suite's SPIDEr, from the CIDEr-D and SPICE results it needs."""
    spice = ctx.result("SPICE")
    if not spice.available:
        return unavailable("SPIDEr", "SPIDEr", f"needs SPICE: {spice.unavailable}")
    return spider_score(ctx.result("CIDEr-D"), spice)
