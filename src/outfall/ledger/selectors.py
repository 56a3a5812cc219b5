"""Read queries of the ledger used by more than one view."""

from __future__ import annotations

from django.db.models import Count

from outfall.accounts.labels import label_of
from outfall.core.enums import OutfallStatus
from outfall.history.services import history_of
from outfall.ledger.models import Outfall
from outfall.ledger.type_names import type_name
from outfall.rivers.models import Snap


def ledger_counts(qs) -> dict:
    """Counts by status, level-1 type and town for a queryset of outfalls."""
    by_status = {r["status"]: r["n"] for r in qs.values("status").annotate(n=Count("id"))}
    return {
        "total": sum(by_status.values()),
        "by_status": [{"value": s.value, "label": label_of(s), "n": by_status.get(s.value, 0)} for s in OutfallStatus],
        "by_type": [{**r, "label": type_name(r["type_l1"])}
                    for r in qs.values("type_l1").annotate(n=Count("id")).order_by("-n")],
        "by_town": list(qs.values("town__name").annotate(n=Count("id")).order_by("town__code")),
    }


def outfall_file(outfall: Outfall) -> dict:
    """Everything the outfall file (一口一档) page shows."""
    from outfall.ledger.services import party_dicts

    return {"parties": party_dicts(outfall), "photos": list(outfall.photos.all()),
            "history": list(history_of(outfall)[:200]),
            "snap": Snap.objects.filter(outfall=outfall).select_related("reach").first()}


def parties_by_outfall(ids: list[int]) -> dict[int, list[dict]]:
    """outfall id → its parties ({name, uscc, industry, contact}) in the order they were given."""
    through = Outfall.responsible_parties.through
    out: dict[int, list[dict]] = {i: [] for i in ids}
    for i in range(0, len(ids), 900):
        for link in through.objects.filter(outfall_id__in=ids[i:i + 900]).select_related(
                "responsibleparty").order_by("id"):
            p = link.responsibleparty
            out[link.outfall_id].append({"name": p.name, "uscc": p.uscc, "industry": p.industry,
                                         "contact": p.contact})
    return out
