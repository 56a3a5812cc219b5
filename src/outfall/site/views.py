from django.shortcuts import render

from outfall.ledger.models import Outfall
from outfall.ledger.selectors import ledger_counts


def home(request):
    return render(request, "home.html", {"counts": ledger_counts(Outfall.objects.visible_to(request.user))})
