"""STYLE rule 9: every OUTFALL_* setting is documented in docs/settings.md, and nothing else is."""

import re
from pathlib import Path

from outfall.site.config import SETTINGS

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented():
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`OUTFALL_([A-Z_]+)`", text))
    declared = {s.name for s in SETTINGS}
    assert declared - documented == set(), "undocumented settings"
    assert documented - declared == set(), "documented settings that do not exist"
    for s in SETTINGS:
        assert s.help, s.name


def test_debug_is_off_unless_asked(monkeypatch):
    from outfall.site import config

    monkeypatch.delenv("OUTFALL_DEBUG", raising=False)
    assert config.get("DEBUG") is False
    monkeypatch.setenv("OUTFALL_DEBUG", "true")
    assert config.get("DEBUG") is True


def test_generated_secret_key_is_random_and_kept(tmp_path):
    from outfall.site.config import secret_key_from_file

    k1 = secret_key_from_file(tmp_path)
    assert len(k1) >= 40 and secret_key_from_file(tmp_path) == k1
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert secret_key_from_file(tmp_path / "other") != k1
