"""Forms of the case pages (every value is checked again by the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outfall.accounts.labels import choices
from outfall.accounts.models import Town
from outfall.cases.models import Campaign
from outfall.core.enums import CaseResult, CaseSource, ComplaintChannel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseForm(forms.Form):
    source = forms.ChoiceField(label=_("来源"), choices=choices(CaseSource))
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(label=_("问题描述"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    batch = forms.CharField(label=_("批次"), max_length=40, required=False)
    number = forms.CharField(label=_("编号"), max_length=60, required=False, help_text=_("空：自动编号"))
    problem_type = forms.CharField(label=_("问题类型"), max_length=60, required=False)
    intake_date = forms.DateField(label=_("受理日期"), required=False, widget=DATE, help_text=_("空：今天"))
    deadline = forms.DateField(label=_("办理期限"), required=False, widget=DATE, help_text=_("空：按来源默认期限"))
    channel = forms.ChoiceField(label=_("信访渠道"), choices=[("", "—"), *choices(ComplaintChannel)], required=False)
    complainant_name = forms.CharField(label=_("信访人"), max_length=60, required=False)
    complainant_contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)
    campaign = forms.ModelChoiceField(label=_("专项执法检查"), queryset=Campaign.objects.all(), required=False)
    towns = forms.ModelMultipleChoiceField(label=_("涉及镇街"), queryset=Town.objects.all(), required=False)
    outfalls = forms.CharField(label=_("涉及排污口编码"), required=False, help_text=_("多个用「、」或逗号分隔"))
    sections = forms.CharField(label=_("涉及断面编码"), required=False, help_text=_("多个用「、」或逗号分隔"))


class AssignForm(forms.Form):
    town = forms.ModelChoiceField(label=_("承办镇街"), queryset=Town.objects.all(), required=False)
    department = forms.CharField(label=_("承办部门"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("证明材料"), required=False, help_text=_("图片、PDF、Word 或 Excel"))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("答复日期"), required=False, widget=DATE, help_text=_("空：今天"))


class CloseForm(forms.Form):
    result = forms.ChoiceField(label=_("办理结果"), choices=choices(CaseResult))
    note = forms.CharField(label=_("办结说明"), max_length=500, required=False)
    on = forms.DateField(label=_("办结日期"), required=False, widget=DATE, help_text=_("空：今天"))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新办理原因"), max_length=500)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    start_date = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    end_date = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件"))
