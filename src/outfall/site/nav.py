"""Top navigation: (url name, label, who may see it); entries whose app is absent are skipped.

``may`` is the permission function the entry's view itself asks (``None``: every logged-in user,
as every page reads), so a menu never offers what answers 403.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from outfall.accounts import permissions


def _may_use_admin(user) -> bool:
    return bool(user.is_active and user.is_staff)


NAV = [
    ("dashboard:index", pgettext_lazy("menu", "概览"), None),
    ("ledger:list", pgettext_lazy("menu", "台账"), None),
    ("mapui:map", pgettext_lazy("menu", "一张图"), None),
    ("monitoring:section-list", pgettext_lazy("menu", "断面"), None),
    ("rivers:network", pgettext_lazy("menu", "河网"), None),
    ("accounts:towns", pgettext_lazy("menu", "镇街"), None),
    ("alerts:list", pgettext_lazy("menu", "预警"), None),
    ("traces:list", pgettext_lazy("menu", "溯源"), None),
    ("remediation:list", pgettext_lazy("menu", "整治"), None),
    ("cases:list", pgettext_lazy("menu", "案件"), None),
    ("inspections:list", pgettext_lazy("menu", "巡查"), None),
    ("ledger:import", pgettext_lazy("menu", "导入"), permissions.can_edit_any),   # ledger.views.import_view asks the same
    ("api-docs", "API", None),
    ("admin:index", pgettext_lazy("menu", "管理"), _may_use_admin),                # AdminSite.has_permission: active staff
]
