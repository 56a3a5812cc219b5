"""Split the sites of a large readings batch into groups the alerts check can hold in memory.

``check_alerts`` loads every series it checks at once (``outfall.alerts.series``), so checking the
sites of a 10,000,000-row import in one call would hold all of it. The worker's check instead takes
the sites in groups of at most ``CHECK_BATCH_READINGS`` readings since the batch's earliest reading
(counted in the database, one grouped count per kind of site), each group in its own call and
transaction; a site with more readings than that is a group of its own.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from outfall.monitoring.models import OutfallReading, SectionReading

__all__ = ["CHECK_BATCH_READINGS", "pack", "site_batches"]

#: Readings (since the batch's earliest) per alerts check, about: bounds the check's memory.
CHECK_BATCH_READINGS = 200_000


def pack(counts: list[tuple[int, int]], budget: int) -> list[list[int]]:
    """Consecutive groups of ids whose counts add up to at most ``budget`` (an id over it alone).

    >>> pack([(1, 5), (2, 5), (3, 1), (4, 20), (5, 0)], 10)
    [[1, 2], [3], [4], [5]]
    """
    groups: list[list[int]] = []
    size = 0
    for site, n in counts:
        if groups and size + n <= budget:
            groups[-1].append(site)
            size += n
        else:
            groups.append([site])
            size = n
    return groups


def _counts(model, fk: str, ids, since: dt.datetime | None) -> list[tuple[int, int]]:
    q = model.objects.filter(**{f"{fk}__in": list(ids)})
    if since is not None:
        q = q.filter(time__gte=since)
    got = dict(q.values(fk).annotate(n=Count("pk")).values_list(fk, "n"))
    return [(site, got.get(site, 0)) for site in sorted(ids)]


def site_batches(section_ids, outfall_ids, since: dt.datetime | None,
                 budget: int | None = None) -> list[tuple[list[int], list[int]]]:
    """(section ids, outfall ids) per alerts check: one pair holding every site when their readings
    since ``since`` fit in ``budget`` (default ``CHECK_BATCH_READINGS``), else sections and outfalls
    in groups that each fit."""
    budget = CHECK_BATCH_READINGS if budget is None else budget
    sections, outfalls = sorted(set(section_ids)), sorted(set(outfall_ids))
    if not sections and not outfalls:
        return []
    sec_counts = _counts(SectionReading, "section_id", sections, since) if sections else []
    out_counts = _counts(OutfallReading, "outfall_id", outfalls, since) if outfalls else []
    if sum(n for _s, n in sec_counts) + sum(n for _s, n in out_counts) <= budget:
        return [(sections, outfalls)]
    return ([(g, []) for g in pack(sec_counts, budget)] + [([], g) for g in pack(out_counts, budget)])
