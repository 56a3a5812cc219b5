"""Pieces the database commands share: the acting user and a progress bar on stderr."""

from __future__ import annotations

import sys

from outfall.core.errors import NotFoundError


def resolve_actor(username: str | None):
    """The named user, else the first active superuser/administrator; None if there is none."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            from django.utils.translation import gettext as _

            raise NotFoundError(f"user {username}", user_message=_("用户「%(name)s」不存在或已停用") % {"name": username}) from None
    return (User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
            or User.objects.filter(is_active=True, role="admin").order_by("pk").first())


class ProgressBar:
    """A tqdm bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, *, desc: str, total: int | None = None):
        self.desc, self.total, self.bar = desc, total, None

    def __enter__(self):
        if sys.stderr.isatty():
            from django.utils.translation import gettext as _
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, desc=self.desc, unit=_("行"), file=sys.stderr)
        return self

    def update(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
