"""The outfall page's panel (registered into ``outfall.ledger.panels``): its discharge limits, a
form to add one, and its alerts; and the view the form posts to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outfall.alerts import permissions
from outfall.alerts.forms import LimitForm
from outfall.alerts.limits import add_outfall_limit
from outfall.alerts.models import Alert, OutfallLimit
from outfall.core.errors import OutfallError
from outfall.ledger.models import Outfall

#: Panels a higher app adds to the alert page (STYLE rule 16: alerts never import them): callables
#: f(request, alert) -> HTML, rendered in order below the alert's details (traces adds its button).
alert_detail_panels: list = []


def render_alert_panels(request, alert) -> list[str]:
    return [mark_safe(p(request, alert)) for p in alert_detail_panels]  # noqa: S308 — panels render templates


def outfall_panel(request, outfall) -> str:
    return render_to_string("alerts/_outfall_panel.html", {
        "o": outfall, "limits": OutfallLimit.objects.filter(outfall=outfall),
        "alerts": Alert.objects.filter(outfall=outfall)[:20], "form": LimitForm(),
        "can_edit": permissions.can_edit_limits(request.user, outfall)}, request=request)


@require_POST
def limit_add(request, pk: int):
    outfall = get_object_or_404(Outfall.objects.visible_to(request.user), pk=pk)
    if not permissions.can_edit_limits(request.user, outfall):
        raise PermissionDenied(_("无权修改该排污口的排放限值"))
    form = LimitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    else:
        try:
            add_outfall_limit(outfall, form.cleaned_data, actor=request.user)
            messages.success(request, _("已添加排放限值"))
        except OutfallError as exc:
            messages.error(request, exc.user_message)
    return redirect("ledger:detail", pk=pk)
