"""The default water type of a section from its name, when a file gives none (documented rule).

A name containing a lake or reservoir word (水库, 湖, 库区, 库心, 淀, 荡, 泡, 海子) is ``lake`` and is
evaluated with the lake/reservoir TP limits; every other name is ``river``. The rule is a default,
not a fact: river-type reservoirs are assessed as rivers (环办〔2011〕22号 §2.8), so the water type
stays editable per section. Its agreement with the published classes is measured by
tests/core/test_cnemc_conformance.py.
"""

from __future__ import annotations

__all__ = ["LAKE_WORDS", "default_water_type"]

LAKE_WORDS = ("水库", "湖", "库区", "库心", "库中", "淀", "荡", "海子", "泡子")


def default_water_type(name: str) -> str:
    """'lake' when the name says lake or reservoir, else 'river'.

    >>> default_water_type("崂山水库中心"), default_water_type("马连庄"), default_water_type("太湖心")
    ('lake', 'river', 'lake')
    """
    return "lake" if any(w in (name or "") for w in LAKE_WORDS) else "river"
