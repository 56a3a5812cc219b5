"""The form that adds a discharge limit on the outfall's page (checked again by the service)."""

from __future__ import annotations

from django import forms

from outfall.alerts.models import BASIS_CHOICES, KIND_CHOICES


class LimitForm(forms.Form):
    parameter = forms.CharField(label="指标 / parameter", max_length=20, help_text="如 COD、氨氮、NH3N")
    limit = forms.CharField(label="限值 / limit", max_length=40)
    unit = forms.CharField(label="单位 / unit", max_length=16, initial="mg/L")
    kind = forms.ChoiceField(label="类型 / kind", choices=KIND_CHOICES, initial="max")
    basis = forms.ChoiceField(label="依据 / basis", choices=BASIS_CHOICES, initial="sample")
    valid_from = forms.DateField(label="起始日期 / from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label="截止日期 / to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
