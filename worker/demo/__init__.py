"""The bundled demo news site: original sample pages and feeds served on loopback."""

from __future__ import annotations

import tomllib
from importlib import resources

from .server import Route, SiteServer

__all__ = ["Route", "SiteServer", "demo_feed_paths", "demo_routes"]

BASE_PLACEHOLDER = "{{BASE}}"


def _site_manifest() -> dict[str, dict[str, object]]:
    text = resources.files(__package__).joinpath("site/site.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _read(name: str, base_url: str) -> bytes:
    text = resources.files(__package__).joinpath("site", name).read_text(encoding="utf-8")
    return text.replace(BASE_PLACEHOLDER, base_url).encode("utf-8")


def demo_feed_paths() -> list[str]:
    return list(_site_manifest().get("feeds", {}))


def demo_routes(base_url: str) -> dict[str, Route]:
    """Every page, feed and redirect of the demo site, with absolute URLs on ``base_url``."""
    manifest = _site_manifest()
    routes: dict[str, Route] = {}
    for path, file in manifest.get("pages", {}).items():
        routes[path] = Route(body=_read(str(file), base_url))
    for path, spec in manifest.get("feeds", {}).items():
        assert isinstance(spec, dict)
        routes[path] = Route(
            body=_read(str(spec["file"]), base_url),
            content_type=f"{spec.get('content_type', 'application/rss+xml')}; charset=utf-8",
        )
    for path, target in manifest.get("redirects", {}).items():
        routes[path] = Route.redirect(base_url + str(target))
    return routes
