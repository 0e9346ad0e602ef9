"""Canonical URLs: one spelling per page, so URL variants dedupe; site names and owners (pure)."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track the reader, never select content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ocid",
        "cmpid",
        "ncid",
        "sr_share",
        "ref_src",
        "spm",
        "at_medium",
        "at_campaign",
        "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "piwik_", "ga_", "hsa_", "oly_", "vero_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Resolve against ``base``, lower-case scheme and host, drop the default port,
    fragment and tracking parameters, and sort what remains of the query.

    Never raises: a URL it cannot take apart is returned stripped.
    """
    url = url.strip()
    try:
        if base:
            url = urljoin(base, url)
        return _canonical(url)
    except (ValueError, UnicodeError):
        return url


def _canonical(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return url  # nothing to normalise safely without a host
    port = parts.port
    scheme = parts.scheme.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username is not None:
        credentials = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{credentials}@{netloc}"
    # Whitespace left before a dropped fragment or query is a typo, not part of the path;
    # the rest is percent-encoded (spaces, non-ASCII) so a second pass is a no-op.
    path = quote(parts.path.rstrip(), safe=_PATH_SAFE) or "/"
    query_pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    query = urlencode(sorted(query_pairs))
    return urlunsplit((scheme, netloc, path, query, ""))


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a host: the only kind feedworker requests."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        return False


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def same_site(a: str, b: str) -> bool:
    """True when both URLs are on the same registrable-ish host (``www.`` ignored)."""

    def bare(host: str) -> str:
        return host.removeprefix("www.")

    return bool(host_of(a)) and bare(host_of(a)) == bare(host_of(b))


# Registered names too common to stand for one owner (Xinhua's news.cn is not every
# news.* site, "efe-agency" is EFE's)
GENERIC_SITE_NAMES = frozenset(
    {"news", "press", "agency", "agence", "agencia", "agenzia", "agentur", "agencja", "wire"}
    | {"info", "online", "media"}
)

# Second-level labels under which country domains register names: reuters.co.uk
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "gob", "go", "ac", "or", "ne", "news"}


def site_name(host: str) -> str | None:
    """The registered name of a host: "www.reuters.co.uk" -> "reuters" (None for an IP)."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 2 or not labels[-1].isalpha():
        return None
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2]


def same_owner(a: str, b: str) -> bool:
    """Looser than :func:`same_site`: one registered name ("www.reuters.com",
    "reuters.co.uk"), or one's name among the other's labels ("jaraguadosul.com.br",
    "jaraguadosul.sc.gov.br"). An address or "localhost" has no owner to tell apart."""
    host_a, host_b = host_of(a), host_of(b)
    name_a, name_b = site_name(host_a), site_name(host_b)
    if name_a is None or name_b is None:
        return True
    return (
        name_a == name_b
        or (name_a not in GENERIC_SITE_NAMES and name_a in host_b.split("."))
        or (name_b not in GENERIC_SITE_NAMES and name_b in host_a.split("."))
    )
