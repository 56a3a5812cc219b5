"""The labels of the core's enumerations in the user's language (STYLE rule 6: each member carries
its Chinese and English label; the core knows nothing of requests or languages).

``choices(EnumClass)`` is the Django-side twin of :func:`outfall.core.enums.choices`: the same
values, with labels that are read when shown, in the active language (English when it is ``en``,
Chinese otherwise). With translations off (``makemigrations``, ``migrate``) the Chinese label is
used, so the migration state never changes with the language.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language

__all__ = ["choices", "label_of"]


def label_of(member) -> str:
    """The label of an enum member (``LabeledEnum``) in the active language."""
    return member.label_en if (get_language() or "").startswith("en") else member.label


_lazy_label = lazy(label_of, str)


def choices(enum_cls) -> list[tuple[str, str]]:
    """Django ``choices`` of a ``LabeledEnum``: (value, label in the language of the moment it is shown)."""
    return [(m.value, _lazy_label(m)) for m in enum_cls]
