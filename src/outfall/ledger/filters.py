"""The ledger filter set, shared by the list page and the API (same filters everywhere)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outfall.accounts.labels import choices
from outfall.accounts.models import Town
from outfall.core.enums import OutfallStatus
from outfall.core.outfall_types import TYPES
from outfall.ledger.models import Outfall
from outfall.ledger.type_names import type_choices


class OutfallFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("编码或名称"), method="search")
    type_l1 = django_filters.ChoiceFilter(label=_("一级类型"), choices=type_choices(TYPES))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=choices(OutfallStatus))
    town = django_filters.ModelChoiceFilter(label=_("镇街"), queryset=Town.objects.all())
    receiving_water = django_filters.CharFilter(label=_("受纳水体"), lookup_expr="icontains")

    class Meta:
        model = Outfall
        fields = ["q", "type_l1", "status", "town", "receiving_water"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(national_code__icontains=value))
