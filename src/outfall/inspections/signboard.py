"""The outfall signboard (排污口标志牌) and its QR code.

What is known of the national rules (shared reference, standards.md §3.3: HJ 1309-2023 covers the
signboard of each outfall type; §5.1: the ledger keeps "signboard and QR code") names the board's
contents but not its drawing, so the page is a plain board with what such boards carry in
practice: the outfall's name and code, type, receiving water, responsible party, the supervising
authority and phone (settings ``OUTFALL_SIGNBOARD_AUTHORITY``, ``OUTFALL_SIGNBOARD_PHONE``), and a
QR code. The green board with white header text is the colour scheme of the prompt (提示) signs of
GB 15562.1-1995 (环境保护图形标志 排放口(源)) as commonly reproduced; that standard is not in the
shared reference, so its sizes and the outfall symbol itself are not drawn here.

The QR code holds an absolute URL of the outfall's short scan address (``/inspections/o/<code>/``,
kept valid however the database numbers the outfall), which opens the outfall's file. The base is
``OUTFALL_PUBLIC_URL`` when set, else the host of the request that prints the board.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.urls import reverse

__all__ = ["scan_path", "scan_url", "qr_svg"]


def scan_path(outfall) -> str:
    return reverse("inspections:scan", kwargs={"code": outfall.code})


def scan_url(outfall, request=None) -> str:
    """The absolute URL a signboard's QR code holds for ``outfall``."""
    base = getattr(settings, "OUTFALL_PUBLIC_URL", "")
    if base:
        return base.rstrip("/") + scan_path(outfall)
    if request is None:
        raise ValueError("OUTFALL_PUBLIC_URL is empty and no request gives the host")
    return request.build_absolute_uri(scan_path(outfall))


def qr_svg(url: str, *, scale: int = 6) -> str:
    """An inline SVG QR code (error correction M, about 15 % of the code may be dirty or damaged)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=scale, border=2, dark="#000", light="#fff",
                                                         omitsize=True)  # a viewBox: CSS sizes it
