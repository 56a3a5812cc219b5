"""The default water type of a section, when a file gives none (a documented rule, not a fact).

GB 3838-2002 grades TP with the lake/reservoir column only for lakes and reservoirs, and river-type
reservoirs are assessed as rivers (环办〔2011〕22号 §2.8), so the water type decides a class. The
rule, in order:

1. The water body the section is on (所属河流, e.g. ``太湖``, ``丹江口水库``, ``滦河``), when known:
   ``lake`` when its name, brackets removed, ends in a lake or reservoir word (湖, 水库, 库, 淀, 池,
   海, 泡, 荡), else ``river``.
2. Otherwise the section name: an inflow or outflow point (入湖, 入库, 出口, 出库, 下游, 坝下, 湖口,
   闸) is ``river``; a name containing a lake or reservoir word (水库, 湖, 库区, 库心, 库中, 淀, 荡,
   海子, 泡子) is ``lake``; anything else is ``river``.

The water type stays editable per section. Measured against the national release
(tests/core/test_cnemc_conformance.py, sections whose published classes admit one water type
only): the full rule agrees on 1,488 of 1,489 sections; the section name alone on 1,423 (95.6 %):
reservoirs such as 大伙房水库 are published with river TP limits, and lake points such as 拖山 (太湖)
do not say "湖".
"""

from __future__ import annotations

import re

__all__ = ["LAKE_WORDS", "RIVER_POINT_WORDS", "LAKE_BODY_ENDINGS", "default_water_type"]

LAKE_WORDS = ("水库", "湖", "库区", "库心", "库中", "淀", "荡", "海子", "泡子")
RIVER_POINT_WORDS = ("入湖", "入库", "出口", "出库", "下游", "坝下", "湖口", "闸")
LAKE_BODY_ENDINGS = ("湖", "水库", "库", "淀", "池", "海", "泡", "荡")
_BRACKETS = re.compile(r"[（(][^）)]*[)）]")


def default_water_type(name: str, *, water_body: str | None = None) -> str:
    """'lake' or 'river' for a section from its water body's name, else its own name (rule above).

    Parameters
    ----------
    name : str
        Section name (断面名称).
    water_body : str, keyword-only, optional
        Name of the river, lake or reservoir the section is on (所属河流).

    Examples
    --------
    >>> default_water_type("崂山水库中心"), default_water_type("马连庄"), default_water_type("太湖心")
    ('lake', 'river', 'lake')
    >>> default_water_type("西支河入湖口"), default_water_type("吉利河水库出口")
    ('river', 'river')
    >>> default_water_type("拖山", water_body="太湖"), default_water_type("大伙房水库", water_body="浑河")
    ('lake', 'river')
    """
    body = _BRACKETS.sub("", water_body or "").strip()
    if body:
        return "lake" if body.endswith(LAKE_BODY_ENDINGS) else "river"
    name = name or ""
    if any(w in name for w in RIVER_POINT_WORDS):
        return "river"
    return "lake" if any(w in name for w in LAKE_WORDS) else "river"
