"""Read queries of inspections used by the pages, the panel and the API."""

from __future__ import annotations

from django.db.models import Q

from outfall.inspections import permissions
from outfall.inspections.models import Inspection
from outfall.monitoring.models import OutfallReading


def inspections(user):
    return permissions.visible_inspections(
        Inspection.objects.select_related("outfall__town", "inspector", "case").prefetch_related("photos"), user)


def filtered(qs, *, q: str = "", far: bool = False, case: bool = False):
    """Inspections of outfalls whose code or name holds ``q``; only those flagged far / with a case."""
    if q.strip():
        qs = qs.filter(Q(outfall__code__icontains=q.strip()) | Q(outfall__name__icontains=q.strip()))
    if far:
        qs = qs.filter(far=True)
    if case:
        qs = qs.filter(case__isnull=False)
    return qs


def readings_of(inspection) -> list:
    """The quick-test readings stored with ``inspection`` (its reading batch), by parameter."""
    if not inspection.reading_batch:
        return []
    return list(OutfallReading.objects.filter(outfall_id=inspection.outfall_id, batch_id=inspection.reading_batch)
                .order_by("parameter"))


def readings_by_inspection(items) -> dict[int, list]:
    """{inspection id: its readings} for a page of inspections, in one query."""
    batches = {i.reading_batch: i.pk for i in items if i.reading_batch}
    out: dict[int, list] = {i.pk: [] for i in items}
    if batches:
        for r in OutfallReading.objects.filter(batch_id__in=list(batches)).order_by("parameter"):
            out[batches[r.batch_id]].append(r)
    return out
