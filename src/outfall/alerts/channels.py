"""Notification channels: a registry of short name → dotted path (STYLE rule 10).

Each channel is ``send(channel, message) -> int | None``: it sends ``message`` (``title``, ``text``
in Markdown, ``alert`` as a dict) and returns the HTTP status (None for e-mail), or raises
:class:`ChannelError`. Any dotted path is accepted as a kind too, so a third-party channel plugs in
the same way the built-ins do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import EmailValidator, URLValidator

from outfall.core.errors import InputError

#: Built-in channels; any other dotted path works as a kind too.
CHANNELS = {
    "email": "outfall.alerts.channels.send_email",
    "webhook": "outfall.alerts.channels.send_webhook",
    "wecom": "outfall.alerts.channels.send_wecom",
    "dingtalk": "outfall.alerts.channels.send_dingtalk",
}
TIMEOUT_S = 10
DINGTALK_SECRET = re.compile(r"^SEC[0-9A-Za-z]{16,128}$")


class ChannelError(Exception):
    """A send that failed; ``http_status`` when the receiver answered."""

    def __init__(self, message: str, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


def load_channel(kind: str):
    """The send function of ``kind`` (a registered name or a dotted path)."""
    path = CHANNELS.get(kind, kind)
    module, _, name = path.rpartition(".")
    if not module:
        raise ChannelError(f"未知的通知渠道 / unknown channel: {kind}")
    return getattr(importlib.import_module(module), name)


def split_recipients(text: str) -> list[str]:
    return [r for r in re.split(r"[\s,;，；]+", text or "") if r]


def validate_channel(kind: str, url: str, secret: str, recipients: str) -> None:
    """Refuse a channel that cannot work: unknown kind, a URL that is not http(s), a DingTalk secret
    not of the form SEC…, an e-mail channel without valid addresses (messages in Chinese and English)."""
    problems = []
    if kind not in CHANNELS:
        problems.append(f"未知的渠道类型「{kind}」/ unknown channel kind, one of {', '.join(CHANNELS)}")
    if kind == "email":
        addrs = split_recipients(recipients)
        if not addrs:
            problems.append("电子邮件渠道须填写收件人 / an e-mail channel needs recipients")
        for a in addrs:
            try:
                EmailValidator()(a)
            except ValidationError:
                problems.append(f"无效的电子邮件地址「{a}」/ invalid e-mail address")
    elif kind in CHANNELS:
        try:
            URLValidator(schemes=["http", "https"])(url or "")
        except ValidationError:
            problems.append(f"地址须为 http(s) URL「{url}」/ the URL must be http or https")
    if kind == "dingtalk" and secret and not DINGTALK_SECRET.match(secret):
        problems.append("钉钉加签密钥应以 SEC 开头 / a DingTalk signing secret starts with SEC")
    if problems:
        raise InputError("; ".join(problems), user_message="；".join(problems))


def _post_json(url: str, payload: dict) -> int:
    req = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                 headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            status, body = resp.status, resp.read(4096)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}", exc.code) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChannelError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None
    try:  # the group bots answer 200 with {"errcode": n, "errmsg": ...} on refusal
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
        raise ChannelError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}", status)
    return status


def send_email(channel, message: dict) -> None:
    try:
        send_mail(message["title"], message["text"], settings.DEFAULT_FROM_EMAIL, split_recipients(channel.recipients))
    except OSError as exc:
        raise ChannelError(f"SMTP: {exc}") from None


def send_webhook(channel, message: dict) -> int:
    return _post_json(channel.url, {"title": message["title"], "text": message["text"], "alert": message["alert"]})


def send_wecom(channel, message: dict) -> int:
    """企业微信群机器人: a markdown message."""
    return _post_json(channel.url, {"msgtype": "markdown", "markdown": {"content": message["text"]}})


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded.

    >>> dingtalk_sign("SECabc", 1700000000000)
    'jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D'
    """
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def send_dingtalk(channel, message: dict) -> int:
    """钉钉群机器人: a markdown message, signed when the channel has a secret."""
    url = channel.url
    if channel.secret:
        ts = int(time.time() * 1000)
        url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={dingtalk_sign(channel.secret, ts)}"
    return _post_json(url, {"msgtype": "markdown", "markdown": {"title": message["title"], "text": message["text"]}})
