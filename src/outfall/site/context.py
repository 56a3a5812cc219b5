from django.conf import settings
from django.urls import NoReverseMatch, reverse

from outfall.site.nav import NAV


def area(request):
    """Template variables every page uses: the area's name and code, and the navigation the user may use."""
    items = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        for name, label, may in NAV:
            if may is not None and not may(user):
                continue
            try:
                items.append({"url": reverse(name), "label": label, "name": name})
            except NoReverseMatch:
                continue
    return {"AREA_NAME": settings.OUTFALL_AREA_NAME, "AREA_CODE": settings.OUTFALL_AREA_CODE, "NAV_ITEMS": items}
