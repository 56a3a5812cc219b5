"""Storing the episodes a check found as alerts, in bulk: one query for the stored alerts they may
belong to, multi-row INSERTs for the new ones, their first lifecycle steps and their history, and one
parametrised UPDATE executed for all changed ones (:mod:`outfall.alerts.bulk`).

The matching is the one rule of an episode (one open alert per site, parameter, rule and basis):
an episode belongs to the earliest stored alert of the same series and rule that it overlaps or
that is still open; otherwise it is a new alert. Candidates are matched in the order the check
found them against the alerts as this run has already changed them, so a run stores exactly what
storing them one at a time would.

Concurrency: :func:`lock_sites` takes a row lock (``FOR NO KEY UPDATE``, which does not block
readings being inserted for the site) on every site of the check, in id order, before anything is
read; a second check of the same sites waits, then sees what the first one committed. Should an
insert still meet the one-open-episode or episode-key constraint (a check of other sites whose
alerts this one also matches), the whole store is redone from a fresh read inside a savepoint,
which then merges into the alert the other check committed. SQLite serialises writers itself
(``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from outfall.alerts.bulk import insert_rows, update_rows
from outfall.alerts.models import Alert, AlertStep
from outfall.core.enums import AlertRule
from outfall.history.services import build_change

log = logging.getLogger("outfall.alerts")

#: The fields whose change is history (the explanation follows them and is not compared).
COMPARED = ("last_time", "value", "limit", "multiple", "exceedance_pct", "peak", "readings_count", "severity",
            "episode_open", "recovered_at", "receptors", "rules_version")
#: Sites per ``IN (…)`` list when loading stored alerts (far below every backend's parameter limit).
_CODES_PER_QUERY = 500
ATTEMPTS = 3


@dataclass
class Touched:
    """An alert a check created or updated; ``new`` when this check created it."""

    alert: Alert
    new: bool


@dataclass
class Candidate:
    """One episode to store: its series (``kind``, ``site``, ``parameter``, ``basis``), rule, first
    reading's time and the alert fields the check computed for it."""

    kind: str
    site: object
    parameter: str
    basis: str
    rule: AlertRule
    opened_at: dt.datetime
    fields: dict

    @property
    def key(self) -> tuple:
        return (self.kind, self.site.code, self.parameter, self.rule.value, self.basis)


def snapshot(a: Alert) -> dict:
    """The history view of an alert: its state, its opening and the compared fields (JSON-ready)."""
    return {k: (getattr(a, k).isoformat() if isinstance(getattr(a, k), dt.datetime) else getattr(a, k))
            for k in ("state", "opened_at", *COMPARED)}


def lock_sites(section_ids, outfall_ids) -> None:
    """Row-lock the sites of a check (no-op on SQLite, whose writers are serialised anyway)."""
    from outfall.ledger.models import Outfall
    from outfall.monitoring.models import Section

    for model, ids in ((Section, section_ids), (Outfall, outfall_ids)):
        ids = sorted(set(ids))
        for a in range(0, len(ids), 5000):
            list(model.objects.select_for_update(no_key=True).filter(pk__in=ids[a:a + 5000]).order_by("pk")
                 .values_list("pk", flat=True))


def load_existing(candidates: list[Candidate]) -> dict[tuple, list[Alert]]:
    """Stored alerts any candidate may belong to, by series-and-rule key, ordered by ``opened_at``."""
    if not candidates:
        return {}
    earliest = min(c.opened_at for c in candidates)
    latest = max(c.fields["last_time"] for c in candidates)
    codes: dict[str, set[str]] = defaultdict(set)
    rules: dict[str, set[str]] = defaultdict(set)
    for c in candidates:
        codes[c.kind].add(c.site.code)
        rules[c.kind].add(c.rule.value)
    keys = {c.key for c in candidates}
    out: dict[tuple, list[Alert]] = defaultdict(list)
    for kind, kind_codes in codes.items():
        ordered = sorted(kind_codes)
        for a in range(0, len(ordered), _CODES_PER_QUERY):
            qs = (Alert.objects.filter(site_kind=kind, site_code__in=ordered[a:a + _CODES_PER_QUERY],
                                       rule__in=sorted(rules[kind]), opened_at__lte=latest)
                  .filter(Q(last_time__gte=earliest) | Q(episode_open=True)).order_by("opened_at", "pk"))
            for alert in qs:
                key = (alert.site_kind, alert.site_code, alert.parameter, alert.rule, alert.basis)
                if key in keys:
                    out[key].append(alert)
    return out


def _match(stored: list[Alert], opened_at, last_time) -> Alert | None:
    """The earliest alert of one series and rule this episode overlaps, or one still open."""
    best = None
    for a in stored:
        if a.opened_at <= last_time and (a.last_time >= opened_at or a.episode_open) \
                and (best is None or a.opened_at < best.opened_at):
            best = a
    return best


def _plan(candidates: list[Candidate]):
    """Match every candidate in order; returns (touched, new alerts, changed alerts → first snapshot)."""
    stored = load_existing(candidates)
    touched: list[Touched] = []
    created: list[Alert] = []
    changed: dict[int, tuple[Alert, dict]] = {}
    for c in candidates:
        series = stored.setdefault(c.key, [])
        fields = c.fields
        existing = _match(series, c.opened_at, fields["last_time"])
        if existing is None:
            alert = Alert(site_kind=c.kind, site_code=c.site.code, parameter=c.parameter, rule=c.rule.value,
                          basis=c.basis, section=c.site if c.kind == "section" else None,
                          outfall=c.site if c.kind == "outfall" else None, town_id=c.site.town_id,
                          opened_at=c.opened_at, **fields)
            series.append(alert)
            created.append(alert)
            touched.append(Touched(alert, True))
            continue
        before = snapshot(existing)
        if existing.opened_at < c.opened_at:  # the window began inside a stored episode: keep its count
            fields = {**fields, "readings_count": max(existing.readings_count, fields["readings_count"])}
        for k, v in fields.items():
            setattr(existing, k, v)
        if c.opened_at < existing.opened_at:
            existing.opened_at = c.opened_at
        if existing.pk is not None and snapshot(existing) != before:
            changed.setdefault(id(existing), (existing, before))
        touched.append(Touched(existing, False))
    return touched, created, list(changed.values())


def _write(created: list[Alert], changed: list[tuple[Alert, dict]], fields: set[str], *, actor, batch) -> None:
    """Updates before inserts (an episode this run closes may have a successor it opens)."""
    if changed:  # closing updates first: a row stays valid under the one-open-episode rule at every step
        update_rows(sorted((a for a, _b in changed), key=lambda a: a.episode_open), sorted(fields | {"opened_at"}))
    insert_rows(created)
    insert_rows([AlertStep(alert=a, from_state="", to_state=a.state, actor=None, actor_name="系统",
                           note="规则触发 / raised by the rules") for a in created])
    records = [build_change(a, action="create", actor=actor, before=None, after=snapshot(a), batch_id=batch)
               for a in created]
    records += [build_change(a, action="update", actor=actor, before=before, after=snapshot(a), batch_id=batch)
                for a, before in changed]
    insert_rows(records)


def store_candidates(candidates: list[Candidate], *, actor, batch) -> list[Touched]:
    """Store every candidate (module docstring); returns the alerts touched, each once, in the
    order their first candidate came, ``new`` for those created here."""
    fields = {k for c in candidates for k in c.fields}
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                touched, created, changed = _plan(candidates)
                _write(created, changed, fields, actor=actor, batch=batch)
        except IntegrityError as exc:  # a concurrent check stored one first: read again and merge into theirs
            log.info("alerts raced with another check (%s); storing again (attempt %d)", exc, attempt + 1)
            continue
        seen, out = set(), []
        for t in touched:
            if t.alert.pk not in seen:
                seen.add(t.alert.pk)
                out.append(t)
        return out
    raise IntegrityError(f"could not store {len(candidates)} alerts after {ATTEMPTS} attempts")
