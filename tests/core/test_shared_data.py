"""shared_data(): tests that need ../shared/data skip with the reason in a plain clone, fail in CI,
and follow OUTFALL_SHARED_DATA (issue #7, item 12)."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped
from conftest_shared import DEFAULT, ENV, shared_data, shared_reference, shared_root


def test_env_var_points_at_the_data(tmp_path, monkeypatch):
    (tmp_path / "data" / "nhdplus").mkdir(parents=True)
    (tmp_path / "data" / "nhdplus" / "x.csv").write_text("a\n")
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "t.csv").write_text("b\n")
    monkeypatch.setenv(ENV, str(tmp_path / "data"))
    monkeypatch.setenv("CI", "true")
    assert shared_root() == tmp_path / "data"
    assert shared_data("nhdplus", "x.csv").read_text() == "a\n"
    assert shared_reference("t.csv").read_text() == "b\n"


def test_default_is_beside_the_clone(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert shared_root() == DEFAULT and DEFAULT.parts[-2:] == ("shared", "data")


@pytest.mark.parametrize("ci", ["", "0", "false"])
def test_missing_data_skips_outside_ci(tmp_path, monkeypatch, ci):
    monkeypatch.setenv(ENV, str(tmp_path / "nowhere"))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(Skipped, match="shared data missing: .*nowhere.*OUTFALL_SHARED_DATA"):
        shared_data("nhdplus", "new_hope.gpkg")
    monkeypatch.delenv("CI")
    with pytest.raises(Skipped):
        shared_reference("gb3838_table1.csv")


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_missing_data_fails_in_ci(tmp_path, monkeypatch, ci):
    (tmp_path / "data").mkdir()
    monkeypatch.setenv(ENV, str(tmp_path / "data"))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(Failed, match="file not found.*CI is set"):
        shared_data("nhdplus", "new_hope.gpkg")
    with pytest.raises(Failed):
        shared_reference("gb3838_table1.csv")
