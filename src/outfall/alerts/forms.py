"""The form that adds a discharge limit on the outfall's page (checked again by the service)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outfall.alerts.models import BASIS_CHOICES, KIND_CHOICES


class LimitForm(forms.Form):
    parameter = forms.CharField(label=_("指标"), max_length=20, help_text=_("如 COD、氨氮、NH3N"))
    limit = forms.CharField(label=_("限值"), max_length=40)
    unit = forms.CharField(label=_("单位"), max_length=16, initial="mg/L")
    kind = forms.ChoiceField(label=_("类型"), choices=KIND_CHOICES, initial="max")
    basis = forms.ChoiceField(label=_("依据"), choices=BASIS_CHOICES, initial="sample")
    valid_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
