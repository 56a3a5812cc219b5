"""Top navigation: (url name, label, who may see it); entries whose app is absent are skipped.

``may`` is the permission function the entry's view itself asks (``None``: every logged-in user,
as every page reads), so a menu never offers what answers 403.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from outfall.accounts import permissions


def _may_use_admin(user) -> bool:
    return bool(user.is_active and user.is_staff)


NAV = [
    ("ledger:list", _("台账"), None),
    ("mapui:map", _("一张图"), None),
    ("monitoring:section-list", _("断面"), None),
    ("rivers:network", _("河网"), None),
    ("accounts:towns", _("镇街"), None),
    ("alerts:list", _("预警"), None),
    ("ledger:import", _("导入"), permissions.can_edit_any),   # ledger.views.import_view asks the same
    ("api-docs", "API", None),
    ("admin:index", _("管理"), _may_use_admin),                # AdminSite.has_permission: active staff
]
