"""The first-administrator setup page and the towns page (list, boundaries upload)."""

from __future__ import annotations

from django.contrib.auth import login
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outfall.accounts import permissions, services
from outfall.accounts.area import current_area
from outfall.accounts.forms import FirstAdminForm, TownFileForm
from outfall.accounts.models import Town
from outfall.accounts.setup import request_is_local, setup_open, setup_token_ok
from outfall.core.enums import Role
from outfall.core.errors import OutfallError, PermissionDeniedError, RowErrors
from outfall.site.uploads import uploaded_path

_TOWN_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".csv", ".xlsx")


def setup_page(request):
    """Create the first administrator: only while no user exists, from this machine or with a token."""
    if not setup_open():
        raise Http404("setup closed")
    token = request.POST.get("token") or request.GET.get("token") or ""
    if not (request_is_local(request) or setup_token_ok(token)):
        return render(request, "accounts/setup.html", {"refused": True}, status=403)
    form = FirstAdminForm(request.POST or None, initial={"token": token})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            user = services.create_user(cd["username"], role=Role.ADMIN, email=cd["email"], password=cd["password1"],
                                        actor=None, first_user=True)
        except OutfallError as exc:
            form.add_error(None, exc.user_message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:towns")
    return render(request, "accounts/setup.html", {"form": form})


def towns_page(request, result=None, fatal=None):
    towns = Town.objects.annotate(n_outfalls=Count("outfalls", distinct=True), n_users=Count("users", distinct=True))
    return render(request, "accounts/towns.html", {
        "towns": towns, "area": current_area(), "upload": TownFileForm(), "result": result, "fatal": fatal,
        "can_import": permissions.editable_town_ids(request.user) is None})


@require_POST
def towns_upload(request):
    if permissions.editable_town_ids(request.user) is not None:
        raise PermissionDeniedError("towns", user_message=_("只有局机关人员可以导入镇街"))
    form = TownFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return towns_page(request, fatal=_("请选择镇街文件"))
    f = form.cleaned_data["file"]
    try:
        with uploaded_path(f, _TOWN_SUFFIXES) as path:
            result = services.import_towns(path, actor=request.user, name=f.name, dry_run=form.cleaned_data["dry_run"],
                                           crs=form.cleaned_data["crs"] or None)
    except RowErrors as exc:
        return towns_page(request, result={"errors": exc.errors, "file": f.name}, fatal=exc.user_message)
    except OutfallError as exc:
        return towns_page(request, fatal=exc.user_message)
    return towns_page(request, result=result)
