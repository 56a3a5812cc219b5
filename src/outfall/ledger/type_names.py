"""The HJ 1312-2023 outfall type names (``outfall.core.outfall_types.TYPES``) in the user's language.

The stored values stay the standard's Chinese names (imports and exports speak them); what a page
shows goes through the catalogue. ``NAMES`` marks every name for ``makemessages``; a test checks
that it covers the whole tree.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

__all__ = ["NAMES", "type_name", "type_choices"]

NAMES = (
    gettext_noop("工业排污口"), gettext_noop("工矿企业排污口"), gettext_noop("工业企业排污口"),
    gettext_noop("矿山排污口"), gettext_noop("尾矿库排污口"), gettext_noop("工矿企业雨洪排口"),
    gettext_noop("工业企业雨洪排口"), gettext_noop("矿山雨洪排口"), gettext_noop("尾矿库雨洪排口"),
    gettext_noop("工业及其他各类园区污水处理厂排污口"), gettext_noop("工业及其他各类园区污水处理厂雨洪排口"),
    gettext_noop("城镇污水处理厂排污口"), gettext_noop("农业排口"), gettext_noop("规模化畜禽养殖排污口"),
    gettext_noop("规模化水产养殖排污口"), gettext_noop("其他排口"), gettext_noop("大中型灌区排口"),
    gettext_noop("港口码头排口"), gettext_noop("规模以下畜禽养殖排污口"), gettext_noop("规模以下水产养殖排污口"),
    gettext_noop("城镇生活污水散排口"), gettext_noop("农村污水处理设施排污口"), gettext_noop("农村生活污水散排口"),
    gettext_noop("城镇雨洪排口"), gettext_noop("其他"), gettext_noop("暂无法确定"),
)


def type_name(name: str | None) -> str:
    """A type name of the tree in the active language (an unknown text as it is)."""
    return gettext(name) if name else ""


_lazy_name = lazy(type_name, str)


def type_choices(names) -> list[tuple[str, str]]:
    """Django ``choices`` of type names: the stored Chinese name, shown in the language of the moment."""
    return [(n, _lazy_name(n)) for n in names]
