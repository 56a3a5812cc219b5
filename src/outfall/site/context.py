from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from outfall.site.nav import NAV


def area(request):
    """Template variables every page uses: the area's name and code, and the navigation."""
    items = []
    english = (get_language() or "").startswith("en")
    for name, zh, en in NAV:
        try:
            items.append({"url": reverse(name), "label": en if english else zh})
        except NoReverseMatch:
            continue
    return {"AREA_NAME": settings.OUTFALL_AREA_NAME, "AREA_CODE": settings.OUTFALL_AREA_CODE, "NAV_ITEMS": items}
