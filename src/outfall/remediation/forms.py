"""Forms of the remediation pages (every value is checked again by the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outfall.accounts.labels import choices
from outfall.accounts.models import Town
from outfall.core.enums import RemediationMeasure, RemediationState

_DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class TaskForm(forms.Form):
    outfall = forms.CharField(label=_("排污口编码"), max_length=40)
    measure = forms.ChoiceField(label=_("整治措施"), choices=choices(RemediationMeasure))
    merge_into = forms.CharField(label=_("并入排污口编码"), max_length=40, required=False,
                                 help_text=_("仅清理合并：并入的排污口"))
    plan = forms.CharField(label=_("整治方案"), widget=forms.Textarea(attrs={"rows": 4}))
    responsible_party = forms.CharField(label=_("责任主体"), max_length=200, required=False,
                                        help_text=_("名称或统一社会信用代码"))
    department = forms.CharField(label=_("责任部门"), max_length=100, required=False)
    start_date = forms.DateField(label=_("开始日期"), **_DATE)
    deadline = forms.DateField(label=_("整改期限"), **_DATE)
    parameter = forms.CharField(label=_("评估指标"), max_length=20, initial="NH3N", required=False,
                                help_text=_("效果评估比较的指标，如 NH3N、氨氮、TP"))


class EditForm(TaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["outfall"]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("进展"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", "—"), *choices(RemediationState)])
    measure = forms.ChoiceField(label=_("整治措施"), required=False, choices=[("", "—"), *choices(RemediationMeasure)])
    town = forms.ModelChoiceField(label=_("镇街"), required=False, queryset=Town.objects.order_by("code"))
    due = forms.ChoiceField(label=_("期限"), required=False,
                            choices=[("", "—"), ("overdue", _("已逾期")), ("due_soon", _("即将到期"))])
