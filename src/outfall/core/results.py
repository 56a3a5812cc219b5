"""The outcome of an import, shared by every importer (ledger, sections, readings)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields

from outfall.core.errors import RowError

__all__ = ["ImportResult", "UpsertCounts"]


@dataclass
class ImportResult:
    """``file``, the number of ``rows`` read, every problem (``errors``), what is accepted but worth a
    look (``warnings``, e.g. a town that disagrees with the point), and, once written, the
    ``batch_id`` that groups the history of the import."""

    file: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    batch_id: uuid.UUID | None = None
    committed: bool = False

    def as_dict(self) -> dict:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in ("errors", "warnings"):
                v = [e.as_dict() for e in v]
            elif isinstance(v, uuid.UUID):
                v = str(v)
            out[f.name] = v
        return out


@dataclass
class UpsertCounts(ImportResult):
    """An import keyed by code: how many rows create, update, or change nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
