"""``outfall user add|list|set-role|disable`` and ``outfall setup-token``.

``user add`` asks for the password twice on a terminal; with ``--password-stdin`` it reads one line
from standard input (for scripts); otherwise (no terminal) it generates one and prints it once.
The first user may be added with no administrator (it is how a new system gets its first admin);
after that the acting administrator is ``--user`` or the first active one.
"""

from __future__ import annotations

import json
import sys

ROLES = ["admin", "bureau", "town", "inspector", "viewer"]


def register(sub, add_common) -> None:
    p = sub.add_parser("user", help="用户管理 / add, list, change and disable users")
    add_common(p)
    usub = p.add_subparsers(dest="user_command", metavar="SUBCOMMAND", required=True)

    a = usub.add_parser("add", help="add a user with one role (town users with --town)")
    add_common(a)
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--town", help="the town (name or code) of a town user")
    a.add_argument("--email", default="")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.add_argument("--user", help="act as this administrator (default: the first one)")
    a.set_defaults(func=add)

    ls = usub.add_parser("list", help="every user with role, town and whether active")
    add_common(ls)
    ls.add_argument("--format", choices=["text", "json"], default="text")
    ls.set_defaults(func=list_)

    s = usub.add_parser("set-role", help="give a user another role (and town)")
    add_common(s)
    s.add_argument("username")
    s.add_argument("--role", required=True, choices=ROLES)
    s.add_argument("--town", help="the town (name or code) of a town user")
    s.add_argument("--user", help="act as this administrator (default: the first one)")
    s.set_defaults(func=set_role)

    d = usub.add_parser("disable", help="disable a user's login (history keeps them)")
    add_common(d)
    d.add_argument("username")
    d.add_argument("--user", help="act as this administrator (default: the first one)")
    d.set_defaults(func=disable)

    t = sub.add_parser("setup-token", help="一次性初始化令牌 / token for the /setup/ page from another machine")
    add_common(t)
    t.add_argument("--url", default="http://127.0.0.1:8000", help="the address users reach the server at")
    t.set_defaults(func=setup_token)


def _password(args) -> tuple[str, bool]:
    """(password, generated)."""
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            from outfall.core.errors import InputError

            raise InputError("empty password", user_message="标准输入中没有密码 / no password on standard input")
        return line, False
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("密码 / password (留空则自动生成 / empty: generate): ")
        if first:
            if getpass.getpass("再次输入 / again: ") != first:
                from outfall.core.errors import InputError

                raise InputError("passwords differ", user_message="两次输入的密码不一致 / passwords differ")
            return first, False
    from outfall.accounts.passwords import generate_password

    return generate_password(), True


def _actor(args):
    from django.contrib.auth import get_user_model

    from outfall.cli.common import resolve_actor

    if not get_user_model().objects.exists():
        return None, True
    return resolve_actor(getattr(args, "user", None)), False


def add(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.translation import gettext as _

    from outfall.accounts import services
    from outfall.accounts.labels import label_of

    actor, first = _actor(args)
    password, generated = _password(args)
    user = services.create_user(args.username, role=args.role, town=args.town, email=args.email, password=password,
                                actor=actor, first_user=first)
    town = f" ({user.town.name})" if user.town_id else ""
    print(_("已创建用户 %(name)s: %(role)s %(label)s%(town)s") % {
        "name": user.username, "role": user.role_enum.value, "label": label_of(user.role_enum), "town": town})
    if generated:
        print(_("密码 (只显示这一次): %(password)s") % {"password": password})
    return 0


def list_(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from outfall.accounts.services import user_snapshot

    users = [user_snapshot(u) | {"last_login": u.last_login.isoformat() if u.last_login else None}
             for u in get_user_model().objects.select_related("town").order_by("username")]
    if args.format == "json":
        print(json.dumps(users, ensure_ascii=False, indent=1))
        return 0
    if not users:
        print(_("尚无用户: outfall user add NAME --role admin"), file=sys.stderr)
        return 0
    active, disabled = _("在用"), _("已停用")
    for u in users:
        print(f"{u['username']}\t{u['role']}\t{u['town'] or '-'}\t{active if u['is_active'] else disabled}"
              f"\t{u['email'] or ''}")
    return 0


def set_role(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from outfall.accounts import services
    from outfall.cli.common import resolve_actor

    user = services.get_user(args.username)
    user = services.set_user_role(user, role=args.role, town=args.town, actor=resolve_actor(args.user))
    print(f"{user.username}: {user.role_enum.value} {user.town.name if user.town_id else ''}".rstrip())
    return 0


def disable(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.utils.translation import gettext as _

    from outfall.accounts import services
    from outfall.cli.common import resolve_actor

    user = services.disable_user(services.get_user(args.username), actor=resolve_actor(args.user))
    print(_("已停用用户 %(name)s") % {"name": user.username})
    return 0


def setup_token(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from outfall.accounts.setup import make_setup_token

    if get_user_model().objects.exists():
        print(_("已有用户，初始化页已关闭。添加用户: outfall user add NAME --role ROLE"), file=sys.stderr)
        return 2
    token = make_setup_token()
    print(f"{args.url.rstrip('/')}/setup/?token={token}")
    print(_("24 小时内有效，仅在尚无用户时可用"), file=sys.stderr)
    return 0
