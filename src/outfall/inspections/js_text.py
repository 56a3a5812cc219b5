"""The texts the field inspection form's script (``static/inspections/inspect.js``) writes, in the
active language: the page passes ``texts()`` as a JSON block (``inspect-text``), keyed by the Chinese
text, which the script falls back to (docs/development/i18n.md)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

__all__ = ["MESSAGES", "texts"]

#: Every text of inspect.js; placeholders %(name)s are filled in by the script.
MESSAGES = [
    gettext_noop("本机存储已满，请先发送或删除部分照片"),
    gettext_noop("照片已丢失"),
    gettext_noop("快检结果"),
    gettext_noop("现场"),
    gettext_noop("删除"),
    gettext_noop("草稿已保存在本机 %(time)s"),
    gettext_noop("照片 %(n)s 张"),
    gettext_noop("文件 %(name)s 不是可识别的图片"),
    gettext_noop("距台账位置 %(d)s m"),
    gettext_noop("，超过 %(max)s m，请核对是否在该排污口"),
    gettext_noop("此浏览器不支持定位，请手工填写经纬度"),
    gettext_noop("正在定位…"),
    gettext_noop("定位失败: %(error)s（可手工填写经纬度）"),
    gettext_noop("待发送 %(n)s 条巡查记录（联网后自动发送）"),
    gettext_noop("，被退回 %(n)s 条"),
    gettext_noop("被退回：%(reasons)s"),
    gettext_noop("；"),
    gettext_noop("打开修改"),
    gettext_noop("放弃当前草稿，打开被退回的记录？"),
    gettext_noop("在线"),
    gettext_noop("离线：记录保存在本机，联网后自动发送"),
    gettext_noop("被退回的记录已放回表单，请修改后再发送"),
    gettext_noop("登录已过期，请重新登录后再发送"),
    gettext_noop("已发送：%(name)s %(time)s，查看排污口档案"),
    gettext_noop("已加入待发送"),
    gettext_noop("已恢复本机草稿"),
]


def texts() -> dict[str, str]:
    """Each message of :data:`MESSAGES` (the key) in the active language."""
    return {m: gettext(m) for m in MESSAGES}
