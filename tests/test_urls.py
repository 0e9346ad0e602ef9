"""Claims about worker.urls: one canonical spelling per page, so URL variants dedupe."""

from __future__ import annotations

import string
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.urls import canonicalize_url, is_tracking_param, same_site

# --- examples -----------------------------------------------------------------


def test_scheme_and_host_are_lower_cased() -> None:
    assert canonicalize_url("HTTPS://News.Example.COM/world") == "https://news.example.com/world"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("HTTP://EXAMPLE.com:80", "http://example.com/"),
    ],
)
def test_default_port_is_dropped(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        # 80 is only the default for http, 443 only for https
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
    ],
)
def test_non_default_port_is_kept(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_fragment_is_dropped() -> None:
    assert canonicalize_url("https://example.com/story#comments") == "https://example.com/story"
    assert (
        canonicalize_url("https://example.com/story?id=3#top") == "https://example.com/story?id=3"
    )


@pytest.mark.parametrize(
    "param",
    [
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "UTM_Source",
        "fbclid",
        "gclid",
        "mc_cid",
    ],
)
def test_tracking_parameters_are_removed(param: str) -> None:
    url = f"https://example.com/story?id=42&{param}=abc"
    assert canonicalize_url(url) == "https://example.com/story?id=42"
    assert is_tracking_param(param)


def test_query_of_only_tracking_parameters_leaves_no_question_mark() -> None:
    url = "https://example.com/story?utm_source=twitter&utm_medium=social&fbclid=XYZ"
    assert canonicalize_url(url) == "https://example.com/story"


def test_content_parameters_are_kept_and_sorted() -> None:
    url = "https://example.com/search?q=rates&page=2&lang=en&utm_campaign=x"
    assert canonicalize_url(url) == "https://example.com/search?lang=en&page=2&q=rates"


def test_ordinary_parameters_are_not_mistaken_for_tracking() -> None:
    for name in ("id", "q", "page", "utm", "source", "ref"):
        assert not is_tracking_param(name)


def test_repeated_parameters_keep_every_value() -> None:
    assert (
        canonicalize_url("https://example.com/p?tag=b&tag=a") == "https://example.com/p?tag=a&tag=b"
    )


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("../c/story.html?x=1", "https://example.com/a/c/story.html?x=1"),
        ("story.html", "https://example.com/a/b/story.html"),
        ("/top", "https://example.com/top"),
        ("?page=2", "https://example.com/a/b/index.html?page=2"),
        ("//cdn.Example.net/img", "https://cdn.example.net/img"),
        ("http://Other.example.org/x#frag", "http://other.example.org/x"),
    ],
)
def test_relative_url_is_resolved_against_base(href: str, expected: str) -> None:
    base = "https://Example.com/a/b/index.html"
    assert canonicalize_url(href, base=base) == expected


def test_path_case_is_preserved() -> None:
    assert canonicalize_url("HTTPS://EXAMPLE.COM/News/World/Story-ABC") == (
        "https://example.com/News/World/Story-ABC"
    )


@pytest.mark.parametrize(
    "url", ["https://example.com", "https://example.com?x=1", "https://example.com#top"]
)
def test_empty_path_becomes_slash(url: str) -> None:
    assert urlsplit(canonicalize_url(url)).path == "/"


def test_surrounding_whitespace_is_stripped() -> None:
    assert canonicalize_url("  https://example.com/a \n") == "https://example.com/a"


def test_url_variants_share_one_canonical_form() -> None:
    variants = [
        "https://example.com/world/story?id=7",
        "HTTPS://EXAMPLE.COM:443/world/story?id=7",
        "https://example.com/world/story?utm_source=rss&id=7#main",
        "https://example.com/world/story?id=7&fbclid=abc&gclid=def",
        " https://Example.com/world/story?id=7 ",
    ]
    assert {canonicalize_url(v) for v in variants} == {"https://example.com/world/story?id=7"}


@pytest.mark.parametrize(
    "text", ["", "   ", "not a url", "http://[::1", "http://example.com:99999/", "::::", "\x00"]
)
def test_garbage_is_returned_not_raised(text: str) -> None:
    assert isinstance(canonicalize_url(text), str)


# --- known bugs ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["https://example.com/story #comments", "https://example.com/story ?utm_source=rss"],
)
def test_whitespace_before_removed_fragment_does_not_survive(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    assert once == canonicalize_url("https://example.com/story")


def test_empty_host_path_is_not_turned_into_a_host() -> None:
    once = canonicalize_url("http:////a")
    assert canonicalize_url(once) == once


def test_lone_surrogate_in_query_does_not_raise() -> None:
    assert isinstance(canonicalize_url("http://example.com/?q=\ud800"), str)


# --- properties ---------------------------------------------------------------

_SCHEMES = st.sampled_from(["http", "https", "HTTP", "Https"])
_LABEL = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)
_HOSTS = st.builds(
    lambda www, labels, tld: ("www." if www else "") + ".".join([*labels, tld]),
    st.booleans(),
    st.lists(_LABEL, min_size=1, max_size=3),
    st.sampled_from(["com", "ORG", "co.uk", "news"]),
)
_PORTS = st.one_of(st.none(), st.sampled_from([80, 443]), st.integers(1, 65535))
# Path segment characters: anything RFC 3986 allows in a segment, plus non-ASCII letters
# and stray percent signs; never '/', '?', '#' or whitespace.
_SEGMENT = st.text(
    alphabet=string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%" + "éÄß中",
    max_size=10,
)
_PATH_SEGMENTS = st.lists(_SEGMENT, max_size=5)
_QUERY_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-._~%+/:@!$'()*,é ")
_QUERY_KEYS = st.one_of(
    st.sampled_from(["utm_source", "utm_medium", "fbclid", "gclid", "mc_cid", "id", "page", "q"]),
    _QUERY_TEXT.filter(bool),
)
_QUERY = st.lists(st.tuples(_QUERY_KEYS, _QUERY_TEXT), max_size=5).map(
    lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)
)
_FRAGMENT = st.one_of(st.none(), st.text(alphabet=string.ascii_letters + "#?/=", max_size=8))


@st.composite
def _urls(draw: st.DrawFn) -> str:
    scheme = draw(_SCHEMES)
    host = draw(_HOSTS)
    port = draw(_PORTS)
    path = "/".join(draw(_PATH_SEGMENTS))
    query = draw(_QUERY)
    fragment = draw(_FRAGMENT)
    url = f"{scheme}://{host}" + (f":{port}" if port is not None else "")
    url += f"/{path}" if path else ""
    url += f"?{query}" if query else ""
    url += f"#{fragment}" if fragment is not None else ""
    return url


@settings(max_examples=200, deadline=None)
@given(_urls())
def test_canonicalization_is_idempotent(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text()))
def test_canonicalization_never_raises_on_arbitrary_text(text: str, base: str | None) -> None:
    assert isinstance(canonicalize_url(text, base=base), str)


@settings(max_examples=200, deadline=None)
@given(_SCHEMES, _HOSTS, _PATH_SEGMENTS, _QUERY)
def test_path_is_never_dropped(scheme: str, host: str, segments: list[str], query: str) -> None:
    path = "/" + "/".join(segments)
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    canonical = urlsplit(canonicalize_url(url))
    assert unquote(canonical.path) == unquote(path)  # encoded, never dropped
    assert canonical.hostname == host.lower()


@settings(max_examples=200, deadline=None)
@given(_urls())
def test_no_tracking_parameter_or_fragment_survives(url: str) -> None:
    parts = urlsplit(canonicalize_url(url))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    assert not [k for k, _ in pairs if is_tracking_param(k)]
    assert pairs == sorted(pairs)
    assert parts.fragment == ""
    assert parts.scheme == parts.scheme.lower()


# --- same_site ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.example.com/a", "https://example.com/b"),
        ("http://example.com/a", "https://www.example.com/"),
        ("https://WWW.Example.COM/a", "https://example.com/b"),
        ("https://example.com:8443/a", "https://example.com/b"),
    ],
)
def test_same_site_ignores_www_scheme_case_and_port(a: str, b: str) -> None:
    assert same_site(a, b)
    assert same_site(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/a", "https://example.org/a"),
        ("https://news.example.com/a", "https://example.com/a"),
        ("https://notexample.com/a", "https://example.com/a"),
        ("", ""),
        ("not a url", "not a url"),
        ("/relative/path", "/relative/path"),
    ],
)
def test_different_or_hostless_urls_are_not_same_site(a: str, b: str) -> None:
    assert not same_site(a, b)
