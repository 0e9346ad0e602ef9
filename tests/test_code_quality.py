"""Lint and type checks run with the suite, so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_finds_nothing() -> None:
    result = subprocess.run(
        [BIN / "ruff", "check", "worker", "tests"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([BIN / "mypy"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_cli_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    from worker.cli import main

    commands = []
    for name, command in main.commands.items():
        sub = getattr(command, "commands", None)
        commands += [f"feedworker {name} {s}" for s in sub] if sub else [f"feedworker {name}"]
    for command in commands:
        assert command in readme, f"{command!r} is not documented in README.md"
