"""khabar: a news-story engine. Read articles, analyse them, compare them, group them into stories.

    from khabar import read, analyze, compare, Newsroom
"""

__version__ = "0.1.0"

# Imported eagerly on purpose: each function shares its name with the module that defines it, and a lazy
# attribute would be shadowed by the module as soon as anything imported it.
from khabar.analyze import analyze  # noqa: E402
from khabar.compare import compare  # noqa: E402
from khabar.newsroom import Newsroom  # noqa: E402
from khabar.read import read  # noqa: E402

__all__ = ["Newsroom", "analyze", "compare", "read"]
