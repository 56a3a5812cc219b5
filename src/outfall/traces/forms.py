"""Forms of the trace pages (every value is checked again by the services)."""

from __future__ import annotations

from django import forms

from outfall.traces.models import TASK_RESULTS


class TraceForm(forms.Form):
    section = forms.IntegerField(widget=forms.HiddenInput)
    parameter = forms.CharField(label="指标 / parameter", max_length=20, initial="NH3N", help_text="如 NH3N、氨氮、TP",
                                widget=forms.TextInput(attrs={"list": "trace-parameters"}))
    at = forms.DateTimeField(label="时间 / time", required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                             input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                             help_text="空：最近一次超标或最新读数 / empty: the latest exceedance or reading")
    decay_per_day = forms.FloatField(label="衰减系数 (1/d) / decay", required=False, min_value=0,
                                     help_text="空：按指标默认值 / empty: the parameter's default")


class TaskForm(forms.Form):
    assignee = forms.IntegerField(label="核查人 / assignee", required=False)
    deadline = forms.DateField(label="期限 / deadline", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明 / note", required=False, max_length=500)


class CompleteForm(forms.Form):
    result = forms.ChoiceField(label="核查结果 / result", choices=TASK_RESULTS)
    note = forms.CharField(label="说明 / note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
