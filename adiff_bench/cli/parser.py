"""The argument parser every subcommand gets: help that states defaults, did-you-mean for typos of
subcommands, choices and flags (Python 3.11's argparse has no ``suggest_on_error``), and the shared
``--output`` option whose older spellings still parse but are hidden from help."""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence
from typing import Any, NoReturn

_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<value>[^']*)' \(choose from (?P<choices>.*)\)")


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Appends "(default: X)" to an option's help where a default exists and the help does not say it already
    (no default for flags, None, empty lists or positionals)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            action.help is argparse.SUPPRESS
            or "default" in text.lower()
            or not action.option_strings
            or action.nargs == 0
            or default is None
            or default is argparse.SUPPRESS
            or isinstance(default, bool)
            or default in ((), [])
        ):
            return action.help
        return f"{text} (default: %(default)s)" if text else "default: %(default)s"


def _close(word: str, options: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None


def _visible_flags(parser: argparse.ArgumentParser) -> list[str]:
    shown = [action for action in parser._actions if action.help is not argparse.SUPPRESS]
    return [flag for action in shown for flag in action.option_strings]


class SuggestingParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors end with "did you mean ...?" when a close match exists. Subparsers are
    created with the parent's class, so every subcommand and step gets it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """An option given without help still shows its default (argparse prints nothing for it otherwise)."""
        action = super().add_argument(*args, **kwargs)
        default = action.default
        if (
            action.help is None
            and action.option_strings
            and action.nargs != 0
            and default not in (None, argparse.SUPPRESS, (), [])
            and not isinstance(default, bool)
        ):
            action.help = "default: %(default)s"
        return action

    def error(self, message: str) -> NoReturn:
        match = _INVALID_CHOICE.search(message)
        if match:
            suggestion = _close(match["value"], re.findall(r"'([^']*)'", match["choices"]))
            if suggestion is not None:
                message += f"; did you mean '{suggestion}'?"
        super().error(message)

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> argparse.Namespace:  # type: ignore[override]
        """As argparse's, but unknown flags are reported by the subcommand they were given to, with the closest
        flag that subcommand knows."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            target = self._selected(parsed)
            flags = [_close(token.split("=", 1)[0], _visible_flags(target)) for token in extras if token[:1] == "-"]
            hints = [flag for flag in flags if flag is not None]
            hint = f"; did you mean {', '.join(hints)}?" if hints else ""
            target.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return parsed

    def _selected(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        """The innermost (sub)parser the command line chose, following each level's subcommand."""
        parser: argparse.ArgumentParser = self
        while True:
            chosen = None
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    name = getattr(parsed, action.dest, None) if action.dest else None
                    chosen = action.choices.get(name) if name is not None else None
            if chosen is None:
                return parser
            parser = chosen


def add_output_option(
    parser: argparse.ArgumentParser,
    help_text: str,
    *,
    dest: str = "output",
    old: Sequence[str] = (),
    **kwargs: Any,
) -> None:
    """``--output`` for every subcommand that writes; ``old`` spellings (and lm-eval's ``--output_path``) fill
    the same ``dest`` and are hidden from help so existing scripts keep working."""
    parser.add_argument("--output", dest=dest, help=help_text, **kwargs)
    shared = {key: kwargs[key] for key in ("type", "metavar") if key in kwargs}
    for flag in (*old, "--output_path"):
        parser.add_argument(flag, dest=dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS, **shared)


def add_hidden_alias(parser: argparse.ArgumentParser, flag: str, dest: str, **kwargs: Any) -> None:
    """Another spelling (e.g. lm-eval's ``--model_args``) of an existing option, parsed into its ``dest``."""
    parser.add_argument(flag, dest=dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kwargs)


def require_output(value: object, command: str, what: str) -> None:
    """``--output`` is required here; checked after parsing because its hidden old spelling may carry it."""
    if value is None:
        from adiff_bench.errors import AdiffBenchError

        raise AdiffBenchError(f"{command}: --output is required ({what})")
