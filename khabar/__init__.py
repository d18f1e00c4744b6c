"""khabar: a news-story engine. Read articles, analyse them, compare them, group them into stories."""

__version__ = "0.1.0"
from khabar.compare import compare  # noqa: E402,F401  (the module import would otherwise shadow the function)
