"""Where the shared evaluation data lives: $KHABAR_DATA, else ../shared/data beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path


class DataMissing(FileNotFoundError):
    """The shared data set needed by an evaluation is not on this machine."""


def shared_data_dir() -> Path:
    """The shared data folder ($KHABAR_DATA, else ../shared/data next to the repository, else ./shared/data)."""
    env = os.environ.get("KHABAR_DATA")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    for candidate in (repo.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return repo.parent / "shared" / "data"


def shared_data_path(name: str) -> Path:
    """A file of the shared data; a clear error when it is absent."""
    path = shared_data_dir() / name
    if not path.exists():
        raise DataMissing(f"{path}: not found (set KHABAR_DATA to the folder holding the shared data sets)")
    return path
