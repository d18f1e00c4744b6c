"""The ``khabar`` command line: one module a subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module in khabar/cli/ named here defines ``register(subparsers)``; its parser sets ``func(args) -> int``.
COMMANDS = ["read", "eval", "train", "ner", "stories", "copies", "compare"]


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="khabar", description="A news-story engine (Arabic first).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"khabar.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, run, return the exit status (0 ok, 1 some input failed, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
