"""Forms of the ledger. Validation is the importer's (``columns.clean_row``): one rule, two doors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outfall.accounts import permissions
from outfall.accounts.area import NO_TOWN_MESSAGE, current_area, town_from_point
from outfall.accounts.labels import choices
from outfall.accounts.models import Town
from outfall.core.enums import (
    ApprovalState,
    DischargeNature,
    DischargeRegularity,
    EntryMode,
    OutfallStatus,
)
from outfall.core.outfall_types import TYPES
from outfall.ledger import columns
from outfall.ledger.models import Photo
from outfall.ledger.type_names import type_choices

_BLANK = [("", "—")]
_L2 = sorted({l2 for sub in TYPES.values() for l2 in sub})
_L3 = sorted({l3 for sub in TYPES.values() for l3s in sub.values() for l3 in l3s})
_ZH_TO_FIELD = {c.zh: c.field for c in columns.COLUMNS} | {"经度": "original_lon", "纬度": "original_lat"}
_FORM_FIELD = {"party_names": "parties", "party_usccs": "parties", "party_industries": "parties",
               "party_contacts": "parties"}


class OutfallForm(forms.Form):
    code = forms.CharField(label=_("排污口编码"), required=False, max_length=40, help_text=_("留空则自动生成"))
    national_code = forms.CharField(label=_("国家平台编码"), required=False, max_length=60)
    name = forms.CharField(label=_("排污口名称"), max_length=200)
    type_l1 = forms.ChoiceField(label=_("一级类型"), choices=type_choices(TYPES))
    type_l2 = forms.ChoiceField(label=_("二级类型"), choices=_BLANK + type_choices(_L2), required=False)
    type_l3 = forms.ChoiceField(label=_("三级类型"), choices=_BLANK + type_choices(_L3), required=False)
    original_lon = forms.FloatField(label=_("经度"), help_text=_("度"))
    original_lat = forms.FloatField(label=_("纬度"), help_text=_("度"))
    original_crs = forms.ChoiceField(label=_("坐标系"), choices=[(c, c) for c in ("WGS84", "CGCS2000", "GCJ02", "BD09")])
    town = forms.ModelChoiceField(label=_("所属镇街"), queryset=Town.objects.none(), required=False,
                                  help_text=_("留空则取坐标所在的镇街 (需已导入镇街边界)"))
    receiving_water = forms.CharField(label=_("受纳水体"), max_length=100)
    address = forms.CharField(label=_("地址"), required=False, max_length=300)
    entry_mode = forms.ChoiceField(label=_("入河方式"), choices=_BLANK + choices(EntryMode), required=False)
    discharge_regularity = forms.ChoiceField(label=_("排放规律"), choices=_BLANK + choices(DischargeRegularity),
                                             required=False)
    design_discharge_m3_d = forms.FloatField(label=_("设计排放量(m³/d)"), required=False, min_value=0)
    discharge_nature = forms.ChoiceField(label=_("排放性质"), choices=_BLANK + choices(DischargeNature), required=False)
    parties = forms.CharField(label=_("责任主体"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("每行一个: 名称 | 统一社会信用代码 | 所属行业 | 联系人及电话"))
    status = forms.ChoiceField(label=_("状态"), choices=[c for c in choices(OutfallStatus) if c[0] != "cancelled"])
    approval = forms.ChoiceField(label=_("设置审批/备案"), choices=choices(ApprovalState))
    approval_number = forms.CharField(label=_("审批/备案文号"), required=False, max_length=100)
    online_monitoring = forms.BooleanField(label=_("在线监测"), required=False)
    video_monitoring = forms.BooleanField(label=_("视频监控"), required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        towns = permissions.editable_town_ids(user)
        qs = Town.objects.all()
        self.fields["town"].queryset = qs if towns is None else qs.filter(pk__in=towns)

    @staticmethod
    def initial_from(outfall, parties: list[dict]) -> dict:
        data = {f: getattr(outfall, f) for f in OutfallForm.base_fields if hasattr(outfall, f) and f != "parties"}
        data["town"] = outfall.town_id
        data["parties"] = "\n".join(" | ".join([p["name"], p["uscc"] or "", p["industry"], p["contact"]]).rstrip(" |")
                                    for p in parties)
        return data

    def clean(self):
        cd = super().clean()
        if cd.get("original_lon") is None or cd.get("original_lat") is None or not cd.get("type_l1"):
            return cd  # the field errors already say what is missing
        raw = {f: cd.get(f) for f in columns.BY_FIELD if f in cd and f not in ("town",)}
        lines = [ln for ln in (cd.get("parties") or "").splitlines() if ln.strip()]
        cells = [[c.strip() for c in ln.split("|")] + ["", "", "", ""] for ln in lines]
        for i, key in enumerate(("party_names", "party_usccs", "party_industries", "party_contacts")):
            raw[key] = columns.PARTY_SEP.join(c[i] for c in cells)
        raw = {k: ("" if v is None and columns.BY_FIELD[k].kind not in ("float", "coord") else v) for k, v in raw.items()}
        raw["online_monitoring"] = "是" if cd.get("online_monitoring") else "否"
        raw["video_monitoring"] = "是" if cd.get("video_monitoring") else "否"
        area = current_area()
        data, problems = columns.clean_row(raw, area=area.shape, area_name=area.name)
        for col, msg in problems:
            field = _ZH_TO_FIELD.get(col, None)
            field = _FORM_FIELD.get(field, field)
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, msg)
        town = cd.get("town")
        if town is None and "lon" in data:
            town = town_from_point(area, data["lon"], data["lat"])
            if town is None:
                self.add_error("town", NO_TOWN_MESSAGE)
            elif not self.fields["town"].queryset.filter(pk=town.pk).exists():
                self.add_error("town", gettext("坐标所在镇街「%(town)s」不在你可编辑的范围内") % {"town": town.name})
        data["town"] = town
        data["national_code"] = data.get("national_code") or None
        self.outfall_data = data
        return cd


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("注销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("照片 (JPEG/PNG/WebP)"))
    kind = forms.ChoiceField(label=_("照片类型"), choices=Photo.KIND_CHOICES)
    caption = forms.CharField(label=_("说明"), required=False, max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("台账文件 (.xlsx / .csv)"))
