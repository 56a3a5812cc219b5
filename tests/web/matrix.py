"""Machinery of the permission matrix (tests/web/test_permission_matrix.py): what the URL conf, the
API schema, the admin and the CLI offer, the fixture world the requests run in, and one request as
one role. The expectations themselves live in the test module; see docs/development/permissions.md.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

#: The roles of the matrix, in the order of every row. ``own``/``other`` are town staff of the town
#: the fixture objects belong to / of another town. In the CLI table ``anon`` means "no --user".
ROLES = ("anon", "admin", "bureau", "own", "other", "insp", "viewer")
#: role → fixture user name (factories.make_users)
USERS = {"admin": "admin", "bureau": "bureau", "own": "town_a", "other": "town_b", "insp": "inspector",
         "viewer": "viewer"}
ADMIN_ACTIONS = ("changelist", "add", "change", "delete", "history")


@dataclass(frozen=True)
class Route:
    key: str        # "namespace:name", or the route itself when the pattern has no name
    route: str      # the full route, for messages
    name: str | None
    kwargs: tuple[str, ...]


def _kwarg_names(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    return tuple(regex.groupindex)


def walk(patterns=None, prefix: str = "", namespace: str | None = None, kwargs: tuple = ()):
    """Every URL pattern of the URL conf, recursively, with its namespaced name and URL kwargs."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns, kwargs + _kwarg_names(p))
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield Route(name or prefix + str(p.pattern), prefix + str(p.pattern), name,
                        kwargs + _kwarg_names(p))


def routes() -> dict[str, Route]:
    """key → Route; a name seen twice (DRF's format-suffix twins) keeps its first, plain pattern."""
    out: dict[str, Route] = {}
    for r in walk():
        out.setdefault(r.key, r)
    return out


def admin_models() -> dict[str, type]:
    """``app_label.model_name`` → model, for every model registered in the admin site."""
    return {f"{m._meta.app_label}.{m._meta.model_name}": m for m in admin.site._registry}


def admin_model_of(route: Route) -> tuple[str, str] | None:
    """(model label, action) when ``route`` is one of the per-model admin URLs, else None."""
    for label, model in admin_models().items():
        stem = f"{model._meta.app_label}_{model._meta.model_name}"
        for action in ADMIN_ACTIONS:
            if route.name == f"admin:{stem}_{action}":
                return label, action
        if route.name is None and route.route == f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/":
            return label, "object"
    return None


def schema_operations() -> dict[str, set[str]]:
    """URL name → HTTP methods, for every operation in the OpenAPI schema."""
    from django.urls import resolve
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    out: dict[str, set[str]] = {}
    for path, ops in schema["paths"].items():
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        out.setdefault(match.url_name, set()).update(m.upper() for m in ops)
    return out


def cli_commands() -> dict[str, list[str]]:
    """"command kind" → argv prefix, for every CLI (sub)command that takes ``--user``."""
    from outfall.cli import build_parser

    out = {}
    top = build_parser()
    for name, parser in top._subparsers._group_actions[0].choices.items():
        options = {o for a in parser._actions for o in a.option_strings}
        if "--user" not in options:
            continue
        choice = next((a for a in parser._actions if not a.option_strings and a.choices), None)
        for kind in (choice.choices if choice else [None]):
            out[f"{name} {kind}" if kind else name] = [name, kind] if kind else [name]
    return out


class Clients:
    """One test client per role, logged in once (pages); API requests carry the role's token instead."""

    def __init__(self, world):
        self.world, self.sessions, self.bare = world, {}, Client()

    def session(self, role: str) -> Client:
        if role not in self.sessions:
            client = Client()
            if role != "anon":
                client.force_login(self.world.users[USERS[role]])
            self.sessions[role] = client
        return self.sessions[role]

    def request(self, method: str, role: str, url: str, data=None, *, api: bool = False):
        """One request as ``role``; the database is rolled back afterwards. Returns the response."""
        headers = {}
        if api:
            client = self.bare
            if role != "anon":
                headers["HTTP_AUTHORIZATION"] = f"Token {self.world.tokens[self.world.users[USERS[role]].pk]}"
        else:
            client = self.session(role)
        with transaction.atomic():
            if method == "GET":
                r = client.get(url, data or {}, **headers)
            elif api:
                r = client.generic(method, url, json.dumps(data if data is not None else {}),
                                   content_type="application/json", **headers)
            elif method == "POST":
                r = client.post(url, data or {}, **headers)
            else:
                r = client.generic(method, url, "", **headers)
            transaction.set_rollback(True)
        if settings.SESSION_COOKIE_NAME in r.cookies:  # logged out, or in as someone else: log in afresh
            self.sessions.pop(role, None)
        return r


def run_cli(world, argv_prefix: list[str], role: str, file: Path, monkeypatch) -> int:
    """``outfall <argv_prefix> FILE [--user NAME]`` in-process as ``role``; rolled back. Exit code."""
    import outfall.cli

    monkeypatch.setattr(outfall.cli, "django_setup", lambda *a, **k: None)  # the test database is ready
    argv = [*argv_prefix, str(file)]
    if role != "anon":
        argv += ["--user", world.users[USERS[role]].username]
    with transaction.atomic():
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            code = outfall.cli.main(argv)
        transaction.set_rollback(True)
    return code
