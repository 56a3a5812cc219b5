"""Panels a higher app adds to the section page (STYLE rule 16: monitoring never imports them).
Each entry is ``f(request, section) -> str`` (safe HTML); the traces app adds its trace form."""

from __future__ import annotations

from django.utils.safestring import mark_safe

#: Callables f(request, section) -> HTML, rendered in order below the section's details.
section_detail_panels: list = []


def render_panels(request, section) -> list[str]:
    return [mark_safe(p(request, section)) for p in section_detail_panels]  # noqa: S308 — panels render templates
