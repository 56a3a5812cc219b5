"""Internal outfall code generators (configurable by OUTFALL_CODE_GENERATOR, a dotted path).

A generator is ``f(type_l1: str, sequence: int, *, county_code: str) -> str``; the service finds
the next free sequence number for the type and asks the generator for the code.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from outfall.core.coding import default_outfall_code


def default_generator(type_l1: str, sequence: int, *, county_code: str) -> str:
    """County code + level-1 type letter + 4-digit sequence, e.g. 370285G0001 (standards.md §4)."""
    return default_outfall_code(county_code, type_l1, sequence)


def generator():
    return import_string(settings.OUTFALL_CODE_GENERATOR)


class CodeAllocator:
    """Hands out free codes for new outfalls, never one already taken (in the DB or this batch)."""

    def __init__(self, taken: set[str], counts_by_type: dict[str, int], *, county_code: str | None = None):
        self.county_code = county_code or settings.OUTFALL_AREA_CODE
        self.taken = set(taken)
        self.next_seq = {t: n + 1 for t, n in counts_by_type.items()}
        self.make = generator()

    def allocate(self, type_l1: str) -> str:
        seq = self.next_seq.get(type_l1, 1)
        while True:
            code = self.make(type_l1, seq, county_code=self.county_code)
            seq += 1
            if code not in self.taken:
                self.taken.add(code)
                self.next_seq[type_l1] = seq
                return code

    @classmethod
    def from_db(cls) -> CodeAllocator:
        from django.db.models import Count

        from outfall.ledger.models import Outfall

        taken = set(Outfall.objects.values_list("code", flat=True))
        counts = dict(Outfall.objects.values_list("type_l1").annotate(n=Count("id")).values_list("type_l1", "n"))
        from outfall.accounts.area import area_code

        return cls(taken, counts, county_code=area_code())
