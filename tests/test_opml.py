"""Claims about worker.opml: subscriptions import from, and export to, other feed readers."""

from __future__ import annotations

import contextlib
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from worker.exceptions import ConfigError
from worker.opml import Subscription, parse_opml, render_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News">
      <outline text="World" title="World News" type="rss" xmlUrl="https://a.example/world.xml"/>
      <outline text="Deeper">
        <outline text="Tech" type="rss" xmlUrl="http://b.example/tech.rss"/>
      </outline>
    </outline>
    <outline text="Top level" xmlUrl="  https://c.example/feed  "/>
    <outline text="Mail" xmlUrl="mailto:news@example.com"/>
    <outline text="FTP" xmlUrl="ftp://d.example/feed.xml"/>
    <outline text="Relative" xmlUrl="/feed.xml"/>
    <outline text="Folder without a feed"/>
  </body>
</opml>
"""


def test_nested_outlines_are_flattened_in_document_order() -> None:
    assert [s.url for s in parse_opml(NESTED, source="feeds.opml")] == [
        "https://a.example/world.xml",
        "http://b.example/tech.rss",
        "https://c.example/feed",
    ]


def test_title_is_preferred_then_text() -> None:
    titles = [s.title for s in parse_opml(NESTED, source="feeds.opml")]
    assert titles == ["World News", "Tech", "Top level"]


def test_non_http_outlines_are_skipped() -> None:
    urls = {s.url for s in parse_opml(NESTED, source="feeds.opml")}
    assert not {u for u in urls if not u.startswith(("http://", "https://"))}
    assert len(urls) == 3


def test_outline_without_title_or_text_has_no_title() -> None:
    data = b'<opml version="2.0"><body><outline xmlUrl="https://a.example/f"/></body></opml>'
    assert parse_opml(data, source="x") == [Subscription(url="https://a.example/f", title=None)]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml at all",
        b"<opml><body><outline xmlUrl='https://a.example/'>",
        b"<opml>&bad;</opml>",
    ],
)
def test_malformed_xml_is_a_config_error_naming_the_source(data: bytes) -> None:
    with pytest.raises(ConfigError, match=r"^subscriptions\.opml:"):
        parse_opml(data, source="subscriptions.opml")


def test_external_entities_are_not_resolved() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline title="&leak;" xmlUrl="https://a.example/"/></body></opml>'
    )
    subscriptions: list[Subscription] = []
    with contextlib.suppress(ConfigError):
        subscriptions = parse_opml(data, source="evil.opml")
    assert all("root:" not in (s.title or "") for s in subscriptions)


def test_rendered_opml_is_well_formed_opml() -> None:
    out = render_opml([Subscription(url="https://a.example/f", title="A")], title="Mine")
    root = etree.fromstring(out.encode("utf-8"))
    assert root.tag == "opml"
    assert root.findtext("head/title") == "Mine"
    (outline,) = root.iter("outline")
    assert outline.get("xmlUrl") == "https://a.example/f"
    assert outline.get("text") == "A"


def test_special_characters_in_titles_and_urls_are_escaped() -> None:
    subs = [Subscription(url="https://a.example/f?x=1&y=2", title='Tom & Jerry <"Live">')]
    out = render_opml(subs, title='Mine & <"yours">')
    assert "Tom & Jerry" not in out
    assert '<"Live">' not in out
    assert "&amp;" in out and "&lt;" in out
    assert "x=1&amp;y=2" in out
    root = etree.fromstring(out.encode("utf-8"))
    assert root.findtext("head/title") == 'Mine & <"yours">'
    assert parse_opml(out.encode("utf-8"), source="out.opml") == subs


def test_render_then_parse_round_trips() -> None:
    subs = [
        Subscription(url="https://a.example/world.xml", title="World"),
        Subscription(url="http://b.example/tech.rss?format=rss&lang=en", title="Tech & Science"),
        Subscription(url="https://c.example/feed", title="Ünïcode ✓ 中文"),
    ]
    assert parse_opml(render_opml(subs).encode("utf-8"), source="out.opml") == subs


_XML_SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn"), whitelist_characters="\t\n\r"),
    min_size=1,
)
_URL_TAIL = st.text(alphabet=string.ascii_letters + string.digits + "-._~/?&=%<>\"'", max_size=20)
_SUBSCRIPTIONS = st.lists(
    st.builds(
        Subscription,
        url=st.builds(
            lambda s, tail: f"{s}://feeds.example.com/{tail}",
            st.sampled_from(["http", "https"]),
            _URL_TAIL,
        ),
        title=_XML_SAFE_TEXT,
    ),
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(_SUBSCRIPTIONS, _XML_SAFE_TEXT)
def test_render_then_parse_round_trips_any_titles(subs: list[Subscription], title: str) -> None:
    assert parse_opml(render_opml(subs, title=title).encode("utf-8"), source="out.opml") == subs


def test_untitled_subscription_round_trips_untitled() -> None:
    subs = [Subscription(url="https://a.example/feed", title=None)]
    assert parse_opml(render_opml(subs).encode("utf-8"), source="out.opml") == subs


def test_title_with_control_character_still_renders_valid_opml() -> None:
    subs = [Subscription(url="https://a.example/feed", title="Morning\x0bBriefing")]
    parsed = parse_opml(render_opml(subs).encode("utf-8"), source="out.opml")
    assert [s.url for s in parsed] == ["https://a.example/feed"]
