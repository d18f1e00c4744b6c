"""khabar: a news-story engine. Read articles, analyse them, compare them, group them into stories."""

__version__ = "0.1.0"
