"""The network page: validation report, navigation from a section/outfall/reach, the sites' snaps,
and the river file upload."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from outfall.accounts import permissions
from outfall.core.errors import OutfallError, PermissionDeniedError
from outfall.rivers.models import Reach, Snap
from outfall.rivers.navigation import navigate_from, sites_along
from outfall.rivers.selectors import current_report
from outfall.rivers.services import import_rivers
from outfall.site.uploads import uploaded_path

_RIVER_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")

#: Navigation rows listed on the page (nearest first); the API returns them all.
PAGE_ROWS = 1000
#: Outfalls and sections along the result listed per page (nearest first).
SITES_PER_PAGE = 50


class NavigateForm(forms.Form):
    start = forms.CharField(label=gettext_lazy("起点 (断面/排污口编码、河段编号或 经度,纬度)"), max_length=100)
    mode = forms.ChoiceField(label=gettext_lazy("方式"), choices=[
        ("UT", gettext_lazy("上游全部 UT")), ("UM", gettext_lazy("上游干流 UM")),
        ("DM", gettext_lazy("下游干流 DM")), ("DD", gettext_lazy("下游全部 DD"))])
    max_km = forms.FloatField(label=gettext_lazy("最大距离 (km)"), required=False, min_value=0)
    max_hours = forms.FloatField(label=gettext_lazy("最大传播时间 (h)"), required=False, min_value=0)


class RiverFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("河网文件 (.geojson / .gpkg / .zip 内含 .shp)"))
    crs = forms.CharField(label=gettext_lazy("坐标系 (文件未声明时)"), required=False, max_length=60)


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
            ctx.update(_sites_page(request, _net, ctx["steps"], cd))
        except OutfallError as exc:
            ctx["form"].add_error("start", exc.user_message)
    ctx["snaps"] = Snap.objects.select_related("reach", "outfall", "section").order_by("-distance_m")[:50]
    return render(request, "rivers/network.html", ctx)


def _sites_page(request, net, steps, cd) -> dict:
    """The page of outfalls and sections along a navigation result asked by ``?sites_page=N``."""
    try:
        page = max(1, int(request.GET.get("sites_page", 1)))
    except ValueError:
        page = 1
    sites, more = sites_along(net, steps, cd["start"], mode=cd["mode"], max_km=cd["max_km"],
                              max_hours=cd["max_hours"], offset=(page - 1) * SITES_PER_PAGE, limit=SITES_PER_PAGE)
    params = request.GET.copy()
    params.pop("sites_page", None)
    return {"sites": sites, "sites_page": page, "sites_more": more, "sites_query": params.urlencode(),
            "sites_first": (page - 1) * SITES_PER_PAGE + 1}


@require_POST
def upload(request):
    if permissions.editable_town_ids(request.user) is not None:
        raise PermissionDeniedError("rivers", user_message=_("只有局机关人员可以导入河网"))
    form = RiverFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择河网文件"))
        return redirect("rivers:network")
    f = form.cleaned_data["file"]
    try:
        with uploaded_path(f, _RIVER_SUFFIXES) as path:
            r = import_rivers(path, actor=request.user, name=f.name, crs=form.cleaned_data["crs"] or None)
    except OutfallError as exc:
        messages.error(request, exc.user_message)
    else:
        messages.success(request, _("已导入 %(reaches)s 个河段，吸附 %(snapped)s 个排污口/断面 (过远 %(far)s 个)")
                         % {"reaches": r.reaches, "snapped": r.snapped, "far": r.far})
    return redirect("rivers:network")
