"""The translation catalogue (src/outfall/locale/en) is complete and current (issue #12):
``makemessages`` run on a copy of the sources adds no entry and drops none, every entry has an
English translation (none fuzzy), and the compiled .mo says what the .po says. Each failure lists
the exact strings, with where they are used, so they can be translated in one pass."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import outfall

PACKAGE = Path(outfall.__file__).parent
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(text: str) -> dict[tuple[str, str], dict]:
    """(msgctxt, msgid) → {"plural", "strs" (list of msgstr), "fuzzy", "where"} for every live entry."""
    entries, cur, field = {}, None, None

    def unq(s: str) -> str:
        return bytes(s[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")

    def close():
        if cur is not None and "msgid" in cur and cur["msgid"] != "":
            entries[(cur.get("msgctxt", ""), cur["msgid"])] = {
                "plural": cur.get("msgid_plural"), "strs": [cur[k] for k in sorted(cur) if k.startswith("msgstr")],
                "fuzzy": cur.get("fuzzy", False), "where": cur.get("where", "")}

    for line in text.splitlines() + [""]:
        if not line.strip():
            close()
            cur, field = None, None
            continue
        if line.startswith("#~"):
            continue
        cur = {} if cur is None else cur
        if line.startswith("#:"):
            cur["where"] = (cur.get("where", "") + " " + line[2:].strip()).strip()
        elif line.startswith("#,"):
            cur["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            cur[field] += unq(line)
        else:
            key, _sp, rest = line.partition(" ")
            field = key.replace("[", "_").replace("]", "")
            cur[field] = unq(rest)
    return entries


def _show(entries: dict, keys) -> str:
    return "\n".join(f"  {'[' + c + '] ' if c else ''}{m!r}    ({entries[(c, m)]['where'] or '?'})"
                     for c, m in sorted(keys))


def test_every_entry_has_an_english_translation():
    entries = parse_po(PO.read_text(encoding="utf-8"))
    missing = [k for k, e in entries.items() if e["fuzzy"] or not all(e["strs"])]
    assert not missing, ("entries of src/outfall/locale/en/LC_MESSAGES/django.po without an English translation "
                         "(or marked fuzzy); translate them, then compile the .mo:\n" + _show(entries, missing))


def test_english_entries_keep_their_placeholders():
    entries = parse_po(PO.read_text(encoding="utf-8"))
    bad = [k for k, e in entries.items()
           if any(set(re.findall(r"%\(\w+\)\w", s)) != set(re.findall(r"%\(\w+\)\w", k[1]))
                  and s for s in e["strs"][:1]) and not e["plural"]]
    assert not bad, "translations whose %(name)s placeholders differ from the Chinese:\n" + _show(entries, bad)


def test_the_compiled_catalogue_matches_the_po():
    if shutil.which("msgfmt") is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt (Debian package gettext) is missing")
        pytest.skip("msgfmt not installed")
    fresh = Path(os.environ.get("TMPDIR", "/tmp")) / f"outfall-test-{os.getpid()}.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)
    try:
        with MO.open("rb") as a, fresh.open("rb") as b:
            committed, compiled = gettext.GNUTranslations(a)._catalog, gettext.GNUTranslations(b)._catalog
    finally:
        fresh.unlink()
    differ = sorted(str(k) for k in set(committed) ^ set(compiled)) + sorted(
        str(k) for k in set(committed) & set(compiled) if committed[k] != compiled[k])
    assert not differ, ("src/outfall/locale/en/LC_MESSAGES/django.mo is not the compiled django.po; run "
                        "`msgfmt -o django.mo django.po` there. Differing entries:\n  " + "\n  ".join(differ[:50]))


def test_makemessages_would_change_nothing(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext (Debian package gettext) is missing")
        pytest.skip("xgettext not installed")
    copy = tmp_path / "outfall"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    (tmp_path / "makemessages_settings.py").write_text(
        f"from outfall.site.settings import *  # noqa\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n", encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "makemessages_settings", "OUTFALL_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"], cwd=copy, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    fresh = parse_po((copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    committed = parse_po(PO.read_text(encoding="utf-8"))
    added, dropped = set(fresh) - set(committed), set(committed) - set(fresh)
    assert not added and not dropped, (
        "the catalogue is not current: in src/outfall run `django-admin makemessages -l en --no-obsolete` "
        "(DJANGO_SETTINGS_MODULE=outfall.site.settings), translate, and compile.\n"
        + (f"strings makemessages would add ({len(added)}):\n{_show(fresh, added)}\n" if added else "")
        + (f"entries no source uses any more ({len(dropped)}):\n{_show(committed, dropped)}\n" if dropped else ""))


def test_every_outfall_type_name_is_marked_for_the_catalogue():
    from outfall.core.outfall_types import TYPES
    from outfall.ledger.type_names import NAMES

    names = {n for l1, sub in TYPES.items() for n in (l1, *sub, *(x for l3s in sub.values() for x in l3s))}
    assert names - set(NAMES) == set(), f"add to outfall.ledger.type_names.NAMES: {sorted(names - set(NAMES))}"
