"""The building blocks every summary is made of: the dashboard (概览) draws them and the monthly
report (月报) writes them, so the two always show the same numbers.

Each app that has something to count offers ``summary(*, user, town_id, start, end) -> Part`` in its
``reporting`` module (``town_id`` None: the whole area; ``start``/``end`` local dates, end exclusive).
Pure data: no Django, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Rate", "Table", "Series", "Part"]


@dataclass(frozen=True)
class Rate:
    """"``done`` of ``total`` <verb>", e.g. 201 of 202 provincial inspection cases rectified."""

    label: str          # what is counted, Chinese first: "省级督察交办件"
    done: int
    total: int
    verb: str = "已完成"  # "已整改", "已办结", "已销号", "达标"

    @property
    def share(self) -> float | None:
        """done / total in [0, 1]; None when there is nothing to count."""
        return self.done / self.total if self.total else None

    def text(self) -> str:
        """The seed's own form: "202 件中 201 件已整改" is written "201/202 已整改 (99.5%)"."""
        pct = f" ({100 * self.share:.1f}%)" if self.total else ""
        return f"{self.done}/{self.total} {self.verb}{pct}"


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str | int | float | None]]


@dataclass(frozen=True)
class Series:
    """A trend: ``x`` labels (e.g. "2026-01" … "2026-12") and one list of values per named line."""

    title: str
    x: list[str]
    y: dict[str, list[float | None]]
    unit: str = ""


@dataclass(frozen=True)
class Part:
    key: str            # "cases", "remediation", "outfalls", "sections", "alerts"
    title: str
    rates: list[Rate] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
