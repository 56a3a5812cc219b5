"""Setup from nothing (issue #8): the first administrator (service, CLI, /setup/ page) and the user
services: a bad role, a town user without a town, an unknown town, a weak password change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase

from factories import make_towns
from outfall.accounts import services
from outfall.accounts.setup import make_setup_token
from outfall.core.enums import Role
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.history.models import ChangeRecord

DATA = Path(__file__).resolve().parents[1] / "data" / "deploy"
GOOD = "a-long-pass-phrase-9"


class UserServiceTests(TestCase):
    def test_first_user_needs_no_actor_and_only_once(self):
        admin = services.create_user("root", role="admin", password=GOOD, actor=None, first_user=True)
        assert admin.role_enum == Role.ADMIN and admin.is_superuser and admin.is_staff
        assert ChangeRecord.objects.filter(target_id=str(admin.pk), action="create").exists()
        with pytest.raises(PermissionDeniedError):
            services.create_user("second", role="admin", password=GOOD, actor=None, first_user=True)
        with pytest.raises(PermissionDeniedError) as e:
            services.create_user("second", role="admin", password=GOOD, actor=None)
        assert "outfall user add NAME --role admin" in e.value.user_message

    def test_bad_input_changes_nothing(self):
        town_a, _ = make_towns()
        admin = services.create_user("root", role="admin", password=GOOD, actor=None, first_user=True)
        before = (get_user_model().objects.count(), ChangeRecord.objects.count())
        cases = [
            ({"role": "chief"}, "未知角色「chief」"),
            ({"role": "town"}, "镇街人员须指定所属镇街"),
            ({"role": "town", "town": "不存在镇"}, "未知镇街「不存在镇」"),
            ({"role": "viewer", "town": town_a.name}, "只有镇街人员 (town) 绑定镇街"),
            ({"role": "viewer", "password": "123"}, "密码不符合要求"),
            ({"role": "viewer", "password": "password123"}, "密码不符合要求"),
            ({"role": "viewer", "email": "not-an-email"}, "email"),
        ]
        for over, message in cases:
            kw = {"password": GOOD, **over}
            with pytest.raises(InputError) as e:
                services.create_user("zhang", actor=admin, **kw)
            assert message in e.value.user_message, (over, e.value.user_message)
        assert (get_user_model().objects.count(), ChangeRecord.objects.count()) == before

    def test_roles_towns_and_the_last_admin(self):
        town_a, town_b = make_towns()
        admin = services.create_user("root", role="admin", password=GOOD, actor=None, first_user=True)
        u = services.create_user("li", role="town", town=town_a.name, password=GOOD, actor=admin)
        assert (u.role, u.town) == ("town", town_a) and not u.is_staff
        u = services.set_user_role(u, role="town", town=town_b.code, actor=admin)
        assert u.town == town_b
        u = services.set_user_role(u, role="bureau", actor=admin)
        assert (u.role, u.town) == ("bureau", None)
        with pytest.raises(PermissionDeniedError):  # only administrators manage users
            services.create_user("wang", role="viewer", password=GOOD, actor=u)
        with pytest.raises(InputError, match="last admin"):
            services.set_user_role(admin, role="viewer", actor=admin)
        with pytest.raises(InputError, match="last admin"):
            services.disable_user(admin, actor=admin)
        services.disable_user(u, actor=admin)
        u.refresh_from_db()
        assert not u.is_active
        assert ChangeRecord.objects.filter(target_id=str(u.pk), note="停用").exists()

    def test_createsuperuser_counts_as_admin_for_imports(self):
        os.environ["DJANGO_SUPERUSER_PASSWORD"] = GOOD
        try:
            call_command("createsuperuser", interactive=False, username="su", email="su@example.com", verbosity=0)
        finally:
            del os.environ["DJANGO_SUPERUSER_PASSWORD"]
        su = get_user_model().objects.get(username="su")
        assert su.role == "viewer" and su.role_enum == Role.ADMIN
        from outfall.cli.common import resolve_actor
        from outfall.rivers.services import import_rivers

        assert resolve_actor(None) == su
        assert services.import_towns(DATA / "towns.geojson", actor=su).created == 3
        assert import_rivers(DATA / "rivers.geojson", actor=su).reaches == 4
        assert services.create_user("bureau1", role="bureau", password=GOOD, actor=su).role == "bureau"


class SetupPageTests(TestCase):
    def _post(self, **over):
        data = {"username": "root", "email": "", "password1": GOOD, "password2": GOOD, **over}
        return self.client.post("/setup/", data, REMOTE_ADDR=over.pop("remote", "127.0.0.1"))

    def test_first_visit_creates_the_first_admin_then_the_page_is_gone(self):
        r = self.client.get("/")
        assert r.status_code == 302 and r["Location"] == "/setup/"
        assert self.client.get("/setup/").status_code == 200
        r = self._post(password2="different-phrase-1")
        assert r.status_code == 200 and "两次输入的密码不一致" in r.content.decode()
        r = self._post(password1="12345678", password2="12345678")
        assert "密码不符合要求" in r.content.decode()
        assert not get_user_model().objects.exists()
        r = self._post()
        assert r.status_code == 302 and r["Location"] == "/towns/"
        admin = get_user_model().objects.get()
        assert admin.role_enum == Role.ADMIN and admin.check_password(GOOD)
        assert self.client.get("/towns/").status_code == 200  # logged in
        self.client.logout()
        assert self.client.get("/setup/").status_code == 404
        assert self._post(username="intruder").status_code == 404
        r = self.client.get("/")
        assert "/accounts/login/" in r["Location"]

    def test_remote_requests_need_the_setup_token(self):
        remote = {"REMOTE_ADDR": "10.1.2.3"}
        r = self.client.get("/setup/", **remote)
        assert r.status_code == 403 and "outfall setup-token" in r.content.decode()
        assert self.client.get("/setup/?token=forged", **remote).status_code == 403
        # behind a reverse proxy every request comes from loopback: the proxy header makes it remote
        assert self.client.get("/setup/", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
        token = make_setup_token()
        assert self.client.get(f"/setup/?token={token}", **remote).status_code == 200
        r = self.client.post("/setup/", {"username": "root", "password1": GOOD, "password2": GOOD, "token": token},
                             **remote)
        assert r.status_code == 302 and get_user_model().objects.filter(username="root").exists()


def _outfall_cli(*args, db, stdin=None):
    env = {**os.environ, "OUTFALL_DATA_DIR": str(Path(db).parent)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("OUTFALL_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "outfall", *args, "--db", f"sqlite:///{db}"], input=stdin,
                          capture_output=True, text=True, env=env, timeout=300)


def test_user_commands(tmp_path):
    db = tmp_path / "u.sqlite3"
    r = _outfall_cli("user", "add", "root", "--role", "admin", "--password-stdin", db=db, stdin=GOOD + "\n")
    assert r.returncode == 0 and "已创建用户 root: admin" in r.stdout, r.stderr
    r = _outfall_cli("user", "add", "ops", "--role", "bureau", db=db, stdin="")  # no terminal: generated, shown once
    assert r.returncode == 0 and "密码 (只显示这一次): " in r.stdout
    r = _outfall_cli("user", "add", "li", "--role", "town", db=db, stdin="")
    assert r.returncode == 2 and "镇街人员须指定所属镇街" in r.stderr and "Traceback" not in r.stderr
    r = _outfall_cli("user", "add", "li", "--role", "viewer", "--password-stdin", db=db, stdin="short\n")
    assert r.returncode == 2 and "密码不符合要求" in r.stderr
    r = _outfall_cli("user", "set-role", "ops", "--role", "inspector", db=db)
    assert r.returncode == 0, r.stderr
    r = _outfall_cli("user", "disable", "ops", db=db)
    assert r.returncode == 0, r.stderr
    r = _outfall_cli("user", "disable", "root", db=db)
    assert r.returncode == 2 and "最后一个系统管理员" in r.stderr
    r = _outfall_cli("user", "list", "--format", "json", db=db)
    users = {u["username"]: u for u in json.loads(r.stdout)}
    assert set(users) == {"root", "ops"}
    assert (users["ops"]["role"], users["ops"]["is_active"], users["root"]["role"]) == ("inspector", False, "admin")
    r = _outfall_cli("setup-token", db=db)
    assert r.returncode == 2 and "初始化页已关闭" in r.stderr


def test_setup_token_is_printed_while_there_is_no_user(tmp_path):
    r = _outfall_cli("setup-token", "--url", "http://10.0.0.8:8000", db=tmp_path / "t.sqlite3")
    assert r.returncode == 0 and r.stdout.startswith("http://10.0.0.8:8000/setup/?token=")

