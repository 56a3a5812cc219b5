"""STYLE rule 3: every public state-changing service of every app writes at least one ChangeRecord.

Services are found by name (``create_*``, ``update_*``, ``cancel_*``, ``add_*``, ``remove_*``,
``import_*``, ``close_*``, ``acknowledge_*``, ``assign_*``, ``delete_*``, ``set_*``, ``ingest_*``,
``resolve_*``) in every ``outfall.<app>.services`` module. A service without a case below fails the
test, so a new service cannot land without its history being checked.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import outfall
from factories import make_outfall, make_towns, make_users, outfall_data
from outfall.history.models import ChangeRecord

VERBS = ("create_", "update_", "cancel_", "add_", "remove_", "import_", "close_", "acknowledge_", "assign_",
         "delete_", "set_", "ingest_", "resolve_")


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buf, "PNG")
    return buf.getvalue()


def _ledger_cases():
    from outfall.ledger import services

    def create(ctx):
        services.create_outfall(outfall_data(ctx["town"]), actor=ctx["admin"])

    def update(ctx):
        services.update_outfall(ctx["outfall"], {"notes": "x"}, actor=ctx["admin"])

    def cancel(ctx):
        services.cancel_outfall(ctx["outfall"], actor=ctx["admin"], reason="封堵")

    def add_photo(ctx):
        services.add_photo(ctx["outfall"], SimpleUploadedFile("a.png", _png()), actor=ctx["admin"])

    def remove_photo(ctx):
        photo = services.add_photo(ctx["outfall"], SimpleUploadedFile("a.png", _png()), actor=ctx["admin"])
        ChangeRecord.objects.all().delete()
        services.remove_photo(photo, actor=ctx["admin"])

    return {"outfall.ledger.services.create_outfall": create, "outfall.ledger.services.update_outfall": update,
            "outfall.ledger.services.cancel_outfall": cancel, "outfall.ledger.services.add_photo": add_photo,
            "outfall.ledger.services.remove_photo": remove_photo}


#: dotted service name → function(ctx) that calls it. Apps add their cases here.
CASES: dict = {}
CASES.update(_ledger_cases())


def discovered_services() -> list[str]:
    names = []
    for mod in pkgutil.iter_modules(outfall.__path__):
        try:
            services = importlib.import_module(f"outfall.{mod.name}.services")
        except ModuleNotFoundError:
            continue
        for name, fn in inspect.getmembers(services, inspect.isfunction):
            if fn.__module__ == services.__name__ and name.startswith(VERBS):
                names.append(f"{services.__name__}.{name}")
    return sorted(names)


def test_every_service_has_a_history_case():
    missing = [n for n in discovered_services() if n not in CASES]
    assert discovered_services(), "no services found"
    assert missing == [], f"services without a history case in {__file__}: {missing}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_service_writes_history(name, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    town, town_b = make_towns()
    users = make_users(town, town_b)
    ctx = {"town": town, "admin": users["admin"], "users": users}
    ctx["outfall"] = make_outfall(town, users["admin"])
    ChangeRecord.objects.all().delete()
    CASES[name](ctx)
    recs = list(ChangeRecord.objects.all())
    assert recs, f"{name} wrote no ChangeRecord"
    assert all(r.actor_name for r in recs)
