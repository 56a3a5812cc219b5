"""API serializers: read (OutfallSerializer) and write (OutfallWriteSerializer, same rules as import)."""

from __future__ import annotations

from rest_framework import serializers

from outfall.accounts.area import NO_TOWN_MESSAGE, current_area, resolve_town, towns_by_key
from outfall.ledger import columns
from outfall.ledger.models import Outfall
from outfall.ledger.services import party_dicts


class PartySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=18, required=False, allow_null=True, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class OutfallSerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="town.name")
    responsible_parties = serializers.SerializerMethodField()

    class Meta:
        model = Outfall
        fields = ["id", "code", "national_code", "name", "type_l1", "type_l2", "type_l3", "lon", "lat",
                  "original_lon", "original_lat", "original_crs", "address", "town", "receiving_water",
                  "entry_mode", "discharge_regularity", "design_discharge_m3_d", "discharge_nature",
                  "responsible_parties", "status", "approval", "approval_number", "online_monitoring",
                  "video_monitoring", "notes", "cancel_reason", "is_demo", "created_at", "updated_at"]

    def get_responsible_parties(self, obj) -> list[dict]:
        return party_dicts(obj)


class OutfallWriteSerializer(serializers.Serializer):
    """Fields by their English import header; validated by ``columns.clean_row`` like a file row."""

    code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    national_code = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=60)
    name = serializers.CharField(max_length=200)
    category = serializers.CharField(help_text="一级类型 (HJ 1312-2023)")
    subtype = serializers.CharField(required=False, allow_blank=True)
    subtype3 = serializers.CharField(required=False, allow_blank=True)
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    crs = serializers.CharField(required=False, default="WGS84")
    town = serializers.CharField(help_text="镇街名称或代码；留空则取坐标所在的镇街", required=False, allow_blank=True,
                                 default="")
    receiving_water = serializers.CharField(max_length=100)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    entry_mode = serializers.CharField(required=False, allow_blank=True, default="")
    discharge_regularity = serializers.CharField(required=False, allow_blank=True, default="")
    discharge_m3_d = serializers.FloatField(required=False, allow_null=True, min_value=0)
    discharge_nature = serializers.CharField(required=False, allow_blank=True, default="")
    responsible_parties = PartySerializer(many=True, required=False)
    status = serializers.CharField(required=False, default="in_use")
    approval = serializers.CharField(required=False, default="unknown")
    approval_number = serializers.CharField(required=False, allow_blank=True, default="")
    online_monitoring = serializers.BooleanField(required=False, default=False)
    video_monitoring = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        if self.partial and self.instance is not None:
            current = OutfallSerializer(self.instance).data
            base = {c.en: current.get(c.field) for c in columns.COLUMNS if c.field in current}
            base.update({"category": current["type_l1"], "subtype": current["type_l2"],
                         "subtype3": current["type_l3"], "lon": current["original_lon"],
                         "lat": current["original_lat"], "crs": current["original_crs"],
                         "discharge_m3_d": current["design_discharge_m3_d"],
                         "responsible_parties": current["responsible_parties"]})
            data = {**base, **data}
            self.partial = False
        return super().to_internal_value(data)

    def validate(self, attrs):
        raw = {c.field: attrs.get(c.en) for c in columns.COLUMNS if c.kind != "party" and c.en in attrs}
        raw["online_monitoring"] = "是" if attrs.get("online_monitoring") else "否"
        raw["video_monitoring"] = "是" if attrs.get("video_monitoring") else "否"
        parties = attrs.get("responsible_parties") or []
        for key, pk in (("party_names", "name"), ("party_usccs", "uscc"), ("party_industries", "industry"),
                        ("party_contacts", "contact")):
            raw[key] = columns.PARTY_SEP.join((p.get(pk) or "") for p in parties)
        area = current_area()
        data, problems = columns.clean_row(raw, area=area.shape, area_name=area.name)
        res = resolve_town(area, attrs.get("town"), data.get("lon"), data.get("lat"), towns_by_key())
        town = res.town
        problems.extend(res.errors)
        if res.missing and "lon" in data:
            problems.append(("所属镇街", NO_TOWN_MESSAGE))
        if problems:
            by_en = {c.zh: c.en for c in columns.COLUMNS}
            errors: dict[str, list[str]] = {}
            for col, msg in problems:
                errors.setdefault(by_en.get(col, "non_field_errors"), []).append(msg)
            raise serializers.ValidationError(errors)
        data["town"] = town
        data["national_code"] = data.get("national_code") or None
        return data
