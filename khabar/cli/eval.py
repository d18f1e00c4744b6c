"""``khabar eval TASK``: the quality metric of each capability on the data in ../shared/data."""

from __future__ import annotations

import argparse
import importlib

# task name -> module in khabar/eval/ exposing ``add_arguments(parser)`` and ``run(args) -> int``
TASKS: dict[str, str] = {"ner": "ner", "stories": "stories", "compare": "compare"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="measure a capability on the shared data")
    tasks = p.add_subparsers(dest="task", metavar="TASK")
    for name, module in TASKS.items():
        mod = importlib.import_module(f"khabar.eval.{module}")
        tp = tasks.add_parser(name, help=(mod.__doc__ or "").strip().splitlines()[0] if mod.__doc__ else None)
        mod.add_arguments(tp)
        tp.set_defaults(func=mod.run)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
