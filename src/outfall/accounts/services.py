"""Every state change of users and towns: one function each, atomic, with its history (STYLE rule 2).

Users: ``create_user``, ``set_user_role``, ``disable_user`` (the CLI ``outfall user …``, the setup
page and the admin's peers). Towns: ``import_towns`` (``outfall import towns`` and the towns page).
A bad role, a town user without a town, an unknown town, a weak password: InputError, nothing
changed. The last active administrator can be neither demoted nor disabled.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from outfall.accounts import permissions
from outfall.accounts.models import Town
from outfall.core.enums import Role
from outfall.core.errors import InputError, NotFoundError, PermissionDeniedError, RowError, RowErrors
from outfall.core.results import UpsertCounts
from outfall.core.towns import check_against_stored, check_towns, read_towns
from outfall.history.services import build_change, record_change, record_changes

USER_FIELDS = ("username", "email", "role", "is_active", "is_staff", "is_superuser")
NO_ADMIN_HINT = "尚无系统管理员 / no administrator yet: outfall user add NAME --role admin"


def user_snapshot(user) -> dict:
    snap = {f: getattr(user, f) for f in USER_FIELDS}
    snap["role"] = user.role_enum.value
    snap["town"] = user.town.name if user.town_id else None
    return snap


def parse_role(text: str) -> Role:
    """A role from its value or label; InputError naming the valid ones."""
    try:
        return Role.from_text(text)
    except ValueError:
        valid = "、".join(f"{r.value} ({r.label})" for r in Role)
        raise InputError(f"unknown role {text!r}", user_message=f"未知角色「{text}」/ unknown role; 可用: {valid}") \
            from None


def find_town(text: str | None) -> Town | None:
    """A town by name or code; InputError listing the known towns."""
    if not text:
        return None
    town = Town.objects.filter(name=text).first() or Town.objects.filter(code=text).first()
    if town is None:
        known = "、".join(Town.objects.values_list("name", flat=True)[:50]) or "无 (先导入镇街: outfall import towns FILE)"
        raise InputError(f"unknown town {text!r}", user_message=f"未知镇街「{text}」/ unknown town; 可用: {known}")
    return town


def _role_and_town(role, town) -> tuple[Role, Town | None]:
    role = role if isinstance(role, Role) else parse_role(role)
    town = town if isinstance(town, Town) or town is None else find_town(town)
    if role == Role.TOWN and town is None:
        raise InputError("town user without town", user_message="镇街人员须指定所属镇街 (--town) / a town user needs --town")
    if role != Role.TOWN and town is not None:
        raise InputError("town for non-town role", user_message=(
            f"只有镇街人员 (town) 绑定镇街；角色 {role.value} 不需要 --town / only town users have a town"))
    return role, town


def _check_manager(actor, *, first_user: bool = False) -> None:
    if first_user:
        return
    if actor is None:
        raise PermissionDeniedError("no actor", user_message=NO_ADMIN_HINT)
    if not (permissions.can_read(actor) and actor.role_enum == Role.ADMIN):
        raise PermissionDeniedError(f"{actor} may not manage users", user_message="只有系统管理员可以管理用户")


def _apply_role(user, role: Role, town: Town | None) -> None:
    user.role, user.town = role.value, town
    user.is_staff = user.is_superuser = role == Role.ADMIN


def _other_active_admins(user) -> bool:
    User = get_user_model()
    admins = User.objects.filter(is_active=True).exclude(pk=user.pk)
    return admins.filter(is_superuser=True).exists() or admins.filter(role=Role.ADMIN.value).exists()


def validate_new_password(password: str, user) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS); InputError with their messages."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InputError("weak password", user_message="密码不符合要求 / password rejected: " + "；".join(exc.messages)) \
            from None


@transaction.atomic
def create_user(username: str, *, role, password: str, actor, town=None, email: str = "",
                first_user: bool = False):
    """Create an active user with one role (town staff with their town); history: create.

    ``first_user=True`` (only while no user exists) lets the setup page and the first
    ``outfall user add`` act without an administrator.
    """
    User = get_user_model()
    if first_user and User.objects.exists():
        raise PermissionDeniedError("users exist", user_message="已有用户；请由系统管理员添加 / users exist already")
    _check_manager(actor, first_user=first_user)
    role, town = _role_and_town(role, town)
    username = (username or "").strip()
    if not username:
        raise InputError("empty username", user_message="用户名不能为空 / empty username")
    if User.objects.filter(username=username).exists():
        raise InputError(f"user {username} exists", user_message=f"用户「{username}」已存在 / user exists")
    user = User(username=username, email=(email or "").strip())
    try:
        user.full_clean(exclude=["password", "role", "town"])
    except ValidationError as exc:
        raise InputError(str(exc), user_message="；".join(f"{k}: {'；'.join(v)}" for k, v in exc.message_dict.items())) \
            from None
    _apply_role(user, role, town)
    validate_new_password(password, user)
    user.set_password(password)
    user.save()
    record_change(user, action="create", actor=actor, before=None, after=user_snapshot(user))
    return user


def get_user(username: str):
    User = get_user_model()
    try:
        return User.objects.select_related("town").get(username=username)
    except User.DoesNotExist:
        raise NotFoundError(f"user {username}", user_message=f"用户「{username}」不存在 / no such user") from None


@transaction.atomic
def set_user_role(user, *, role, actor, town=None):
    """Give a user another role (and town); the last active administrator keeps the admin role."""
    _check_manager(actor)
    role, town = _role_and_town(role, town)
    user = type(user).objects.select_for_update().get(pk=user.pk)
    before = user_snapshot(user)
    if user.role_enum == Role.ADMIN and role != Role.ADMIN and user.is_active and not _other_active_admins(user):
        raise InputError("last admin", user_message="这是最后一个系统管理员，不能改为其他角色 / the last administrator")
    _apply_role(user, role, town)
    user.save()
    after = user_snapshot(user)
    if after != before:
        record_change(user, action="update", actor=actor, before=before, after=after)
    return user


@transaction.atomic
def disable_user(user, *, actor):
    """Disable a user's login (never deleted: history refers to them); not the last administrator."""
    _check_manager(actor)
    user = type(user).objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    if user.role_enum == Role.ADMIN and not _other_active_admins(user):
        raise InputError("last admin", user_message="这是最后一个系统管理员，不能停用 / the last administrator")
    before = user_snapshot(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_change(user, action="update", actor=actor, before=before, after=user_snapshot(user), note="停用")
    return user


# --- towns -----------------------------------------------------------------------------------


@dataclass
class TownImportResult(UpsertCounts):
    """A towns import: counts, how many rows carry a boundary, and the towns not in the file."""

    boundaries: int = 0
    not_in_file: list = field(default_factory=list)


def town_snapshot(t: Town) -> dict:
    return {"code": t.code, "name": t.name, "kind": t.kind, "boundary": t.boundary}


def _round_geometry(geom) -> dict:
    """GeoJSON mapping with coordinates rounded to 1e-7° (about 1 cm) and tuples as lists."""
    def rnd(c):
        if isinstance(c, (int, float)):
            return round(float(c), 7)
        return [rnd(x) for x in c]

    import shapely

    g = shapely.geometry.mapping(geom)
    return json.loads(json.dumps({"type": g["type"], "coordinates": rnd(g["coordinates"])}))


def import_towns(source, *, actor, name: str | None = None, dry_run: bool = False, crs=None,
                 progress=None) -> TownImportResult:
    """Towns from a boundaries file or a CSV of code, name; keyed by code, whole or nothing.

    A new code creates a town, a known code updates its name, kind and boundary (a CSV keeps the
    stored boundary). Towns not in the file stay. Raises :class:`RowErrors` on any problem (a dry
    run returns them in ``errors``).
    """
    if actor is None:
        raise PermissionDeniedError("no actor", user_message=NO_ADMIN_HINT)
    if permissions.editable_town_ids(actor) is not None:
        raise PermissionDeniedError("towns", user_message="只有局机关人员可以导入镇街 / bureau staff only")
    path = Path(source)
    tf = read_towns(path, crs=crs, name=name or path.name)
    errors, polys = check_towns(tf)
    existing = {t.code: t for t in Town.objects.all()}
    errors.extend(check_against_stored(tf, polys, [(t.code, t.name, t.boundary) for t in existing.values()]))
    result = TownImportResult(file=tf.file, rows=len(tf.towns), errors=errors)
    by_name = {t.name: t.code for t in existing.values()}
    if not errors:
        for t in tf.towns:
            other = by_name.get(t.name)
            if other is not None and other != t.code and other not in {x.code for x in tf.towns}:
                errors.append(RowError(tf.file, "", t.row, "name",
                                       f"名称「{t.name}」已属于代码为 {other} 的镇街 / name taken by town {other}"))
    plan = []
    for t in tf.towns:
        if progress:
            progress(1)
        boundary = _round_geometry(polys[t.row]) if t.row in polys else None
        cur = existing.get(t.code)
        after = {"code": t.code, "name": t.name, "kind": t.kind,
                 "boundary": boundary if tf.has_geometry else (cur.boundary if cur else None)}
        result.boundaries += after["boundary"] is not None
        if cur is None:
            result.created += 1
            plan.append((None, after))
        elif town_snapshot(cur) == after:
            result.unchanged += 1
        else:
            result.updated += 1
            plan.append((cur, after))
    codes = {t.code for t in tf.towns}
    result.not_in_file = sorted(t.name for c, t in existing.items() if c not in codes)
    if errors:
        if dry_run:
            return result
        raise RowErrors(errors)
    if dry_run:
        return result
    result.batch_id = uuid.uuid4()
    _write_towns(plan, actor=actor, batch_id=result.batch_id, note=tf.file)
    result.committed = True
    return result


@transaction.atomic
def _write_towns(plan, *, actor, batch_id, note: str) -> None:
    records = []
    # Free every name that moves between codes first (names are unique).
    moving = [cur for cur, after in plan if cur is not None and cur.name != after["name"]]
    for cur in moving:
        Town.objects.filter(pk=cur.pk).update(name=f"~{cur.pk}~{uuid.uuid4().hex[:8]}")
    for cur, after in plan:
        if cur is None:
            t = Town.objects.create(**after)
            records.append(build_change(t, action="import", actor=actor, before=None, after=town_snapshot(t),
                                        batch_id=batch_id, note=note))
        else:
            before = town_snapshot(cur)
            for k, v in after.items():
                setattr(cur, k, v)
            cur.save()
            records.append(build_change(cur, action="import", actor=actor, before=before, after=town_snapshot(cur),
                                        batch_id=batch_id, note=note))
    record_changes(records)
