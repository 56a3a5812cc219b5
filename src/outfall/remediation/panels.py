"""The remediation panel on the outfall page (its tasks, the outfalls merged into it, a link to set a
task), registered in ``apps.py`` through ``ledger.panels``."""

from __future__ import annotations

from django.template.loader import render_to_string

from outfall.ledger.models import Outfall
from outfall.remediation import permissions, selectors


def outfall_panel(request, outfall) -> str:
    tasks = selectors.with_due(selectors.tasks(request.user).filter(outfall=outfall).order_by("-pk")[:20])
    return render_to_string("remediation/_outfall_panel.html", {
        "o": outfall, "tasks": tasks, "can_create": permissions.can_create(request.user),
        "merged_from": list(Outfall.objects.filter(merged_into=outfall).only("pk", "code")[:50])}, request=request)
