"""STYLE rule 1: outfall.core imports nothing from Django, DRF or another outfall app; nor does
outfall.reports (pure functions from plain dicts to report files, called by the apps)."""

import ast
from pathlib import Path

import pytest

import outfall.core
import outfall.reports

CORE = Path(outfall.core.__file__).parent
PURE = [CORE, Path(outfall.reports.__file__).parent]
FORBIDDEN = ("django", "rest_framework", "drf_spectacular", "django_filters", "leaflet")
APPS = ("accounts", "history", "ledger", "rivers", "monitoring", "alerts", "traces", "remediation",
        "mapui", "site", "demo", "cli")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("package", PURE, ids=lambda p: p.name)
def test_pure_modules_import_no_django_and_no_app(package):
    bad = []
    files = sorted(package.rglob("*.py"))
    assert len(files) >= 5
    for f in files:
        for mod in _imports(f):
            top = mod.split(".")[0]
            if top in FORBIDDEN or (top == "outfall" and len(mod.split(".")) > 1 and mod.split(".")[1] in APPS):
                bad.append(f"{f.relative_to(package)} imports {mod}")
    assert bad == []


def test_the_check_catches_a_django_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("from django.db import models\nimport outfall.ledger.models\n")
    mods = list(_imports(f))
    assert "django.db" in mods and "outfall.ledger.models" in mods
