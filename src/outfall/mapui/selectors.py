"""Read queries of the map: sites with open alerts, the search index (codes, names and their pinyin
initials) and the choices of the filters."""

from __future__ import annotations

import threading

from django.db.models import Count, Max

from outfall.core.enums import AlertState

__all__ = ["open_alert_sites", "search", "initials", "warm_search_index"]

#: Above this many outfalls the map page builds the search index in the background (pinyin of
#: 20,000 names takes seconds), so the first search does not wait for it.
WARM_ABOVE = 2000

#: Alerts in these states are settled; any other state is an open alert the map marks.
SETTLED = (AlertState.CLOSED.value, AlertState.NOT_GENUINE.value)


def open_alert_sites(user) -> tuple[frozenset, frozenset]:
    """(outfall pks, section pks) that have an alert the user may see and that is not settled; one query."""
    from outfall.alerts import permissions
    from outfall.alerts.models import Alert

    rows = (permissions.visible(Alert.objects.all(), user).exclude(state__in=SETTLED)
            .values_list("outfall_id", "section_id").distinct())
    outfalls, sections = set(), set()
    for o, s in rows:
        if o is not None:
            outfalls.add(o)
        if s is not None:
            sections.add(s)
    return frozenset(outfalls), frozenset(sections)


_lock = threading.Lock()
_names: dict[str, str] = {}  # name → initials, shared by every index
_index: dict[str, tuple] = {}  # kind → (fingerprint, rows)


def initials(name: str) -> str:
    """Pinyin initials of a name, lower case, letters and digits kept as they are ("大沽河1号" → "dgh1h")."""
    got = _names.get(name)
    if got is None:
        from pypinyin import Style, lazy_pinyin

        got = "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()
        with _lock:
            _names[name] = got
    return got


def _rows(kind: str, model) -> list:
    """(pk, code, name, initials, lon, lat) of every row, rebuilt when the table's count or newest
    change moved; initials are computed once per distinct name and process."""
    fp = tuple(model.objects.aggregate(n=Count("pk"), m=Max("updated_at")).values())
    with _lock:
        cached = _index.get(kind)
    if cached and cached[0] == fp:
        return cached[1]
    rows = [(pk, code, name, initials(name), lon, lat)
            for pk, code, name, lon, lat in model.objects.order_by("pk").values_list("pk", "code", "name", "lon", "lat")]
    with _lock:
        _index[kind] = (fp, rows)
    return rows


_warming = threading.Event()


def warm_search_index() -> bool:
    """Start building the search index in a background thread, once per process, when the ledger
    is large (more than :data:`WARM_ABOVE` outfalls); True when a thread was started."""
    from outfall.ledger.models import Outfall
    from outfall.monitoring.models import Section

    if _warming.is_set() or "outfall" in _index or Outfall.objects.count() <= WARM_ABOVE:
        return False
    _warming.set()

    def build():
        from django.db import connection

        try:
            _rows("outfall", Outfall)
            _rows("section", Section)
        finally:
            connection.close()

    threading.Thread(target=build, name="map-search-index", daemon=True).start()
    return True


def search(user, text: str, *, limit: int = 20) -> list[dict]:
    """Outfalls and sections the user may see whose code or name contains ``text``, or whose name's
    pinyin initials start with it (case-insensitive); exact code matches first."""
    from outfall.ledger.models import Outfall
    from outfall.monitoring.models import Section

    q = text.strip().lower()
    if not q:
        return []
    out = []
    for kind, model in (("outfall", Outfall), ("section", Section)):
        hits = [r for r in _rows(kind, model) if q in r[1].lower() or q in r[2].lower() or r[3].startswith(q)]
        hits.sort(key=lambda r: (r[1].lower() != q, not r[1].lower().startswith(q), r[1]))
        ids = {r[0] for r in hits[:limit * 4]}
        visible = set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
        out += [{"kind": kind, "id": r[0], "c": r[1], "n": r[2], "py": r[3], "lon": r[4], "lat": r[5]}
                for r in hits if r[0] in visible][:limit]
    out.sort(key=lambda h: (h["c"].lower() != q, h["kind"] != "outfall"))
    return out[:limit]
