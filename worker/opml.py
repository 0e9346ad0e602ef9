"""OPML subscription lists: import feeds from, and export them to, other readers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from .exceptions import ConfigError
from .urls import is_http_url


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
        if is_http_url(url):
            title = outline.get("title") or outline.get("text")
            # exports of untitled feeds carry the URL as their text
            subscriptions.append(Subscription(url=url, title=title if title != url else None))
    return subscriptions


def render_opml(subscriptions: list[Subscription], *, title: str = "feedworker feeds") -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_escape(_xml_safe(title))}</title></head>",
        "  <body>",
    ]
    for sub in subscriptions:
        name = _xml_safe(sub.title or sub.url)
        lines.append(
            f'    <outline type="rss" text={quoteattr(name)} title={quoteattr(name)} '
            f"xmlUrl={quoteattr(_xml_safe(sub.url))}/>"
        )
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return quoteattr(text)[1:-1]


# Characters XML 1.0 cannot carry even escaped; feed titles do contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub(" ", text)
