"""The network page: validation report, navigation from a section/outfall/reach, the sites' snaps,
and the river file upload."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from outfall.accounts import permissions
from outfall.core.errors import OutfallError, PermissionDeniedError
from outfall.core.limits import check_zip
from outfall.rivers.models import Reach, Snap
from outfall.rivers.navigation import navigate_from
from outfall.rivers.selectors import current_report
from outfall.rivers.services import import_rivers

#: Navigation rows listed on the page (nearest first); the API returns them all.
PAGE_ROWS = 1000


class NavigateForm(forms.Form):
    start = forms.CharField(label="起点 (断面/排污口编码、河段编号或 经度,纬度)", max_length=100)
    mode = forms.ChoiceField(label="方式", choices=[("UT", "上游全部 UT"), ("UM", "上游干流 UM"),
                                                   ("DM", "下游干流 DM"), ("DD", "下游全部 DD")])
    max_km = forms.FloatField(label="最大距离 (km)", required=False, min_value=0)
    max_hours = forms.FloatField(label="最大传播时间 (h)", required=False, min_value=0)


class RiverFileForm(forms.Form):
    file = forms.FileField(label="河网文件 (.geojson / .gpkg / .zip 内含 .shp)")
    crs = forms.CharField(label="坐标系 (文件未声明时)", required=False, max_length=60)


def network_page(request):
    ctx = {"reaches": Reach.objects.count(), "form": NavigateForm(request.GET or None), "upload": RiverFileForm(),
           "can_import": permissions.editable_town_ids(request.user) is None}
    if ctx["reaches"]:
        ctx["report"] = current_report()
    if request.GET and ctx["form"].is_valid():
        cd = ctx["form"].cleaned_data
        try:
            _net, ctx["start_desc"], ctx["steps"] = navigate_from(cd["start"], mode=cd["mode"], max_km=cd["max_km"],
                                                                  max_hours=cd["max_hours"])
            ctx["steps_shown"] = ctx["steps"][:PAGE_ROWS]  # the nearest; a whole basin is for the API
            ctx["steps_cut"] = len(ctx["steps"]) > PAGE_ROWS
        except OutfallError as exc:
            ctx["form"].add_error("start", exc.user_message)
    ctx["snaps"] = Snap.objects.select_related("reach", "outfall", "section").order_by("-distance_m")[:50]
    return render(request, "rivers/network.html", ctx)


@require_POST
def upload(request):
    if permissions.editable_town_ids(request.user) is not None:
        raise PermissionDeniedError("rivers", user_message="只有局机关人员可以导入河网")
    form = RiverFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择河网文件")
        return redirect("rivers:network")
    f = form.cleaned_data["file"]
    suffix = Path(f.name).suffix.lower()
    if suffix not in (".geojson", ".json", ".gpkg", ".zip") or f.size > settings.MAX_UPLOAD_BYTES:
        messages.error(request, f"不支持的文件「{f.name}」(需 .geojson/.gpkg/.zip，且不超过上限)")
        return redirect("rivers:network")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(f.read())
        if suffix == ".zip":
            import zipfile

            try:
                with zipfile.ZipFile(path) as z:
                    check_zip(z, name=f.name, limits=settings.OUTFALL_IMPORT_LIMITS)  # before a byte is inflated
                    z.extractall(tmp)
            except zipfile.BadZipFile:
                messages.error(request, "ZIP 文件已损坏")
                return redirect("rivers:network")
            except OutfallError as exc:
                messages.error(request, exc.user_message)
                return redirect("rivers:network")
            shps = list(Path(tmp).rglob("*.shp"))
            if len(shps) != 1:
                messages.error(request, "ZIP 中应恰有一个 .shp 文件")
                return redirect("rivers:network")
            path = shps[0]
        try:
            r = import_rivers(path, actor=request.user, name=f.name, crs=form.cleaned_data["crs"] or None)
        except OutfallError as exc:
            messages.error(request, exc.user_message)
        else:
            messages.success(request, f"已导入 {r.reaches} 个河段，吸附 {r.snapped} 个排污口/断面 (过远 {r.far} 个)")
    return redirect("rivers:network")
