"""Inspection pages: the phone form (/inspections/o/<code>/inspect/), an inspection, its photos,
the list, the signboard with its QR code, the QR's scan address and the service worker that keeps
the phone form usable offline. Who may do what: ``inspections.permissions``; every change:
``inspections.services``."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from outfall.accounts.labels import choices
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.core.inspections import (
    MAX_PHOTOS,
    MAX_QUICK_TESTS,
    Discharging,
    Foam,
    InspectionErrors,
    Odour,
    WaterColour,
)
from outfall.core.standards.parameters import registry
from outfall.inspections import js_text, permissions, selectors, services, signboard
from outfall.inspections.forms import posted_inspection
from outfall.inspections.models import InspectionPhoto
from outfall.ledger.models import Outfall

SW_JS = Path(__file__).resolve().parent / "static" / "inspections" / "sw.js"
#: Parameters offered first in the quick-test rows (common test kits); any registry parameter is accepted.
QUICK_PARAMS = ("NH3N", "COD", "TP", "TN", "PH", "DO", "CODMN", "TURB")


def _outfall(request, code: str) -> Outfall:
    return get_object_or_404(Outfall.objects.visible_to(request.user).select_related("town"), code=code)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def scan(request, code: str):
    """The address a signboard's QR code holds: opens the outfall's file."""
    return redirect("ledger:detail", pk=_outfall(request, code).pk)


@require_http_methods(["GET", "POST"])
def inspect(request, code: str):
    """The phone form; a POST records the inspection (idempotent on ``client_key``). Asked with
    ``Accept: application/json`` (the page's script) it answers JSON: 201 created, 200 already
    stored, 400 ``{"errors": {field: [messages]}}``."""
    outfall = _outfall(request, code)
    if not permissions.can_record(request.user, outfall):
        raise PermissionDeniedError("inspect", user_message=_("无权记录该排污口的现场巡查"))
    errors: dict = {}
    if request.method == "POST":
        try:
            data, photos, quick_tests, key = posted_inspection(request.POST, request.FILES)
            inspection, created = services.create_inspection(outfall, data, actor=request.user, client_key=key,
                                                             photos=photos, quick_tests=quick_tests)
        except InspectionErrors as exc:
            errors = exc.by_field()
        except InputError as exc:
            errors = {"__all__": [exc.user_message]}
        else:
            url = inspection_url(inspection)
            if _wants_json(request):
                return JsonResponse({"id": inspection.pk, "created": created, "url": url},
                                    status=201 if created else 200)
            messages.success(request, _("已记录现场巡查") if created else _("该巡查已记录，未重复保存"))
            return redirect("ledger:detail", pk=outfall.pk)
        if _wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
    params = [registry()[c] for c in QUICK_PARAMS if c in registry()]
    return render(request, "inspections/inspect.html", {
        "o": outfall, "errors": errors, "posted": request.POST, "discharging": choices(Discharging),
        "colours": choices(WaterColour), "odours": choices(Odour), "foams": choices(Foam), "params": params, "max_photos": MAX_PHOTOS, "max_rows": MAX_QUICK_TESTS,
        "max_distance_m": settings.OUTFALL_INSPECTION_MAX_DISTANCE_M, "js_text": js_text.texts(),
        "client_key": request.POST.get("client_key") or uuid.uuid4()},
        status=400 if errors else 200)


def inspection_url(inspection) -> str:
    from django.urls import reverse

    return reverse("inspections:detail", kwargs={"pk": inspection.pk})


def inspection_list(request):
    """The latest 300 inspections; ?q= outfall code or name, ?far=1 位置偏离 only, ?case=1 with a case."""
    items = selectors.filtered(selectors.inspections(request.user), q=request.GET.get("q", ""),
                               far=request.GET.get("far") == "1", case=request.GET.get("case") == "1")
    return render(request, "inspections/list.html", {"items": items[:300], "q": request.GET.get("q", ""),
                                                     "far": request.GET.get("far") == "1",
                                                     "case": request.GET.get("case") == "1"})


def inspection_detail(request, pk: int):
    i = get_object_or_404(selectors.inspections(request.user), pk=pk)
    return render(request, "inspections/detail.html", {
        "i": i, "o": i.outfall, "readings": selectors.readings_of(i),
        "max_distance_m": settings.OUTFALL_INSPECTION_MAX_DISTANCE_M})


def photo_file(request, pk: int, photo_id: int):
    """Photos are served through a login-checked view, never as public media."""
    i = get_object_or_404(selectors.inspections(request.user), pk=pk)
    photo = get_object_or_404(InspectionPhoto, pk=photo_id, inspection=i)
    try:
        data = photo.image.read()
    except FileNotFoundError:
        raise Http404("photo file missing") from None
    return HttpResponse(data, content_type=photo.content_type)


def signboard_page(request, code: str):
    """A printable signboard of the outfall with its QR code."""
    outfall = _outfall(request, code)
    url = signboard.scan_url(outfall, request)
    return render(request, "inspections/signboard.html", {
        "o": outfall, "url": url, "qr": signboard.qr_svg(url), "parties": list(outfall.responsible_parties.all()),
        "authority": settings.OUTFALL_SIGNBOARD_AUTHORITY, "phone": settings.OUTFALL_SIGNBOARD_PHONE})


def service_worker(request):
    """The service worker of the phone form, served at the top of /inspections/ so that its scope
    covers the form (a script under /static/ could only control /static/)."""
    response = HttpResponse(SW_JS.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
