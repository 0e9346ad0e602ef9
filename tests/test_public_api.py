"""Claims about the public API: ``worker.__all__`` is sorted and every name in it imports."""

from __future__ import annotations

import pytest

import worker


def test_all_is_sorted_without_duplicates() -> None:
    assert list(worker.__all__) == sorted(worker.__all__)
    assert len(set(worker.__all__)) == len(worker.__all__)


@pytest.mark.parametrize("name", worker.__all__)
def test_every_name_in_all_is_importable_from_worker(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from worker import {name}", namespace)
    assert namespace[name] is getattr(worker, name)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from worker import *", namespace)
    namespace.pop("__builtins__", None)
    assert sorted(namespace) == sorted(worker.__all__)
