"""HJ 1312-2023 outfall classification, levels 1–3 (standards.md §3.2), plus "not yet determined".

The tree is data: ``TYPES`` maps level-1 name → level-2 name → tuple of level-3 names.
Each level-1 type has a one-letter code used by the default internal code generator.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TYPES", "L1_LETTERS", "L1_COLOURS", "UNDETERMINED", "OutfallType", "validate_type", "l1_letter"]

UNDETERMINED = "暂无法确定"

TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "工业排污口": {
        "工矿企业排污口": ("工业企业排污口", "矿山排污口", "尾矿库排污口"),
        "工矿企业雨洪排口": ("工业企业雨洪排口", "矿山雨洪排口", "尾矿库雨洪排口"),
        "工业及其他各类园区污水处理厂排污口": (),
        "工业及其他各类园区污水处理厂雨洪排口": (),
    },
    "城镇污水处理厂排污口": {"城镇污水处理厂排污口": ()},
    "农业排口": {"规模化畜禽养殖排污口": (), "规模化水产养殖排污口": ()},
    "其他排口": {
        "大中型灌区排口": (),
        "港口码头排口": (),
        "规模以下畜禽养殖排污口": (),
        "规模以下水产养殖排污口": (),
        "城镇生活污水散排口": (),
        "农村污水处理设施排污口": (),
        "农村生活污水散排口": (),
        "城镇雨洪排口": (),
        "其他": (),
    },
    UNDETERMINED: {},
}

#: Letters of the default internal code (design, not a standard: standards.md §4).
L1_LETTERS = {"工业排污口": "G", "城镇污水处理厂排污口": "C", "农业排口": "N", "其他排口": "Q", UNDETERMINED: "W"}

#: Map colours by level-1 type.
L1_COLOURS = {"工业排污口": "#C0392B", "城镇污水处理厂排污口": "#2471A3", "农业排口": "#239B56",
              "其他排口": "#7D3C98", UNDETERMINED: "#7F8C8D"}

_L1_EN = {"工业排污口": "industrial", "城镇污水处理厂排污口": "municipal WWTP", "农业排口": "agricultural",
          "其他排口": "other", UNDETERMINED: "undetermined"}


@dataclass(frozen=True)
class OutfallType:
    l1: str
    l2: str = ""
    l3: str = ""

    @property
    def label(self) -> str:
        return " / ".join(x for x in (self.l1, self.l2, self.l3) if x)

    @property
    def label_en(self) -> str:
        return _L1_EN[self.l1]


def validate_type(l1: str, l2: str = "", l3: str = "") -> OutfallType:
    """Check a (level 1, level 2, level 3) triple against HJ 1312-2023 and return it.

    Level 2 may be empty (type known only at level 1); level 3 may be empty, and must be empty where
    the level-2 type has no level 3.

    Examples
    --------
    >>> validate_type("工业排污口", "工矿企业排污口", "矿山排污口").label
    '工业排污口 / 工矿企业排污口 / 矿山排污口'
    >>> validate_type("农业排口", "矿山排污口")
    Traceback (most recent call last):
    ...
    ValueError: 二级类型「矿山排污口」不属于「农业排口」
    """
    l1, l2, l3 = (l1 or "").strip(), (l2 or "").strip(), (l3 or "").strip()
    if l1 not in TYPES:
        raise ValueError(f"一级类型「{l1}」不在 HJ 1312-2023 分类中")
    if not l2:
        if l3:
            raise ValueError("填写了三级类型但缺少二级类型")
        return OutfallType(l1)
    if l2 not in TYPES[l1]:
        raise ValueError(f"二级类型「{l2}」不属于「{l1}」")
    if l3 and l3 not in TYPES[l1][l2]:
        raise ValueError(f"三级类型「{l3}」不属于「{l2}」")
    return OutfallType(l1, l2, l3)


def l1_letter(l1: str) -> str:
    return L1_LETTERS[l1]
