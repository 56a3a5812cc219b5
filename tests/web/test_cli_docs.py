"""docs/cli.md is generated from --help and must be current (STYLE rule 15)."""

from pathlib import Path

from outfall.cli.reference import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m outfall.cli.reference > docs/cli.md"
