"""Password rules beyond Django's own validators, and a generator of passwords that pass them all.

The validators in force (site/security.py) are Django's user-attribute similarity, minimum length
(``OUTFALL_PASSWORD_MIN_LENGTH``, default 12), common-password and all-numeric checks, plus
:class:`CharacterClassValidator`: at least 3 of the 4 classes lower-case letter, upper-case letter,
digit, other (symbols, spaces, Chinese characters). ``shuiji2025`` (2 classes) and ``Laixi@123``
(9 characters) are refused.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError

__all__ = ["CharacterClassValidator", "character_classes", "generate_password"]

CLASS_NAMES = {"lower": ("小写字母", "lower-case letters"), "upper": ("大写字母", "upper-case letters"),
               "digit": ("数字", "digits"), "other": ("符号或其他字符", "symbols or other characters")}


def character_classes(password: str) -> set[str]:
    """The classes among ``lower``, ``upper``, ``digit``, ``other`` that ``password`` uses.

    >>> sorted(character_classes("shuiji2025"))
    ['digit', 'lower']
    >>> sorted(character_classes("Laixi@123"))
    ['digit', 'lower', 'other', 'upper']
    >>> sorted(character_classes("莱西 river"))
    ['lower', 'other']
    """
    found = set()
    for ch in password:
        if "a" <= ch <= "z":
            found.add("lower")
        elif "A" <= ch <= "Z":
            found.add("upper")
        elif "0" <= ch <= "9":
            found.add("digit")
        else:
            found.add("other")
    return found


class CharacterClassValidator:
    """Refuses a password that mixes fewer than ``min_classes`` of the four character classes."""

    def __init__(self, min_classes: int = 3):
        if not 1 <= min_classes <= 4:
            raise ValueError(f"min_classes must be 1..4, not {min_classes}")
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = character_classes(password)
        if len(used) < self.min_classes:
            raise ValidationError(self._message(), code="password_too_few_character_classes",
                                  params={"min_classes": self.min_classes})

    def _message(self) -> str:
        zh = "、".join(v[0] for v in CLASS_NAMES.values())
        en = ", ".join(v[1] for v in CLASS_NAMES.values())
        return (f"密码至少要混合{zh}中的 {self.min_classes} 类 / "
                f"The password must mix at least {self.min_classes} of: {en}.")

    def get_help_text(self) -> str:
        return self._message()


def generate_password(user=None, *, length: int = 16) -> str:
    """A random password (``length`` URL-safe characters) that passes every validator in force."""
    from django.contrib.auth.password_validation import validate_password

    for _ in range(1000):
        password = secrets.token_urlsafe(length)[:length]
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
    raise RuntimeError("no generated password passed the validators in force; check AUTH_PASSWORD_VALIDATORS")
