"""Likely duplicates on import: a new outfall with the name and town of another one at the same point.

A ledger re-imported without its codes (a clerk's own copy, an older export with the code column
deleted) would otherwise create every outfall a second time. A row that would create an outfall is a
likely duplicate when an existing outfall, or an earlier new row of the same file, has the same name
(spaces and full-width brackets ignored) and the same town and lies within ``tolerance_m`` metres
(``OUTFALL_IMPORT_DUPLICATE_M``). The importer refuses such rows unless the user confirms them
(``--allow-duplicates`` / the checkbox of the web import), and lists them in the dry run either way.
"""

from __future__ import annotations

from outfall.core import geo
from outfall.core.errors import RowError
from outfall.ledger.models import Outfall

__all__ = ["find_duplicates", "is_duplicate", "name_key", "PREFIX"]

#: Every likely-duplicate message starts with this.
PREFIX = "疑似重复: "


def name_key(name: str) -> str:
    """The name as compared: no spaces, half-width brackets.

    >>> name_key(" 甲厂 排污口（东） ")
    '甲厂排污口(东)'
    """
    return "".join(str(name or "").split()).replace("（", "(").replace("）", ")")


def _message(what: str, dist_m: float, tolerance_m: float, en_what: str) -> str:
    return (f"{PREFIX}与{what}同名、同镇街，相距 {dist_m:.0f} 米 (≤ {tolerance_m:g} 米)；如确为不同排污口，请在确认页勾选"
            f"「允许疑似重复」或在命令行加 --allow-duplicates / likely duplicate of {en_what}: same name and town, "
            f"{dist_m:.0f} m apart")


def is_duplicate(error: RowError) -> bool:
    """Is this row error a likely duplicate (which the user may confirm)?"""
    return error.message.startswith(PREFIX)


def find_duplicates(rows, *, file: str, sheet: str, tolerance_m: float) -> list[RowError]:
    """One RowError (column 排污口名称) per row that would create a likely duplicate.

    Parameters
    ----------
    rows : list
        Parsed rows with ``rownum``, ``data`` (cleaned: ``name``, ``town``, ``lon``/``lat`` in WGS84
        degrees) and ``existing`` (the outfall the row updates, or None when it creates one).
    tolerance_m : float
        Largest distance in metres between two points taken as the same place.
    """
    new = [r for r in rows if r.existing is None and r.data.get("town") is not None]
    if not new:
        return []
    towns = {r.data["town"].pk for r in new}
    known: dict[tuple[str, int], list[tuple[str, str, float, float]]] = {}
    for code, name, town_id, lon, lat in Outfall.objects.filter(town_id__in=towns).values_list(
            "code", "name", "town_id", "lon", "lat"):
        known.setdefault((name_key(name), town_id), []).append((code, name, lon, lat))
    errors, earlier = [], {}
    for r in new:
        key = (name_key(r.data.get("name", "")), r.data["town"].pk)
        lon, lat = r.data["lon"], r.data["lat"]
        hits = sorted((geo.haversine_m(lon, lat, olon, olat), code, name) for code, name, olon, olat in known.get(key, ()))
        if hits and hits[0][0] <= tolerance_m:
            dist, code, name = hits[0]
            errors.append(RowError(file, sheet, r.rownum, "排污口名称",
                                   _message(f"已有排污口 {code}「{name}」", dist, tolerance_m, code)))
        else:
            prior = sorted((geo.haversine_m(lon, lat, plon, plat), n) for n, plon, plat in earlier.get(key, ()))
            if prior and prior[0][0] <= tolerance_m:
                dist, n = prior[0]
                errors.append(RowError(file, sheet, r.rownum, "排污口名称",
                                       _message(f"本文件第 {n} 行", dist, tolerance_m, f"row {n} of this file")))
        earlier.setdefault(key, []).append((r.rownum, lon, lat))
    return errors
