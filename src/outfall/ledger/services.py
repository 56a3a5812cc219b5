"""Every state change of the ledger: one function each, atomic, with its history (STYLE rule 2).

Views, the API, the CLI and the importer call these; they never save ledger models themselves.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction

from outfall.accounts import permissions
from outfall.core.enums import OutfallStatus
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.history.services import build_change, record_change, record_changes
from outfall.ledger.codes import CodeAllocator
from outfall.ledger.models import Outfall, Photo, ResponsibleParty
from outfall.ledger.uploads import check_image
from outfall.rivers.services import snap_site

#: Fields a service may set from cleaned data (everything but bookkeeping).
DATA_FIELDS = ("code", "national_code", "name", "type_l1", "type_l2", "type_l3", "lon", "lat", "original_lon",
               "original_lat", "original_crs", "address", "town_id", "receiving_water", "entry_mode",
               "discharge_regularity", "design_discharge_m3_d", "discharge_nature", "status", "approval",
               "approval_number", "online_monitoring", "video_monitoring", "notes", "cancel_reason", "is_demo")


def snapshot(outfall: Outfall, parties: list[dict] | None = None) -> dict:
    """The JSON-able state of an outfall, as history stores it (town and parties by name)."""
    snap = {f: getattr(outfall, f) for f in DATA_FIELDS if f != "town_id"}
    snap["town"] = outfall.town.name if outfall.town_id else None
    if parties is None:
        parties = party_dicts(outfall) if outfall.pk else []
    snap["responsible_parties"] = [p["name"] + (f" ({p['uscc']})" if p.get("uscc") else "") for p in parties]
    if outfall.merged_into_id:
        snap["merged_into"] = Outfall.objects.filter(pk=outfall.merged_into_id).values_list("code", flat=True).first()
    return snap


def party_dicts(outfall: Outfall) -> list[dict]:
    """The outfall's parties in the order they were given."""
    return [{"name": p.name, "uscc": p.uscc, "industry": p.industry, "contact": p.contact}
            for p in _ordered_parties(outfall)]


def _ordered_parties(outfall: Outfall):
    through = Outfall.responsible_parties.through
    links = through.objects.filter(outfall_id=outfall.pk).order_by("id").select_related("responsibleparty")
    return [link.responsibleparty for link in links]


def _check_may_edit(actor, town_id: int | None, *, outfall: Outfall | None = None) -> None:
    if outfall is not None and not permissions.can_edit_town(actor, outfall.town_id):
        raise PermissionDeniedError(f"{actor} may not edit {outfall.code}",
                                    user_message=f"无权修改排污口 {outfall.code} (属于{outfall.town})")
    if not permissions.can_edit_town(actor, town_id):
        raise PermissionDeniedError(f"{actor} may not edit town {town_id}", user_message="无权在该镇街新建或修改排污口")


def party_key(p: dict) -> tuple:
    """Parties are the same when their credit codes are; without a code, when their names are."""
    return ("uscc", p["uscc"]) if p.get("uscc") else ("name", p["name"])


#: The details of a party a row may change (its credit code is its key, never changed).
PARTY_DETAILS = ("name", "industry", "contact")


def _find_parties(keys) -> dict[tuple, ResponsibleParty]:
    """party key → the stored party, for the keys that exist (in chunks: SQLite's variable limit)."""
    usccs = [k[1] for k in keys if k[0] == "uscc"]
    names = [k[1] for k in keys if k[0] == "name"]
    found: dict[tuple, ResponsibleParty] = {}
    for i in range(0, len(usccs), 900):
        for p in ResponsibleParty.objects.filter(uscc__in=usccs[i:i + 900]):
            found[("uscc", p.uscc)] = p
    for i in range(0, len(names), 900):
        for p in ResponsibleParty.objects.filter(name__in=names[i:i + 900], uscc__isnull=True):
            found.setdefault(("name", p.name), p)
    return found


def _details_after(party: ResponsibleParty, p: dict) -> dict:
    """The party's details once ``p`` is applied: a given (non-empty) value replaces the stored one."""
    return {f: (p[f] if p.get(f) else getattr(party, f)) for f in PARTY_DETAILS}


def _attached_outfalls(party_ids) -> dict[int, list[tuple[int, str, int]]]:
    """party id → [(outfall id, code, town id)] of every outfall it is attached to."""
    through = Outfall.responsible_parties.through
    out: dict[int, list] = {}
    ids = list(party_ids)
    for i in range(0, len(ids), 900):
        for pid, oid, code, town in through.objects.filter(responsibleparty_id__in=ids[i:i + 900]).values_list(
                "responsibleparty_id", "outfall_id", "outfall__code", "outfall__town_id").order_by("outfall__code"):
            out.setdefault(pid, []).append((oid, code, town))
    return out


def refused_party_changes(parties: list[dict], *, actor) -> dict[int, str]:
    """Which entries of ``parties`` would change a party ``actor`` may not change: index → why.

    A party's details (name, industry, contact) belong to every outfall it is attached to, so only a
    user who may edit all of them may change them (admins and bureau staff always; town staff when
    the party is attached to their own town's outfalls only). Typing an existing credit code with
    the registered details, or with empty details, only links the party and is always allowed.
    The one rule for the form, the API and the import; :func:`resolve_parties` enforces it.
    """
    towns = permissions.editable_town_ids(actor)
    if towns is None:
        return {}
    found = _find_parties({party_key(p) for p in parties})
    changing = {}
    for i, p in enumerate(parties):
        party = found.get(party_key(p))
        if party is not None and _details_after(party, p) != {f: getattr(party, f) for f in PARTY_DETAILS}:
            changing[i] = party
    if not changing:
        return {}
    attached = _attached_outfalls({party.pk for party in changing.values()})
    refused = {}
    for i, party in changing.items():
        foreign = [code for _oid, code, town in attached.get(party.pk, []) if town not in towns]
        if not foreign:
            continue
        p = parties[i]
        what = "、".join(f"{label}「{getattr(party, f)}」→「{p[f]}」" for f, label in
                        (("name", "名称"), ("industry", "行业"), ("contact", "联系人")) if p.get(f) and
                        p[f] != getattr(party, f))
        who = f"统一社会信用代码「{party.uscc}」已登记为「{party.name}」" if party.uscc else f"责任主体「{party.name}」"
        more = f" 等 {len(foreign)} 个" if len(foreign) > 3 else ""
        refused[i] = (f"{who}，也是你无权修改的排污口 {'、'.join(foreign[:3])}{more} 的责任主体，不能修改其信息 ({what})；"
                      f"请按登记信息填写，或请局机关修改 / party {party.uscc or party.name} is also responsible for "
                      f"outfalls you may not edit ({', '.join(foreign[:3])}); its details cannot be changed here")
    return refused


def resolve_parties(parties: list[dict], *, actor=None, batch_id=None,
                    linking: dict[tuple, set[int]] | None = None) -> dict[tuple, ResponsibleParty]:
    """Find or create parties in bulk and update their details; returns party key → party.

    A change of details is refused (PermissionDeniedError, nothing written) when the party is also
    attached to an outfall ``actor`` may not edit (:func:`refused_party_changes`). A change that
    goes through is recorded once for every outfall the party is attached to, or is being attached
    to (``linking``: party key → outfall ids), as a record of the party related to that outfall, so
    each outfall's history shows it.
    """
    keys = {party_key(p): p for p in parties}
    found = _find_parties(keys)
    missing = [ResponsibleParty(name=p["name"], uscc=p.get("uscc"), industry=p.get("industry", ""),
                                contact=p.get("contact", "")) for k, p in keys.items() if k not in found]
    if missing:
        ResponsibleParty.objects.bulk_create(missing, batch_size=1000)
        found = _find_parties(keys)
    changes = []
    for k, p in keys.items():
        party = found[k]
        before = {f: getattr(party, f) for f in PARTY_DETAILS}
        after = _details_after(party, p)
        if after != before:
            changes.append((k, party, before, after))
    if not changes:
        return found
    refused = refused_party_changes([keys[k] for k, *_ in changes], actor=actor)
    if refused:
        raise PermissionDeniedError(f"{actor} may not change parties {sorted(refused)}",
                                    user_message="；".join(refused.values()))
    attached = _attached_outfalls({party.pk for _k, party, _b, _a in changes})
    records = []
    for k, party, before, after in changes:
        for f, v in after.items():
            setattr(party, f, v)
        outfall_ids = {oid for oid, _code, _town in attached.get(party.pk, [])} | set((linking or {}).get(k, ()))
        records.extend(build_change(party, action="update", actor=actor, before=before, after=after,
                                    batch_id=batch_id, related=Outfall(pk=oid),
                                    note=f"责任主体 {party.uscc or before['name']} 信息变更")
                       for oid in sorted(outfall_ids))
        if not outfall_ids:
            records.append(build_change(party, action="update", actor=actor, before=before, after=after,
                                        batch_id=batch_id))
    ResponsibleParty.objects.bulk_update([c[1] for c in changes], list(PARTY_DETAILS), batch_size=1000)
    record_changes(records)
    return found


def _set_parties(outfall: Outfall, parties: list[dict], *, actor=None, batch_id=None) -> None:
    through = Outfall.responsible_parties.through
    found = resolve_parties(parties, actor=actor, batch_id=batch_id,
                            linking={party_key(p): {outfall.pk} for p in parties})
    through.objects.filter(outfall_id=outfall.pk).delete()
    through.objects.bulk_create([through(outfall_id=outfall.pk, responsibleparty_id=found[party_key(p)].pk)
                                 for p in parties], ignore_conflicts=True)


@transaction.atomic
def create_outfall(data: dict, *, actor, batch_id: uuid.UUID | None = None) -> Outfall:
    """Create an outfall from cleaned data (``ledger.columns.clean_row`` or the form); history: create."""
    data = dict(data)
    parties = data.pop("parties", [])
    town = data.pop("town")
    _check_may_edit(actor, town.pk)
    if not data.get("code"):
        data["code"] = CodeAllocator.locked().allocate(data["type_l1"])
    _check_unique(data)
    outfall = Outfall(town=town, **{k: v for k, v in data.items() if k in DATA_FIELDS})
    _save_unique(outfall)
    _set_parties(outfall, parties, actor=actor, batch_id=batch_id)
    snap_site(outfall)
    record_change(outfall, action="create", actor=actor, before=None, after=snapshot(outfall, parties),
                  batch_id=batch_id)
    return outfall


def _save_unique(outfall: Outfall) -> None:
    """Save; a code or national code taken meanwhile by a concurrent writer is an InputError, not a 500."""
    try:
        with transaction.atomic():
            outfall.save()
    except IntegrityError as exc:
        raise InputError(f"concurrent duplicate code {outfall.code}: {exc}",
                         user_message=f"排污口编码「{outfall.code}」或国家平台编码刚被其他操作占用，请重试 / "
                                      "the code was just taken by another request, please retry") from None


def _check_unique(data: dict, *, exclude_pk: int | None = None) -> None:
    for f, label in (("code", "排污口编码"), ("national_code", "国家平台编码")):
        if data.get(f):
            qs = Outfall.objects.filter(**{f: data[f]})
            if exclude_pk:
                qs = qs.exclude(pk=exclude_pk)
            if qs.exists():
                raise InputError(f"duplicate {f} {data[f]}", user_message=f"{label}「{data[f]}」已被其他排污口使用")


def apply_data(outfall: Outfall, data: dict) -> None:
    """Set the data fields of ``data`` on ``outfall`` (unsaved); only a merged outfall keeps pointing
    to the one it joined. The importer's dry comparison applies a row the same way."""
    for k, v in data.items():
        if k in DATA_FIELDS:
            setattr(outfall, k, v)
    if outfall.status != OutfallStatus.MERGED.value:
        outfall.merged_into_id = None


@transaction.atomic
def update_outfall(outfall: Outfall, data: dict, *, actor, batch_id: uuid.UUID | None = None,
                   action: str = "update", note: str = "") -> Outfall:
    """Apply cleaned changes; town staff may neither edit another town's outfall nor move one there."""
    data = dict(data)
    outfall = Outfall.objects.select_for_update().get(pk=outfall.pk)
    parties = data.pop("parties", None)
    town = data.pop("town", None)
    _check_may_edit(actor, town.pk if town else outfall.town_id, outfall=outfall)
    _check_unique(data, exclude_pk=outfall.pk)
    before = snapshot(outfall)
    if town is not None:
        outfall.town = town
    apply_data(outfall, data)
    _save_unique(outfall)
    if parties is not None:
        _set_parties(outfall, parties, actor=actor, batch_id=batch_id)
    if (before["lon"], before["lat"]) != (outfall.lon, outfall.lat):
        snap_site(outfall)
    after = snapshot(outfall)
    if before != after:
        record_change(outfall, action=action, actor=actor, before=before, after=after, batch_id=batch_id, note=note)
    return outfall


def cancel_outfall(outfall: Outfall, *, actor, reason: str) -> Outfall:
    """注销: mark the outfall cancelled with a reason instead of deleting it."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("cancel without reason", user_message="注销必须填写原因")
    if outfall.status == OutfallStatus.CANCELLED.value:
        raise InputError("already cancelled", user_message=f"排污口 {outfall.code} 已注销")
    return update_outfall(outfall, {"status": OutfallStatus.CANCELLED.value, "cancel_reason": reason[:300]},
                          actor=actor, action="cancel", note=reason)


@transaction.atomic
def set_outfall_status(outfall: Outfall, status: str, *, actor, merged_into: Outfall | None = None,
                       note: str = "", check_permission: bool = True) -> Outfall:
    """Set the outfall's status (and, for 已合并, the outfall it joined) with its history.

    The remediation app calls it when a task starts, is signed off or reopened (the outfall's status
    follows its task). ``merged_into`` is kept only with the status ``merged`` and cleared
    otherwise; an outfall cannot join itself. ``check_permission`` False: the caller has already
    decided who may do this (a bureau sign-off acts on any town's outfall).
    """
    status = OutfallStatus(status).value
    outfall = Outfall.objects.select_for_update().get(pk=outfall.pk)
    if check_permission:
        _check_may_edit(actor, outfall.town_id, outfall=outfall)
    target = merged_into.pk if (merged_into is not None and status == OutfallStatus.MERGED.value) else None
    if target == outfall.pk:
        raise InputError("merged into itself", user_message=f"排污口 {outfall.code} 不能并入自身")
    if (outfall.status, outfall.merged_into_id) == (status, target):
        return outfall
    before = snapshot(outfall)
    outfall.status, outfall.merged_into_id = status, target
    outfall.save(update_fields=["status", "merged_into", "updated_at"])
    record_change(outfall, action="update", actor=actor, before=before, after=snapshot(outfall), note=note[:500])
    return outfall


@transaction.atomic
def add_photo(outfall: Outfall, upload, *, actor, kind: str = "site", caption: str = "") -> Photo:
    """Attach a photo after checking its type (JPEG/PNG/WebP by content) and size."""
    _check_may_edit(actor, outfall.town_id, outfall=outfall)
    content_type = check_image(upload, max_bytes=settings.MAX_UPLOAD_BYTES)
    if kind not in dict(Photo.KIND_CHOICES):
        raise InputError(f"photo kind {kind}", user_message=f"未知照片类型「{kind}」")
    photo = Photo(outfall=outfall, kind=kind, caption=caption[:200], content_type=content_type,
                  size_bytes=upload.size, uploaded_by=actor if getattr(actor, "pk", None) else None)
    photo.image.save(upload.name, upload, save=False)
    photo.save()
    record_change(photo, action="attach", actor=actor, before=None,
                  after={"kind": kind, "caption": caption, "file": photo.image.name, "size_bytes": upload.size},
                  related=outfall)
    return photo


@transaction.atomic
def remove_photo(photo: Photo, *, actor) -> None:
    _check_may_edit(actor, photo.outfall.town_id, outfall=photo.outfall)
    before = {"kind": photo.kind, "caption": photo.caption, "file": photo.image.name}
    record_change(photo, action="detach", actor=actor, before=before, after=None, related=photo.outfall)
    name = photo.image.name
    storage = photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


def bulk_history(outfalls_before_after, *, actor, batch_id, action: str) -> None:
    """Write one ChangeRecord per (outfall, before, after) in bulk (imports)."""
    record_changes(build_change(o, action=action, actor=actor, before=b, after=a, batch_id=batch_id)
                   for o, b, a in outfalls_before_after)
