"""Property-based check of the whole API against its own OpenAPI schema (schemathesis), as each role.

Every operation of ``/api/schema/`` gets generated requests (valid and invalid), sent through the
Django WSGI app in process (no network) with each role's token: no answer may be a 5xx, and every
answer must be one the schema documents (status code, body, content type). Bounded for CI: a few
derandomised examples per operation, so a run takes well under a minute per database.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from factories import make_outfall, make_towns, make_users
from outfall.monitoring.ingest import ingest_pushed_readings
from outfall.monitoring.services import import_sections
from outfall.site.wsgi import application

ROLES = ("admin", "bureau", "town_a", "inspector", "viewer")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]

#: Examples (the schema's own) and fuzzing; the coverage phase is off, because it sends every boundary
#: and negative case of every field (hundreds per write operation) whatever ``max_examples`` says.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True), config=CONFIG)

SECTIONS = ("断面编码,断面名称,经度,纬度,水质目标,所在河流\n"
            "370285S01,马连庄,120.4235,37.12,Ⅱ,大沽河\n"
            "370285S02,产芝水库,120.443,36.976,Ⅲ,产芝水库\n").encode()


@pytest.fixture
def _keep_connection():
    """Call the WSGI app as Django's test client does: without closing the test's database
    connection at the end of each request (the test runs inside one transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, _keep_connection):
    """One token per role, and data for the detail and list operations to find."""
    town_a, town_b = make_towns()
    users = make_users(town_a, town_b)
    for k in range(3):
        make_outfall(town_a if k % 2 else town_b, users["admin"])
    import_sections(SECTIONS, actor=users["admin"], name="sections.csv")
    t0 = dt.datetime(2025, 11, 6, tzinfo=dt.UTC)
    ingest_pushed_readings([{"site_code": "370285S01", "time": (t0 + dt.timedelta(hours=h)).isoformat(),
                             "parameter": p, "value": v} for h in range(3)
                            for p, v in (("NH3N", "0.4"), ("TP", "0.05"), ("DO", "7.5"))], actor=users["admin"])
    return {role: Token.objects.create(user=users[role]).key for role in ROLES}


@schema.parametrize()
@settings(max_examples=15, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_for_every_role(case, tokens):
    for role in ROLES:
        r = case.call_and_validate(app=application, base_url="http://localhost", checks=CHECKS,
                                   # identity: the in-process WSGI client does not undo gzip (tested elsewhere)
                                   headers={"Authorization": f"Token {tokens[role]}",
                                            "Accept-Encoding": "identity"})
        assert r.status_code != 401, (role, "the token was not accepted")
