"""Forms of the trace pages (every value is checked again by the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outfall.traces.models import TASK_RESULTS


class TraceForm(forms.Form):
    section = forms.IntegerField(widget=forms.HiddenInput)
    parameter = forms.CharField(label=_("指标"), max_length=20, initial="NH3N", help_text=_("如 NH3N、氨氮、TP"),
                                widget=forms.TextInput(attrs={"list": "trace-parameters"}))
    at = forms.DateTimeField(label=_("时间"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                             input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                             help_text=_("空：最近一次超标或最新读数"))
    decay_per_day = forms.FloatField(label=_("衰减系数 (1/d)"), required=False, min_value=0,
                                     help_text=_("空：按指标默认值"))


class TaskForm(forms.Form):
    assignee = forms.IntegerField(label=_("核查人"), required=False)
    deadline = forms.DateField(label=_("期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class CompleteForm(forms.Form):
    result = forms.ChoiceField(label=_("核查结果"), choices=TASK_RESULTS)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
