"""feedworker: poll news feeds, store one clean copy of every article, flag wire copy."""

from .clean import clean_page
from .config import Settings, load_settings
from .exceptions import (
    ConfigError,
    ExtractError,
    FeedworkerError,
    FetchError,
    ParseError,
    StorageError,
)
from .pipeline import Ingestor, RunReport
from .store import Store
from .types import Article, Evidence, ExtractedPage, FeedEntry, ParsedFeed

__all__ = [
    "Article",
    "ConfigError",
    "Evidence",
    "ExtractError",
    "ExtractedPage",
    "FeedEntry",
    "FeedworkerError",
    "FetchError",
    "Ingestor",
    "ParseError",
    "ParsedFeed",
    "RunReport",
    "Settings",
    "StorageError",
    "Store",
    "clean_page",
    "load_settings",
]
