from django.conf import settings


def area(request):
    """Template variables every page uses: the area's name and code."""
    return {"AREA_NAME": settings.OUTFALL_AREA_NAME, "AREA_CODE": settings.OUTFALL_AREA_CODE}
