"""Every state change of field inspections: atomic, with history (STYLE rules 2 and 3).

``create_inspection`` is idempotent on the phone's draft key: sending the same draft again (a
retry after a lost answer, a second tab) returns the inspection already stored and writes nothing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outfall.cases.models import Case
from outfall.cases.services import open_case
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.core.inspections import (
    MAX_PHOTOS,
    CleanInspection,
    Discharging,
    Foam,
    InspectionErrors,
    Odour,
    Problem,
    WaterColour,
    check_inspection,
    distance_m,
    parse_quick_tests,
)
from outfall.history.services import actor_name, record_change
from outfall.inspections import permissions
from outfall.inspections.models import PHOTO_KINDS, Inspection, InspectionPhoto
from outfall.ledger.uploads import check_image
from outfall.monitoring.ingest import ingest_field_readings

__all__ = ["create_inspection", "inspection_snapshot"]


def inspection_snapshot(i: Inspection) -> dict:
    """What history keeps of an inspection (units: degrees, metres, m³/d)."""
    return {"outfall": i.outfall.code, "inspector": i.inspector.username if i.inspector_id else None,
            "inspected_at": i.inspected_at.isoformat(), "lon": i.lon, "lat": i.lat, "accuracy_m": i.accuracy_m,
            "distance_m": None if i.distance_m is None else round(i.distance_m, 1), "far": i.far,
            "discharging": i.discharging, "colour": i.colour, "odour": i.odour, "foam": i.foam,
            "flow_value": i.flow_value, "flow_unit": i.flow_unit, "flow_m3_d": i.flow_m3_d, "notes": i.notes,
            "finding": i.finding, "open_case": i.open_case, "client_key": str(i.client_key),
            "photos": [f"{p.kind}:{p.image.name}" for p in i.photos.all()],
            "reading_batch": str(i.reading_batch) if i.reading_batch else None, "reading_count": i.reading_count,
            "case": i.case.number if i.case_id else None}


def _key(client_key) -> uuid.UUID:
    try:
        return client_key if isinstance(client_key, uuid.UUID) else uuid.UUID(str(client_key).strip())
    except (TypeError, ValueError):
        raise InspectionErrors([Problem("client_key", _("草稿标识「%(key)s」不是 UUID") % {"key": client_key})]) from None


def _existing(key: uuid.UUID, outfall, actor) -> Inspection | None:
    """The inspection already stored under ``key`` (a retried send), or None; a key used for another
    outfall or by another user is refused rather than silently answered."""
    found = Inspection.objects.filter(client_key=key).select_related("outfall").first()
    if found is None:
        return None
    if found.outfall_id != outfall.pk or found.inspector_id != getattr(actor, "pk", None):
        raise InputError(f"client key {key} used for inspection {found.pk}",
                         user_message=_("草稿标识 %(key)s 已用于另一次巡查 (排污口 %(code)s)，请新建草稿") % {
                             "key": key, "code": found.outfall.code})
    return found


def _check_photos(photos) -> list[Problem]:
    problems = []
    if len(photos) > MAX_PHOTOS:
        problems.append(Problem("photos", _("每次巡查最多 %(max)s 张照片，收到 %(n)s 张") % {"max": MAX_PHOTOS,
                                                                                   "n": len(photos)}))
    for n, (upload, kind) in enumerate(photos, start=1):
        if kind not in dict(PHOTO_KINDS):
            problems.append(Problem(f"photos[{n}]", _("未知照片类型「%(kind)s」(可用 site、quick_test)") % {"kind": kind}))
            continue
        try:
            check_image(upload, max_bytes=settings.MAX_UPLOAD_BYTES)
        except InputError as exc:
            problems.append(Problem(f"photos[{n}]", exc.user_message))
    return problems


def _check(outfall, data: dict, photos, quick_tests) -> tuple[CleanInspection, list]:
    problems: list[Problem] = []
    clean = records = None
    try:
        clean = check_inspection(data, now=timezone.now())
    except InspectionErrors as exc:
        problems.extend(exc.problems)
    try:
        records = parse_quick_tests(list(quick_tests), site_code=outfall.code,
                                    time=clean.inspected_at if clean else timezone.now())
    except InspectionErrors as exc:
        problems.extend(exc.problems)
    problems.extend(_check_photos(photos))
    if problems:
        raise InspectionErrors(problems)
    return clean, records


@transaction.atomic
def create_inspection(outfall, data: dict, *, actor, client_key, photos=(), quick_tests=()) -> tuple[Inspection, bool]:
    """Record an inspection of ``outfall`` with its photos ``[(upload, kind)]`` (kind ``site`` or
    ``quick_test``; JPEG/PNG/WebP by content, at most ``MAX_UPLOAD_MB``) and its quick tests
    ``[{"parameter", "value", "unit"}]`` (stored as readings with source ``field`` at the inspection's
    time); returns ``(inspection, created)``. A finding with ``open_case`` opens a case (source
    ``field`` 现场巡查发现, ``outfall.cases.services.open_case``) linked to the outfall and its town,
    in the same transaction.

    ``client_key`` (UUID) is the draft's idempotency key: a second call with it returns the stored
    inspection and ``created`` False. Every problem of every field is refused at once
    (:class:`InspectionErrors`) and nothing is written; history: create (related to the outfall).
    """
    if not permissions.can_record(actor, outfall):
        raise PermissionDeniedError(f"{actor} may not inspect {outfall.code}",
                                    user_message=_("无权记录该排污口的现场巡查"))
    key = _key(client_key)
    found = _existing(key, outfall, actor)
    if found is not None:
        return found, False
    photos = list(photos)
    clean, records = _check(outfall, data, photos, quick_tests)
    dist = distance_m(clean.lon, clean.lat, outfall.lon, outfall.lat)
    fields = {k: getattr(clean, k) for k in ("inspected_at", "lon", "lat", "accuracy_m", "discharging", "colour",
                                             "odour", "foam", "flow_value", "flow_unit", "flow_m3_d", "notes",
                                             "finding", "open_case")}
    try:
        with transaction.atomic():  # a concurrent send of the same draft: the unique key decides
            inspection = Inspection.objects.create(
                client_key=key, outfall=outfall, inspector=actor if getattr(actor, "pk", None) else None,
                distance_m=dist, far=dist is not None and dist > settings.OUTFALL_INSPECTION_MAX_DISTANCE_M, **fields)
    except IntegrityError:
        found = _existing(key, outfall, actor)
        if found is None:
            raise
        return found, False
    for upload, kind in photos:
        photo = InspectionPhoto(inspection=inspection, kind=kind, content_type=check_image(
            upload, max_bytes=settings.MAX_UPLOAD_BYTES), size_bytes=upload.size)
        photo.image.save(upload.name or "photo", upload, save=False)
        photo.save()
    if records:
        result = ingest_field_readings(records, actor=actor, name=f"inspection-{inspection.pk}")
        inspection.reading_batch, inspection.reading_count = result.batch_id, result.outfall_rows
        inspection.save(update_fields=["reading_batch", "reading_count"])
    if clean.open_case:
        inspection.case = _open_case(inspection, records, actor=actor)
        inspection.save(update_fields=["case"])
    record_change(inspection, action="create", actor=actor, before=None, after=inspection_snapshot(inspection),
                  related=outfall)
    return inspection, True


def _open_case(inspection: Inspection, records, *, actor) -> Case:
    """The case (source 现场巡查发现) of an inspection's finding: the outfall and its town linked, the
    intake date the day of the inspection (Asia/Shanghai), the observations and quick tests in its
    description (stored text, Chinese). The cases app decides who may open it and its deadline."""
    o = inspection.outfall
    seen = "，".join([Discharging(inspection.discharging).label, WaterColour(inspection.colour).label,
                     Odour(inspection.odour).label, Foam(inspection.foam).label]
                    + ([f"估算流量 {inspection.flow_value:g} {inspection.flow_unit}"] if inspection.flow_value else []))
    tests = "；".join(f"{r.parameter} {r.value.raw} {r.unit}" for r in records)
    when = timezone.localtime(inspection.inspected_at)
    description = "\n".join(filter(None, [
        inspection.finding, f"现场巡查 {when:%Y-%m-%d %H:%M}，巡查人 {actor_name(actor)}",
        f"现场观察：{seen}", f"现场快检：{tests}" if tests else "",
        f"距台账位置 {inspection.distance_m:.0f} m" if inspection.distance_m is not None else ""]))
    return open_case(actor=actor, source="field", title=f"现场巡查发现：{o.code} {o.name}"[:200],
                     description=description, outfalls=[o], towns=[o.town_id], intake_date=when.date())
