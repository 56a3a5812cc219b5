"""Template filters: a water class badge in the national colours, a parameter's name, the grades of
the national evaluation method, each in the user's language."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, gettext_noop, pgettext_lazy

from outfall.accounts.labels import label_of
from outfall.core.enums import WaterClass
from outfall.core.standards.parameters import registry

register = template.Library()

#: The grades the core returns (环办〔2011〕22号 §2.3, §2.8), marked for the catalogue.
GRADES = (gettext_noop("优"), gettext_noop("良好"), gettext_noop("轻度污染"), gettext_noop("中度污染"),
          gettext_noop("重度污染"), gettext_noop("贫营养"), gettext_noop("中营养"), gettext_noop("轻度富营养"),
          gettext_noop("中度富营养"), gettext_noop("重度富营养"))
NO_DATA = pgettext_lazy("water class", "无数据")


def _english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def class_badge(cls):
    """The badge of a class; None, or '' (what a template passes when ``ev`` itself is None), is 无数据."""
    if cls is None or cls == "":
        return format_html('<span class="badge" style="background:#999">{}</span>', NO_DATA)
    cls = cls if isinstance(cls, WaterClass) else WaterClass.parse(cls)
    fg = "#222" if cls in (WaterClass.IV,) else "#fff"
    return format_html('<span class="badge" style="background:{};color:{}">{}</span>', cls.colour, fg, label_of(cls))


@register.filter
def param_name(code):
    p = registry().get(code)
    if p is None:
        return code
    return p.name_en if _english() else p.name_zh


@register.filter
def param_names(codes):
    """Parameter names joined as the language writes a list: 氨氮、总磷 / Ammonia nitrogen, Total phosphorus."""
    return (", " if _english() else "、").join(param_name(c) for c in codes or ())


@register.filter
def water_status(grade):
    """A grade of the evaluation method (优 … 重度污染, 贫营养 … 重度富营养) in the user's language."""
    return gettext(grade) if grade else ""


@register.filter
def pollutants(ev):
    """'氨氮(0.62)、总磷(0.55)': main pollutants with their multiple over class III (§2.5)."""
    if ev is None:
        return ""
    sep = ", " if _english() else "、"
    return sep.join(f"{param_name(c)}({ev.exceedance[c]})" if c in ev.exceedance else param_name(c)
                    for c in ev.main_pollutants)


@register.filter
def get_item(d, key):
    return d.get(key)
