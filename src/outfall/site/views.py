from django.shortcuts import render

from outfall.ledger.models import Outfall
from outfall.ledger.selectors import ledger_counts


def home(request):
    return render(request, "home.html", {"counts": ledger_counts(Outfall.objects.visible_to(request.user))})


def not_found(request, exception):
    """404: JSON under /api/ (as the API documents it), Django's page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "未找到 / not found"}, status=404)
    return page_not_found(request, exception)
