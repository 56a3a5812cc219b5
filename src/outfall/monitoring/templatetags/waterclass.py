"""Template filters: a water class badge in the national colours, a parameter's Chinese name."""

from django import template
from django.utils.html import format_html

from outfall.core.enums import WaterClass
from outfall.core.standards.parameters import registry

register = template.Library()


@register.filter
def class_badge(cls):
    """The badge of a class; None, or '' (what a template passes when ``ev`` itself is None), is 无数据."""
    if cls is None or cls == "":
        return format_html('<span class="badge" style="background:#999">{}</span>', "无数据")
    cls = cls if isinstance(cls, WaterClass) else WaterClass.parse(cls)
    fg = "#222" if cls in (WaterClass.IV,) else "#fff"
    return format_html('<span class="badge" style="background:{};color:{}">{}</span>', cls.colour, fg, cls.label)


@register.filter
def param_name(code):
    p = registry().get(code)
    return p.name_zh if p else code


@register.filter
def pollutants(ev):
    """'氨氮(0.62)、总磷(0.55)': main pollutants with their multiple over class III (§2.5)."""
    if ev is None:
        return ""
    reg = registry()
    return "、".join(f"{reg[c].name_zh}({ev.exceedance[c]})" if c in ev.exceedance else reg[c].name_zh
                     for c in ev.main_pollutants)


@register.filter
def get_item(d, key):
    return d.get(key)
