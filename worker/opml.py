"""OPML subscription lists: import feeds from, and export them to, other readers."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from .exceptions import ConfigError


@dataclass(frozen=True, kw_only=True)
class Subscription:
    url: str
    title: str | None


def parse_opml(data: bytes, *, source: str) -> list[Subscription]:
    """Every ``<outline xmlUrl=...>`` at any depth (folders are flattened)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as e:
        raise ConfigError(f"{source}: not valid OPML: {e}") from e
    subscriptions = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url.lower().startswith(("http://", "https://")):
            title = outline.get("title") or outline.get("text")
            subscriptions.append(Subscription(url=url, title=title or None))
    return subscriptions


def render_opml(subscriptions: list[Subscription], *, title: str = "feedworker feeds") -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_escape(title)}</title></head>",
        "  <body>",
    ]
    for sub in subscriptions:
        name = sub.title or sub.url
        lines.append(
            f'    <outline type="rss" text={quoteattr(name)} title={quoteattr(name)} '
            f"xmlUrl={quoteattr(sub.url)}/>"
        )
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return quoteattr(text)[1:-1]
