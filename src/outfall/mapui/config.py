"""What the map page hands its script: layers, colours, symbols and every label in the user's
language (field labels through gettext, enumeration values through their own zh/en labels)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.core.enums import OutfallStatus, SectionLevel, WaterClass
from outfall.core.outfall_types import L1_COLOURS, TYPES, UNDETERMINED, OutfallType

#: Level-1 type → marker shape (the type is the symbol, the status the colour).
TYPE_SYMBOLS = {"工业排污口": "square", "城镇污水处理厂排污口": "triangle", "农业排口": "diamond",
                "其他排口": "circle", UNDETERMINED: "star"}

#: Rivers offered in the river filter's list (any name can still be typed).
MAX_RIVER_CHOICES = 300


def _english() -> bool:
    return (get_language() or "").startswith("en")


_lab = label_of


def fields() -> dict:
    """Popup and panel labels, keyed by the short property names of the layers."""
    return {"c": _("编码"), "t": _("类型"), "s": _("状态"), "tw": _("镇街"), "rw": _("受纳水体"),
            "cl": _("最新水质类别"), "tg": _("水质目标"), "ok": _("达标"), "time": _("监测时间"), "lv": _("级别"),
            "r": _("河流"), "al": _("预警"), "km": _("长度 (km)"),
            "yes": _("是"), "nodata": _("无数据"), "alerting": _("有未处理预警"),
            "offtarget": _("未达标"), "file": _("打开排污口档案"), "sectionPage": _("打开断面页面"),
            "upstream": _("上游"), "downstream": _("下游"), "distance": _("距离"), "travel": _("传播时间"),
            "hours": _("小时"), "reaches": _("河段"), "riverKm": _("河长 (km)"), "sites": _("沿线排污口和断面"),
            "outfall": _("排污口"), "section": _("断面"), "prev": _("上一页"), "next": _("下一页"),
            "cluster": _("个排污口，放大查看"), "clear": _("清除"),
            "nearest": _("最近的排污口"), "locateFailed": _("无法定位"),
            "youAreHere": _("您的位置"), "flow": _("水流方向"), "lake": _("湖泊/水库"), "river": _("河流"),
            "town": _("镇街边界"), "classLegend": _("断面水质类别 (GB 3838-2002)"), "typeLegend": _("排口类型 (符号)"),
            "statusLegend": _("排口状态 (颜色)"), "shown": _("当前显示"), "noResult": _("未找到")}


def page_config(request, *, bbox, available: dict) -> dict:
    """The JSON the map page embeds (see mapui/static/mapui/map.js)."""
    from outfall.accounts.models import Town
    from outfall.monitoring.models import Section
    from outfall.rivers.models import River

    english = _english()
    rivers = sorted(set(River.objects.values_list("name", flat=True)[:MAX_RIVER_CHOICES])
                    | set(Section.objects.exclude(river="").values_list("river", flat=True)[:MAX_RIVER_CHOICES]))
    return {
        "bbox": bbox,
        "tileUrl": settings.OUTFALL_TILE_URL, "tileAttribution": settings.OUTFALL_TILE_ATTRIBUTION,
        "layers": [{"name": n, "label": en if english else zh} for n, (_p, zh, en) in available.items()],
        "types": [{"value": t, "label": OutfallType(t).label_en if english else t,
                   "symbol": TYPE_SYMBOLS.get(t, "circle"), "colour": L1_COLOURS.get(t, "#555")} for t in TYPES],
        "statuses": [{"value": s.value, "label": _lab(s), "colour": s.colour} for s in OutfallStatus],
        "classes": [{"value": c.value, "label": _lab(c), "colour": c.colour} for c in WaterClass],
        "levels": {lv.value: _lab(lv) for lv in SectionLevel},
        "towns": list(Town.objects.order_by("code").values("id", "name")),
        "rivers": rivers,
        "fields": fields(),
    }
