"""Versioned JSON schemas of the files adiff-bench writes, and a small validator for them (the subset of
draft 2020-12 the schemas use), so checking a record needs no extra package."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

RESULTS_SCHEMA_FILE = Path(__file__).with_name("results.schema.json")
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs", "$comment"})
TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def results_schema() -> dict:
    """The JSON schema of ``results.json`` (its ``$id`` carries the version)."""
    return json.loads(RESULTS_SCHEMA_FILE.read_text(encoding="utf-8"))


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False  # JSON booleans are not numbers
    return isinstance(value, TYPES[name])


def validate(instance: Any, schema: Mapping, root: Mapping | None = None, where: str = "$") -> list[str]:
    """Every violation of ``schema`` by ``instance``, as ``path: problem`` lines (empty when valid).

    Supports type, const, enum, required, properties, additionalProperties, items, minimum,
    exclusiveMinimum/Maximum, allOf and local $ref; any other keyword raises ValueError, so a schema never
    passes on a rule this validator does not check."""
    root = schema if root is None else root
    errors: list[str] = []
    for key, rule in schema.items():
        if key in ANNOTATIONS or key == "properties" or key == "additionalProperties":
            continue
        if key == "$ref":
            target: Any = root
            for part in str(rule).removeprefix("#/").split("/"):
                target = target[part]
            errors += validate(instance, target, root, where)
        elif key == "allOf":
            for sub in rule:
                errors += validate(instance, sub, root, where)
        elif key == "type":
            names = [rule] if isinstance(rule, str) else list(rule)
            if not any(_is_type(instance, name) for name in names):
                errors.append(f"{where}: expected {' or '.join(names)}, got {type(instance).__name__}")
                return errors  # the other rules assume the type
        elif key == "const":
            if instance != rule:
                errors.append(f"{where}: expected {rule!r}, got {instance!r}")
        elif key == "enum":
            if instance not in rule:
                errors.append(f"{where}: {instance!r} is not one of {rule!r}")
        elif key == "required":
            if isinstance(instance, dict):
                errors += [f"{where}: missing key {name!r}" for name in rule if name not in instance]
        elif key == "items":
            if isinstance(instance, list):
                for index, value in enumerate(instance):
                    errors += validate(value, rule, root, f"{where}[{index}]")
        elif key in ("minimum", "exclusiveMinimum", "exclusiveMaximum"):
            if _is_type(instance, "number"):
                bad = {
                    "minimum": instance < rule,
                    "exclusiveMinimum": instance <= rule,
                    "exclusiveMaximum": instance >= rule,
                }[key]
                if bad:
                    errors.append(f"{where}: {instance!r} breaks {key} {rule!r}")
        else:
            raise ValueError(f"schema keyword {key!r} at {where} is not supported by this validator")
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, value in instance.items():
            if name in properties:
                errors += validate(value, properties[name], root, f"{where}.{name}")
            elif extra is False:
                errors.append(f"{where}: unexpected key {name!r}")
            elif isinstance(extra, Mapping):
                errors += validate(value, extra, root, f"{where}.{name}")
    return errors
