"""Login hardening (issue #7, item 6): lockout after repeated wrong passwords (django-axes), password
rules, session lifetime, and production settings that leave `check --deploy` with nothing to say."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import TestCase
from django.utils import timezone

from factories import PASSWORD, make_towns, make_users

OTHER_IP = "192.0.2.10"  # TEST-NET-1: only a value in request.META, no traffic


class LockoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        a, b = make_towns()
        cls.users = make_users(a, b)

    def login(self, password, username="bureau", ip="127.0.0.1", path="/accounts/login/"):
        return self.client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)

    def logged_in_as(self):
        r = self.client.get("/")
        return r.context["user"].username if r.status_code == 200 else None

    def test_fifty_wrong_passwords_then_the_right_one_is_refused(self):
        assert settings.AXES_FAILURE_LIMIT == 5
        codes = [self.login(f"wrong-{i}").status_code for i in range(50)]
        assert codes[:4] == [200] * 4  # the form again, with its error
        assert set(codes[4:]) == {429}  # the 5th wrong password locks
        r = self.login(PASSWORD)
        assert r.status_code == 429
        body = r.content.decode()
        assert "登录已暂时锁定" in body and "连续 5 次密码错误" in body and "15 分钟" in body and "bureau" in body
        self.client.cookies["django_language"] = "en"  # the page's language switch works while locked out
        english = self.login(PASSWORD).content.decode()
        assert "Login locked for now" in english and "(5)" in english and "15 minutes" in english
        assert self.logged_in_as() is None

    def test_lockout_is_per_username_and_address(self):
        for i in range(5):
            self.login(f"wrong-{i}")
        assert self.login(PASSWORD).status_code == 429
        # the same user from another address, and another user from this one, still log in
        r = self.login(PASSWORD, ip=OTHER_IP)
        assert r.status_code == 302 and self.logged_in_as() == "bureau"
        self.client.logout()
        assert self.login(PASSWORD, username="viewer").status_code == 302

    def test_after_the_cool_off_the_right_password_works(self):
        for i in range(6):
            self.login(f"wrong-{i}")
        assert self.login(PASSWORD).status_code == 429
        AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
        assert self.login(PASSWORD).status_code == 429, "still inside the 15 minutes"
        AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
        assert self.login(PASSWORD).status_code == 302 and self.logged_in_as() == "bureau"

    def test_a_success_clears_the_count(self):
        for i in range(4):
            self.login(f"wrong-{i}")
        assert self.login(PASSWORD).status_code == 302
        self.client.logout()
        for i in range(4):
            self.login(f"wrong-{i}")
        assert self.login(PASSWORD).status_code == 302

    def test_the_admin_login_is_locked_too(self):
        # /admin/login/ is only reached by someone already logged in (a non-staff user trying an admin's)
        self.client.force_login(self.users["viewer"])
        for i in range(4):
            r = self.login(f"wrong-{i}", username="admin", path="/admin/login/")
            assert r.status_code == 200
        assert self.login("wrong-5", username="admin", path="/admin/login/").status_code == 429
        r = self.login(PASSWORD, username="admin", path="/admin/login/")
        assert r.status_code == 429 and "登录已暂时锁定" in r.content.decode()
        assert self.logged_in_as() == "viewer"

    def test_an_administrator_can_lift_a_lockout(self):
        from django.core.management import call_command

        for i in range(5):
            self.login(f"wrong-{i}")
        assert self.login(PASSWORD).status_code == 429
        call_command("axes_reset_username", "bureau", stdout=io.StringIO())
        assert self.login(PASSWORD).status_code == 302


class PasswordRuleTests(TestCase):
    def codes(self, password, user=None):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return {e.code for e in exc.error_list}
        return set()

    def test_weak_passwords_of_the_issue_are_refused(self):
        assert "password_too_few_character_classes" in self.codes("shuiji2025")
        assert "password_too_short" in self.codes("Laixi@123")
        assert self.codes("shuijijiedao2025") == {"password_too_few_character_classes"}
        assert self.codes("12345678901234") >= {"password_entirely_numeric", "password_too_few_character_classes"}
        assert "password_too_common" in self.codes("password1234")

    def test_strong_passwords_pass(self):
        for pw in ("Shuiji-Dagu-2025", "river outfall 7 Q", "莱西市大沽河Water9"):
            assert self.codes(pw) == set(), pw

    def test_similar_to_the_user_name_is_refused(self):
        user = get_user_model()(username="zhangwei2025", first_name="张伟")
        assert "password_too_similar" in self.codes("Zhangwei2025!", user)

    def test_the_message_is_chinese_first(self):
        with pytest.raises(ValidationError) as exc:
            validate_password("shuijijiedao2025")
        assert exc.value.messages[0].startswith("密码至少要混合") and "at least 3 of" in exc.value.messages[0]

    def test_admin_refuses_a_weak_password_for_a_new_user(self):
        a, b = make_towns()
        self.client.force_login(make_users(a, b)["admin"])
        r = self.client.post("/admin/accounts/user/add/", {
            "username": "newuser", "password1": "shuiji2025", "password2": "shuiji2025", "role": "viewer",
            "usable_password": "true"})
        assert r.status_code == 200 and "密码至少要混合" in r.content.decode()
        assert not get_user_model().objects.filter(username="newuser").exists()

    def test_generated_passwords_pass(self):
        from outfall.accounts.passwords import generate_password

        pws = {generate_password() for _ in range(200)}
        assert len(pws) == 200 and all(self.codes(pw) == set() for pw in pws)

    def test_demo_logins_pass_the_rules(self):
        from outfall.demo.ledger import load

        out = io.StringIO()
        load(stdout=out)
        logins = re.findall(r"^\s+\S+\s+(\S+)\s+(\S+)$", out.getvalue(), flags=re.M)
        assert len(logins) >= 5, out.getvalue()
        User = get_user_model()
        for username, password in logins:
            user = User.objects.get(username=username)
            assert self.codes(password, user) == set(), (username, password)
            assert user.check_password(password)


class SessionTests(TestCase):
    def test_a_login_lasts_eight_hours(self):
        a, b = make_towns()
        make_users(a, b)
        r = self.client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
        assert r.status_code == 302
        cookie = r.cookies[settings.SESSION_COOKIE_NAME]
        assert int(cookie["max-age"]) == 8 * 3600
        assert self.client.session.get_expiry_age() == 8 * 3600


def test_security_settings_follow_the_environment(monkeypatch):
    from outfall.site.security import django_settings

    for name in ("HTTPS", "SESSION_HOURS", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "TOKEN_DAYS", "HSTS_PRELOAD",
                 "LOGIN_FAILURE_LIMIT", "LOGIN_COOLOFF_MINUTES", "PASSWORD_MIN_LENGTH"):
        monkeypatch.delenv(f"OUTFALL_{name}", raising=False)
    s = django_settings()
    assert s["SESSION_COOKIE_AGE"] == 8 * 3600 and s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False
    assert s["OUTFALL_TOKEN_DAYS"] == 90 and s["AXES_FAILURE_LIMIT"] == 5
    assert s["AXES_COOLOFF_TIME"] == dt.timedelta(minutes=15)
    assert "SECURE_SSL_REDIRECT" not in s and "SESSION_COOKIE_SECURE" not in s

    monkeypatch.setenv("OUTFALL_SESSION_HOURS", "2")
    monkeypatch.setenv("OUTFALL_SESSION_EXPIRE_AT_BROWSER_CLOSE", "true")
    monkeypatch.setenv("OUTFALL_HTTPS", "true")
    monkeypatch.setenv("OUTFALL_PASSWORD_MIN_LENGTH", "16")
    s = django_settings()
    assert s["SESSION_COOKIE_AGE"] == 7200 and s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert s["SECURE_SSL_REDIRECT"] and s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] == 31536000 and s["SECURE_HSTS_PRELOAD"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 16}} in s["AUTH_PASSWORD_VALIDATORS"]

    monkeypatch.setenv("OUTFALL_TOKEN_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="OUTFALL_TOKEN_DAYS must be at least 1"):
        django_settings()


def _check_deploy(tmp_path, **env_over):
    # a clean production environment: none of the test run's own settings (the browser tests' conftest
    # sets DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly warns about)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OUTFALL_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"OUTFALL_DATA_DIR": str(tmp_path), "OUTFALL_SECRET_KEY": "k3Y-" + "x7Qp9vZr2mWn" * 5,
                "OUTFALL_ALLOWED_HOSTS": "outfall.example.org", "OUTFALL_DEBUG": "false", **env_over})
    return subprocess.run([sys.executable, "-m", "outfall", "check", "--deploy", "--fail-level", "WARNING"],
                          capture_output=True, text=True, env=env, timeout=120)


def test_check_deploy_is_clean_in_production(tmp_path):
    r = _check_deploy(tmp_path, OUTFALL_HTTPS="true")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout + r.stderr


def test_check_deploy_without_https_names_what_is_missing(tmp_path):
    r = _check_deploy(tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in out, code
