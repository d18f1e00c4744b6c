"""``khabar train MODEL``: rebuild a shipped model in khabar/resources/ from the shared data."""

from __future__ import annotations

import argparse
import importlib

# model name -> module path (relative to khabar) exposing ``add_train_arguments(parser)`` and ``train_cli(args)``
MODELS: dict[str, str] = {"ner": "extract.ner_train", "compare": "compare"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a shipped model")
    models = p.add_subparsers(dest="model", metavar="MODEL")
    for name, module in MODELS.items():
        mod = importlib.import_module(f"khabar.{module}")
        mp = models.add_parser(name, help=f"train the {name} model")
        mod.add_train_arguments(mp)
        mp.set_defaults(func=mod.train_cli)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
