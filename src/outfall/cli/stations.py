"""``outfall station bind|unbind|list``: station accounts (站点授权) and the sites they may push.

A station account is the service account of an automatic station or a data platform; its token
(``outfall drf_create_token NAME``) may push readings only for the sections and outfalls bound to
it. The rules are in ``outfall.monitoring.permissions``; the changes go through the monitoring
services, which keep history.
"""

from __future__ import annotations

import json


def register(sub, add_common) -> None:
    p = sub.add_parser("station", help="站点授权 / which sites a station account may push readings for")
    add_common(p)
    ssub = p.add_subparsers(dest="station_command", metavar="SUBCOMMAND", required=True)
    b = ssub.add_parser("bind", help="allow ACCOUNT to push readings for these sections/outfalls")
    add_common(b)
    b.add_argument("account", help="user name of the station or platform account")
    b.add_argument("sites", nargs="+", metavar="SITE", help="section code or outfall code")
    b.add_argument("--create", action="store_true",
                   help="create ACCOUNT first (role viewer, no password: token only) if it does not exist")
    b.add_argument("--note", default="", help="why, e.g. the station's name or contract")
    b.add_argument("--actor", help="act as this user (default: the first administrator)")
    b.set_defaults(func=bind)
    u = ssub.add_parser("unbind", help="withdraw ACCOUNT's right to push readings for these sites")
    add_common(u)
    u.add_argument("account")
    u.add_argument("sites", nargs="+", metavar="SITE")
    u.add_argument("--actor", help="act as this user (default: the first administrator)")
    u.set_defaults(func=unbind)
    ls = ssub.add_parser("list", help="the bindings, of one account or of all")
    add_common(ls)
    ls.add_argument("account", nargs="?")
    ls.add_argument("--format", choices=["text", "json"], default="text")
    ls.set_defaults(func=list_bindings)


def _sites(codes: list[str]) -> list:
    from outfall.core.errors import NotFoundError
    from outfall.monitoring.services import find_site

    sites, unknown = [], []
    for code in codes:
        try:
            sites.append(find_site(code))
        except NotFoundError:
            unknown.append(code)
    if unknown:
        raise NotFoundError(f"sites {unknown}", user_message=f"站点编码不在断面或排污口台账中 / unknown site codes: "
                                                              f"{'、'.join(unknown)}")
    return sites


def _account(name: str, *, create: bool = False, actor=None):
    from django.contrib.auth import get_user_model

    from outfall.core.errors import NotFoundError
    from outfall.monitoring.services import create_station_account

    user = get_user_model().objects.filter(username=name).first()
    if user is None and create:
        return create_station_account(name, actor=actor), True
    if user is None:
        raise NotFoundError(f"user {name}", user_message=f"账号「{name}」不存在；加 --create 新建站点账号 / "
                                                         "no such account; add --create to make one")
    return user, False


def bind(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.db import transaction

    from outfall.cli.common import resolve_actor
    from outfall.monitoring.services import add_station_binding

    actor = resolve_actor(args.actor)
    with transaction.atomic():
        sites = _sites(args.sites)
        user, created = _account(args.account, create=args.create, actor=actor)
        for site in sites:
            add_station_binding(user, site, actor=actor, note=args.note)
    if created:
        from django.utils.translation import gettext as _

        print(_("新建站点账号 %(name)s (令牌: outfall drf_create_token %(name)s)") % {"name": user.username})
    print(f"{user.username}: {', '.join(s.code for s in sites)}")
    return 0


def unbind(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.db import transaction

    from outfall.cli.common import resolve_actor
    from outfall.monitoring.models import StationBinding
    from outfall.monitoring.services import remove_station_binding

    actor = resolve_actor(args.actor)
    with transaction.atomic():
        user, _ = _account(args.account)
        sites = _sites(args.sites)
        removed = 0
        for site in sites:
            for b in StationBinding.objects.filter(user=user, **{site._meta.model_name: site}):
                remove_station_binding(b, actor=actor)
                removed += 1
    from django.utils.translation import gettext as _

    print(_("%(name)s: 已撤销 %(n)s 项授权") % {"name": user.username, "n": removed})
    return 0


def list_bindings(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from outfall.monitoring.models import StationBinding
    from outfall.monitoring.services import binding_snapshot

    qs = StationBinding.objects.select_related("user", "section", "outfall")
    if args.account:
        qs = qs.filter(user__username=args.account)
    rows = [binding_snapshot(b) for b in qs]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif not rows:
        from django.utils.translation import gettext as _

        print(_("尚无站点授权: outfall station bind ACCOUNT SITE... --create"))
    else:
        for r in rows:
            print(f"{r['user']}\t{r['site_kind']}\t{r['site_code']}\t{r['note']}")
    return 0
