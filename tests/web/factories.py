"""Fixtures for the web tests: towns, one user per role, outfalls (through the services)."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from outfall.accounts.models import Town
from outfall.core.enums import Role
from outfall.ledger.services import create_outfall

PASSWORD = "test-password-123"
_seq = itertools.count(1)


def make_towns():
    a = Town.objects.create(code="370285001", name="水集街道", kind="subdistrict")
    b = Town.objects.create(code="370285101", name="姜山镇", kind="town")
    return a, b


def make_user(username: str, role: Role, town=None):
    User = get_user_model()
    u = User.objects.create_user(username=username, password=PASSWORD, role=role.value, town=town)
    if role == Role.ADMIN:
        u.is_staff = u.is_superuser = True
        u.save()
    return u


def make_users(town_a, town_b) -> dict:
    return {
        "admin": make_user("admin", Role.ADMIN),
        "bureau": make_user("bureau", Role.BUREAU),
        "town_a": make_user("town_a", Role.TOWN, town_a),
        "town_b": make_user("town_b", Role.TOWN, town_b),
        "inspector": make_user("inspector", Role.INSPECTOR),
        "viewer": make_user("viewer", Role.VIEWER),
    }


def outfall_data(town, **over) -> dict:
    n = next(_seq)
    data = {
        "name": f"测试排污口{n}", "type_l1": "工业排污口", "type_l2": "工矿企业排污口", "type_l3": "工业企业排污口",
        "original_lon": 120.5 + n * 1e-4, "original_lat": 36.9, "original_crs": "WGS84",
        "lon": 120.5 + n * 1e-4, "lat": 36.9, "town": town, "receiving_water": "大沽河",
        "status": "in_use", "approval": "unknown",
        "parties": [{"name": f"测试公司{n}", "uscc": "91350100M000100Y43" if n == 1 else None, "industry": "",
                     "contact": ""}],
    }
    data.update(over)
    return data


def make_outfall(town, actor, **over):
    return create_outfall(outfall_data(town, **over), actor=actor)
