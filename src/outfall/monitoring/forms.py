"""The section form (create, edit, move). Validation is the importer's (``columns.clean_section_row``):
one rule, two doors; the change itself is ``services.create_section`` / ``update_section``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outfall.accounts.area import current_area, town_from_point
from outfall.accounts.labels import choices
from outfall.accounts.models import Town
from outfall.core.enums import SectionLevel, WaterClass, WaterType
from outfall.core.standards import default_water_type
from outfall.monitoring import columns

#: Form field that a (column, message) problem of ``clean_section_row`` belongs to.
_FIELD_OF_COLUMN = {"断面编码": "code", "断面名称": "name", "经度": "original_lon", "纬度": "original_lat",
                    "坐标系": "original_crs", "水质目标": "target_class", "水体类型": "water_type", "级别": "level",
                    "所在河流": "river", "备注": "notes"}


class SectionForm(forms.Form):
    code = forms.CharField(label=_("断面编码"), max_length=40)
    name = forms.CharField(label=_("断面名称"), max_length=100)
    level = forms.ChoiceField(label=_("级别"), choices=choices(SectionLevel), initial=SectionLevel.MUNICIPAL.value)
    water_type = forms.ChoiceField(label=_("水体类型"), choices=choices(WaterType), initial=WaterType.RIVER.value)
    target_class = forms.ChoiceField(label=_("水质目标"), initial=WaterClass.III.value,
                                     choices=[c for c in choices(WaterClass) if c[0] != WaterClass.WORSE_V.value])
    river = forms.CharField(label=_("所在河流"), max_length=100, required=False)
    original_lon = forms.FloatField(label=_("经度"), help_text=_("度"))
    original_lat = forms.FloatField(label=_("纬度"), help_text=_("度"))
    original_crs = forms.ChoiceField(label=_("坐标系"), choices=[(c, c) for c in ("WGS84", "CGCS2000", "GCJ02", "BD09")])
    town = forms.ModelChoiceField(label=_("所属镇街"), queryset=Town.objects.all(), required=False,
                                  help_text=_("留空则取坐标所在的镇街 (需已导入镇街边界)"))
    automatic_station = forms.BooleanField(label=_("自动站"), required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, section=None, **kwargs):
        self.section = section
        if section is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(section, f) for f in self.base_fields if f != "town"} | {
                "town": section.town_id}
        super().__init__(*args, **kwargs)
        if section is not None:
            self.fields["code"].disabled = True  # the code is the section's key (imports, readings)

    def clean(self):
        cd = super().clean()
        if cd.get("original_lon") is None or cd.get("original_lat") is None or self.errors:
            return cd
        raw = {f: cd.get(f) for f in columns.BY_FIELD if f in cd and f != "town"}
        raw["automatic_station"] = "是" if cd.get("automatic_station") else "否"
        area = current_area()
        data, problems = columns.clean_section_row(raw, area=area.shape, area_name=area.name,
                                                   default_water_type=default_water_type)
        for col, msg in problems:
            field = _FIELD_OF_COLUMN.get(col)
            self.add_error(field if field in self.fields and field not in self.errors else None, msg)
        town = cd.get("town")
        if town is None and "lon" in data:
            town = town_from_point(area, data["lon"], data["lat"])  # none is fine for a section
        data["town"] = town
        data["notes"] = data.get("notes") or ""
        data["river"] = data.get("river") or ""
        self.section_data = data
        return cd
