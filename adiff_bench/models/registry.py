"""Lazy model registry: names map to ``module:attribute`` strings, imported only when used.

Third-party packages register models through the ``adiff_bench.models`` entry-point group, and any
class can be named directly as ``package.module:Class`` on the command line. Naming ``module:Class`` imports
(runs) that module, so a file handed to us (an ablation spec) may name registered models only unless the user
opts in (``refuse_code_reference``). Whatever is imported must be a class with the Model members before it is called.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from adiff_bench.errors import ModelError
from adiff_bench.models.base import Model

ENTRY_POINT_GROUP = "adiff_bench.models"

# Built-in models. Adding one is a line here; nothing is imported until the model is asked for.
BUILTIN_MODELS: dict[str, str] = {
    "caption-oracle": "adiff_bench.models.weight_free:CaptionOracle",
    "constant": "adiff_bench.models.weight_free:Constant",
    "acoustic": "adiff_bench.models.acoustic:AcousticBaseline",
    "adiff": "adiff_bench.models.adiff.adapter:AdiffModel",
    "naive-baseline": "adiff_bench.models.adiff.adapter:NaiveBaselineModel",
    "qwen2-audio": "adiff_bench.models.external.qwen2_audio:Qwen2Audio",
    "qwen2.5-omni": "adiff_bench.models.external.qwen_omni:Qwen25OmniThinker",
    "hf-alm": "adiff_bench.models.external.hf_alm:HfAudioLanguageModel",
    "openai-api": "adiff_bench.models.external.openai_api:OpenAIChatModel",
}


def available_models() -> dict[str, str]:
    """Built-in names plus installed plugins (plugins cannot shadow built-ins)."""
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **BUILTIN_MODELS}


MODEL_METHODS = ("fingerprint", "generate")
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
_REFERENCE = re.compile(rf"^{_DOTTED}:{_DOTTED}$")


def _unknown(name: str, models: Mapping[str, str]) -> ModelError:
    close = difflib.get_close_matches(name, list(models), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return ModelError(
        f"unknown model {name!r}.{hint} Known models: {', '.join(sorted(models))}; or pass package.module:Class."
    )


def refuse_code_reference(name: str, where: str) -> None:
    """For names read from a file: a registered name passes; a ``module:Class`` reference is refused (before
    anything is imported) because importing it runs that module's code."""
    models = available_models()
    if name in models:
        return
    if ":" not in name:
        raise _unknown(name, models)
    raise ModelError(
        f"{where}: model {name!r} names code to import and run; this file may name registered models only "
        f"({', '.join(sorted(models))}). If you trust it, pass --allow-code-models or set trust_code: true"
    )


def add_include_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Put each folder (``--include-path DIR``, as lm-eval's ``--include_path``) first on ``sys.path`` so that
    ``--model module:Class`` finds modules there; a path that is not a folder is a one-line error."""
    added = []
    for raw in reversed(list(paths)):
        folder = Path(raw).expanduser().resolve()
        if not folder.is_dir():
            raise ModelError(f"--include-path {raw}: no such folder; give the folder holding your model's module")
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
        added.append(folder)
    return added[::-1]


def _current_directory_importable() -> None:
    """``--model my_models:Cls`` run from the folder holding my_models.py works as ``python -m`` would: the
    current directory is searched, after installed packages (a local file never shadows an installed one)."""
    here = Path.cwd().resolve()
    if not any(entry in ("", ".") or _same_folder(entry, here) for entry in sys.path):
        sys.path.append(str(here))


def _same_folder(entry: str, folder: Path) -> bool:
    try:
        return Path(entry).resolve() == folder
    except (OSError, RuntimeError):
        return False


def resolve_model_class(name: str) -> type:
    """Import the class behind a registered name or a ``module:Class`` reference, and check that it is a class
    with the Model members (``fingerprint``, ``generate``) before anyone calls it."""
    models = available_models()
    target = models.get(name)
    if target is None and ":" in name:
        target = name
    if target is None:
        raise _unknown(name, models)
    target = target.split("[")[0].strip()  # an entry point may carry "[extras]"
    if not _REFERENCE.match(target):
        raise ModelError(
            f"model {name!r}: {target!r} is not package.module:Class (dotted module, one colon, a class name)"
        )
    module_name, _, attribute = target.partition(":")
    if target == name:  # a module:Class named by the user, not a registered name
        _current_directory_importable()
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelError(f"model {name!r}: cannot import {module_name} ({exc})") from exc
    except Exception as exc:  # the module's own code failed while importing (SyntaxError, RuntimeError, ...)
        raise ModelError(f"model {name!r}: importing {module_name} failed ({type(exc).__name__}: {exc})") from exc
    try:
        found: Any = module
        for part in attribute.split("."):
            found = getattr(found, part)
    except AttributeError as exc:
        raise ModelError(f"model {name!r}: {module_name} has no attribute {attribute!r}") from exc
    if not inspect.isclass(found):
        kind = "a module" if inspect.ismodule(found) else f"a {type(found).__name__}"
        raise ModelError(f"model {name!r}: {target} is {kind}, not a class implementing the Model interface")
    missing = [m for m in MODEL_METHODS if not callable(getattr(found, m, None))]
    if missing:
        raise ModelError(
            f"model {name!r} does not implement the Model interface (name, needs, fingerprint, generate): "
            f"{found.__name__} has no {', '.join(missing)}"
        )
    return found


def parse_model_args(text: str | None) -> dict[str, str]:
    """``"a=1,b=x"`` → ``{"a": "1", "b": "x"}``; a malformed pair is an error, never dropped."""
    if not text:
        return {}
    args: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ModelError(f"--model-args: {part!r} is not key=value (separate pairs with commas)")
        if key.strip() in args:
            raise ModelError(f"--model-args: {key.strip()!r} is given twice")
        args[key.strip()] = value.strip()
    return args


def _convert(value: str, annotation: Any, key: str) -> Any:
    if isinstance(annotation, str):
        annotation = {"int": int, "float": float, "bool": bool, "str": str, "Path": Path}.get(
            annotation.split("|")[0].strip(), str
        )
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value.lower() in ("none", "null", ""):
            return None
        annotation = options[0] if options else str
    try:
        if annotation is bool:
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if annotation in (int, float, Path):
            return annotation(value)
    except ValueError as exc:
        name = getattr(annotation, "__name__", str(annotation))
        raise ModelError(f"--model-args: {key}={value!r} is not a valid {name}") from exc
    return value


def build_model(name: str, args: Mapping[str, str] | None = None) -> Model:
    """Construct a model from string arguments, converted by the constructor's type hints."""
    cls = resolve_model_class(name)
    args = dict(args or {})
    signature = inspect.signature(cls)
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # unresolvable hints: fall back to the raw annotations
        hints = {}
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    known = [p for p in signature.parameters if p not in ("self", "args", "kwargs")]
    kwargs: dict[str, Any] = {}
    for key, value in args.items():
        if key not in signature.parameters and not accepts_any:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ModelError(f"model {name!r} has no argument {key!r}.{hint} It accepts: {', '.join(known) or 'none'}")
        parameter = signature.parameters.get(key)
        annotation = hints.get(key, parameter.annotation if parameter else str)
        kwargs[key] = _convert(value, annotation, key)
    try:
        model = cls(**kwargs)
    except TypeError as exc:
        raise ModelError(f"model {name!r}: {exc}") from exc
    if not isinstance(model, Model):
        raise ModelError(f"model {name!r} does not implement the Model interface (name, needs, fingerprint, generate)")
    return model
