"""The area the system covers: its code, name and shape, from the settings or from the towns.

With ``OUTFALL_AREA_FROM_TOWNS=auto`` (the default) and towns with boundaries in the database, the
area is the union of those boundaries: its box is their extent, and a point in the box but outside
every town is refused with the nearest town named. Otherwise the area is ``OUTFALL_AREA_BBOX``.
The code and name are the settings' when they are set in the environment; else, from towns, the
code is the 6-digit county prefix their 9-digit codes share.
Every importer, form and API that checks a point asks :func:`current_area` (one place).

Building the towns' union costs ~100 ms with large boundaries, so the area is kept per process under a
fingerprint read in two cheap queries (the towns' ids, codes, names and the length of each boundary's
text; the towns' latest history entry, which every import leaves) and the settings it depends on; a
save or delete of a town in this process clears it at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast, Length
from django.db.models.signals import post_delete, post_save

from outfall.accounts.models import Town
from outfall.core import geo
from outfall.core.town_area import TownArea

__all__ = ["Area", "current_area", "town_from_point", "resolve_town", "towns_by_key", "TownResolution", "NO_TOWN_MESSAGE", "area_code"]


@dataclass(frozen=True)
class Area:
    """``shape`` is a :class:`geo.BBox` or a :class:`TownArea`; both give ``geo.locate`` its check."""

    code: str
    name: str
    shape: geo.BBox | TownArea
    from_towns: bool

    @property
    def box(self) -> geo.BBox:
        return getattr(self.shape, "box", self.shape)

    def town_at(self, lon: float, lat: float) -> tuple[str, str] | None:
        """(code, name) of the town whose boundary holds the point; None without boundaries."""
        return self.shape.town_at(lon, lat) if self.from_towns else None


def _common_county_code(codes: list[str]) -> str | None:
    prefixes = {c[:6] for c in codes if c.isdigit() and len(c) in (9, 12)}
    return prefixes.pop() if len(prefixes) == 1 else None


def _from_towns() -> bool:
    return str(getattr(settings, "OUTFALL_AREA_FROM_TOWNS", "auto")).strip().lower() != "off"


def _code(town_codes: list[str]) -> str:
    if "OUTFALL_AREA_CODE" in os.environ or not _from_towns():
        return settings.OUTFALL_AREA_CODE
    return _common_county_code(town_codes) or settings.OUTFALL_AREA_CODE


def area_code() -> str:
    """The area's GB/T 2260 code (the prefix of new outfall codes), without reading boundaries."""
    return _code(list(Town.objects.exclude(boundary__isnull=True).values_list("code", flat=True)))


_cached: dict[tuple, Area] = {}


def _forget(**_kwargs) -> None:
    _cached.clear()


post_save.connect(_forget, sender=Town, dispatch_uid="outfall.area.forget.save")
post_delete.connect(_forget, sender=Town, dispatch_uid="outfall.area.forget.delete")


def _fingerprint() -> tuple:
    towns = tuple(Town.objects.exclude(boundary__isnull=True).annotate(size=Length(Cast("boundary", TextField())))
                  .order_by("pk").values_list("pk", "code", "name", "size"))
    from django.contrib.contenttypes.models import ContentType

    from outfall.history.models import ChangeRecord

    last = (ChangeRecord.objects.filter(target_type=ContentType.objects.get_for_model(Town))
            .order_by("-pk").values_list("pk", "time").first())
    return (towns, last, os.environ.get("OUTFALL_AREA_CODE"), _from_towns(), settings.OUTFALL_AREA_NAME, settings.OUTFALL_AREA_CODE,
            settings.OUTFALL_AREA_BBOX)


def current_area() -> Area:
    """The area now in force (one cheap query; the boundaries are read again only when the towns changed)."""
    key = _fingerprint()
    area = _cached.get(key)
    if area is None:
        area = _build_area()
        _cached.clear()
        _cached[key] = area
    return area


def _build_area() -> Area:
    name = settings.OUTFALL_AREA_NAME
    if _from_towns():
        rows = list(Town.objects.exclude(boundary__isnull=True).values_list("code", "name", "boundary"))
        rows = [r for r in rows if r[2]]
        if rows:
            return Area(code=_code([r[0] for r in rows]), name=name, shape=TownArea(rows), from_towns=True)
    return Area(code=_code([]), name=name, shape=geo.BBox.parse(settings.OUTFALL_AREA_BBOX), from_towns=False)


def town_from_point(area: Area, lon: float | None, lat: float | None, towns: dict[str, Town] | None = None):
    """The Town whose boundary holds (lon, lat), or None (no boundaries, or no point)."""
    if lon is None or lat is None:
        return None
    hit = area.town_at(lon, lat)
    if hit is None:
        return None
    if towns is not None and hit[0] in towns:
        return towns[hit[0]]
    return Town.objects.filter(code=hit[0]).first()


#: The message for a row that gives no town when no boundaries can tell it.
NO_TOWN_MESSAGE = ("所属镇街为空，且尚无镇街边界可据坐标确定 / no town given and no town boundaries to find it: "
                   "填写所属镇街，或导入镇街边界 (outfall import towns FILE)")


@dataclass
class TownResolution:
    """The town of a row: ``town`` (or None), ``errors`` and ``warnings`` as (column, message), and
    ``missing``: no town given and none found from the point."""

    town: Town | None = None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    missing: bool = False


def resolve_town(area: Area, text, lon: float | None, lat: float | None, towns: dict[str, Town],
                 *, column: str = "所属镇街") -> TownResolution:
    """The town a row means: the one it names (by name or code), else the one its point lies in.

    A named town that disagrees with the boundary holding the point is a warning (the name wins).
    ``towns`` maps both names and codes to towns (one query per import).
    """
    text = str(text or "").strip()
    at = town_from_point(area, lon, lat, towns)
    if text:
        town = towns.get(text)
        if town is None:
            names = "、".join(sorted({t.name for t in towns.values()})) or "无 (先导入镇街: outfall import towns FILE)"
            return TownResolution(errors=[(column, f"未知镇街「{text}」/ unknown town；可用: {names}")])
        warnings = []
        if at is not None and at.pk != town.pk:
            warnings.append((column, f"所属镇街「{town.name}」与坐标所在镇街「{at.name}」不一致 / "
                                     f"the town given ({town.name}) differs from the town at the point ({at.name})"))
        return TownResolution(town=town, warnings=warnings)
    if at is not None:
        return TownResolution(town=at)
    return TownResolution(missing=True)


def towns_by_key() -> dict[str, Town]:
    """Every town under its name and its code."""
    out = {}
    for t in Town.objects.all():
        out[t.name] = t
        out[t.code] = t
    return out
