"""File I/O at the edges: atomic writes (a reader sees the old file or the new one, never half of either),
bounded readers for the YAML/JSON a user hands us, safe file names and a check that writes stay in their folder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

# A user's YAML/JSON file is a small settings file: these bounds keep a hostile one (an alias bomb, a huge or
# deeply nested document) from exhausting memory; real specs, studies and metadata are far below them.
MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_YAML_NODES = 200_000  # scalars + collections once every alias is expanded


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write via a temporary file and rename; an OSError (full disk, read-only folder) names ``path``."""
    path = Path(path)
    try:
        _atomic_write(path, data)
    except OSError as exc:  # name the file the caller asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from exc


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs get ordinary permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path | str, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path | str, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def read_utf8(path: Path | str, where: Callable[[int], str] | None = None) -> str:
    """A user's text file, decoded strictly; a bad byte is one error naming the file and line."""
    from adiff_bench.errors import DataError

    path = Path(path)
    locate = where or (lambda line: f"{path}:{line}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(f"{locate(line)}: not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8") from exc


def _check_size(path: Path, limit: int) -> None:
    from adiff_bench.errors import DataError

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
    if size > limit:
        raise DataError(f"{path}: {size} bytes is too large for this file (at most {limit}); is it the right file?")


class _TooLarge(ValueError):
    """A YAML document refused by its expanded size; the message starts with the line."""


def _expanded_nodes(root: Any, limit: int) -> int:
    """Nodes of a composed YAML graph with every alias expanded (memoised, so a bomb costs little to measure);
    a recursive alias or more than ``limit`` nodes raises _TooLarge."""
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _TooLarge(f"{node.start_mark.line + 1}: a recursive alias (an anchor used inside itself)")
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        if total > limit:
            raise _TooLarge(
                f"{node.start_mark.line + 1}: expands to more than {limit} values through aliases (*name); "
                "write the values out or use fewer aliases"
            )
        open_nodes.discard(key)
        sizes[key] = total
        return total

    return size(root)


def _yaml_loader() -> type:
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        """SafeLoader that names impossible dates (``2025-02-30``) with their line instead of a ValueError."""

        def construct_yaml_timestamp(self, node: Any) -> Any:
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as exc:
                raise yaml.constructor.ConstructorError(
                    None, None, f"impossible date {node.value!r} ({exc}); quote it to keep it as text", node.start_mark
                ) from exc

    BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", BoundedLoader.construct_yaml_timestamp)
    return BoundedLoader


def read_yaml(path: Path | str, *, max_bytes: int = MAX_CONFIG_BYTES, max_nodes: int = MAX_YAML_NODES) -> Any:
    """A user's YAML (or JSON: YAML is a superset) file; unreadable, non-UTF-8, malformed, oversized or
    alias-bomb input is one error naming the file (and line). Callers check the shape of what comes back."""
    import yaml

    from adiff_bench.errors import DataError

    path = Path(path)
    _check_size(path, max_bytes)
    text = read_utf8(path)
    loader = _yaml_loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_nodes(node, max_nodes)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataError(f"{where}: not valid YAML/JSON ({problem})") from exc
    except _TooLarge as exc:
        raise DataError(f"{path}:{exc}") from exc  # the message starts with the line
    except RecursionError as exc:
        raise DataError(f"{path}: nested too deeply to read; flatten the file") from exc
    finally:
        loader.dispose()


def read_json(path: Path | str, *, max_bytes: int | None = None) -> Any:
    """A user's JSON file: unreadable, non-UTF-8, malformed or too deeply nested input is one
    DataError naming the file, never a ValueError or RecursionError traceback."""
    path = Path(path)
    if max_bytes is not None:
        _check_size(path, max_bytes)
    return parse_json(read_utf8(path), str(path))


def parse_json(text: str, where: str) -> Any:
    """``json.loads`` for user text; ``where`` (a file, or file:line) starts the one-line error."""
    from adiff_bench.errors import DataError

    try:
        return json.loads(text)
    except RecursionError as exc:
        raise DataError(f"{where}: nested too deeply to read (is it the right file?)") from exc
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise DataError(f"{where}: not valid JSON ({exc})") from exc


def slugify(name: str) -> str:
    """A file-name-safe slug (lowercase ASCII letters, digits, '-'); names with no ASCII letters or digits get a
    hash so they still differ. Never '.', '..', absolute or with a separator, so it cannot leave its folder."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")[:64].strip("-")
    return slug or "model-" + hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:10]


def inside(root: Path | str, path: Path | str) -> Path:
    """``path`` if it stays under ``root`` once resolved (symlinks and '..' included); else a one-line error.
    Every write whose name comes from a user's file goes through this."""
    from adiff_bench.errors import DataError

    resolved_root = Path(root).resolve()
    resolved = Path(path).resolve()
    if resolved != resolved_root and not resolved.is_relative_to(resolved_root):
        raise DataError(f"{path}: refused, it would be written outside the output folder {root}")
    return Path(path)


def suggest(word: str, choices: Collection[str]) -> str:
    """`` Did you mean 'x'?`` for a close match, else an empty string."""
    import difflib

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_keys(data: Mapping[str, Any], allowed: Collection[str], where: str) -> None:
    """Refuse unknown keys of a user's mapping in one line, each with a did-you-mean suggestion."""
    from adiff_bench.errors import DataError

    unknown = [str(k) for k in data if k not in allowed]
    if unknown:
        named = ", ".join(f"{k}{suggest(k, allowed)}" for k in unknown)
        raise DataError(f"{where}: unknown field(s) {named}; allowed: {', '.join(sorted(allowed))}")
