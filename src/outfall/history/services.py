"""record_change(): the one way every service writes history, in its own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from outfall.history.models import ChangeRecord


def actor_name(actor) -> str:
    if actor is None:
        return "系统"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return f"{full} ({actor.username})" if full else actor.username


def build_change(target: models.Model, *, action: str, actor, before: dict | None, after: dict | None,
                 batch_id: uuid.UUID | None = None, related: models.Model | None = None,
                 note: str = "") -> ChangeRecord:
    """An unsaved ChangeRecord (for bulk writes); see :func:`record_change`."""
    rec = ChangeRecord(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name(actor),
        batch_id=batch_id or uuid.uuid4(),
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        before=before,
        after=after,
        note=note[:500],
    )
    if related is not None:
        rec.related_type = ContentType.objects.get_for_model(related, for_concrete_model=False)
        rec.related_id = str(related.pk)
    return rec


def record_change(target: models.Model, *, action: str, actor, before: dict | None, after: dict | None,
                  batch_id: uuid.UUID | None = None, related: models.Model | None = None,
                  note: str = "") -> ChangeRecord:
    """Write one ChangeRecord; call it inside the service's transaction."""
    rec = build_change(target, action=action, actor=actor, before=before, after=after, batch_id=batch_id,
                       related=related, note=note)
    rec.save()
    return rec


def record_changes(records: Iterable[ChangeRecord]) -> None:
    ChangeRecord.objects.bulk_create(list(records), batch_size=2000)


def history_of(obj: models.Model):
    """Every record about ``obj`` or attached to it (photos, parties), newest first."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return ChangeRecord.objects.filter(
        models.Q(target_type=ct, target_id=str(obj.pk)) | models.Q(related_type=ct, related_id=str(obj.pk))
    ).select_related("actor")
