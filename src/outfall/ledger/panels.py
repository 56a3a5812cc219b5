"""Panels a higher app adds to the outfall file page (一口一档), STYLE rule 16: the ledger never
imports them. Each entry is ``f(request, outfall) -> str`` (safe HTML, e.g. ``render_to_string``);
the alerts app adds the discharge limits and the outfall's alerts in its ``apps.py``."""

from __future__ import annotations

from django.utils.safestring import mark_safe

#: Callables f(request, outfall) -> HTML, rendered in order below the outfall's details.
detail_panels: list = []
#: Callables f(request, outfall) -> [(label, url)], buttons beside 修改 at the top of the page (the
#: inspections app adds 现场巡查 and 标志牌).
detail_links: list = []


def render_panels(request, outfall) -> list[str]:
    return [mark_safe(p(request, outfall)) for p in detail_panels]  # noqa: S308 — panels render templates


def render_links(request, outfall) -> list[tuple[str, str]]:
    return [link for f in detail_links for link in f(request, outfall)]
