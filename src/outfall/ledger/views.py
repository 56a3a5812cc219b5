"""Ledger pages: list, outfall file (一口一档), create/edit, cancel, photos, import and export.

Views only declare: permissions come from the queryset methods, changes from the services.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from outfall.accounts import permissions
from outfall.core.enums import OutfallStatus
from outfall.core.errors import InputError, OutfallError, PermissionDeniedError
from outfall.ledger import export_jobs, exporting, importing, selectors, services
from outfall.ledger.filters import OutfallFilter
from outfall.ledger.forms import CancelForm, ImportForm, OutfallForm, PhotoForm
from outfall.ledger.models import ExportJob, Outfall, Photo
from outfall.ledger.panels import render_links, render_panels

SORTS = {"code", "-code", "name", "-name", "type_l1", "-type_l1", "status", "-status", "town__code", "-town__code",
         "receiving_water", "-receiving_water", "updated_at", "-updated_at", "design_discharge_m3_d",
         "-design_discharge_m3_d"}


def outfall_list(request):
    qs = Outfall.objects.visible_to(request.user).select_related("town")
    f = OutfallFilter(request.GET, queryset=qs)
    sort = request.GET.get("sort", "code")
    rows = f.qs.order_by(sort if sort in SORTS else "code", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    return render(request, "ledger/list.html", {
        "filter": f, "page": page, "sort": sort, "query": params.urlencode(),
        "counts": selectors.ledger_counts(f.qs), "can_create": permissions.can_edit_any(request.user)})


def _outfall_or_404(request, pk: int) -> Outfall:
    return get_object_or_404(Outfall.objects.visible_to(request.user).select_related("town"), pk=pk)


def outfall_detail(request, pk: int):
    outfall = _outfall_or_404(request, pk)
    return render(request, "ledger/detail.html", {
        "o": outfall, **selectors.outfall_file(outfall), "photo_form": PhotoForm(), "cancel_form": CancelForm(),
        "can_edit": permissions.can_edit_town(request.user, outfall.town_id),
        "status_colour": OutfallStatus(outfall.status).colour, "panels": render_panels(request, outfall),
        "links": render_links(request, outfall)})


@require_http_methods(["GET", "POST"])
def outfall_create(request):
    if not permissions.can_edit_any(request.user):
        raise PermissionDeniedError("create", user_message=_("无权新建排污口"))
    form = OutfallForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            outfall = services.create_outfall(form.outfall_data, actor=request.user)
        except OutfallError as exc:
            form.add_error(None, exc.user_message)
        else:
            messages.success(request, _("已新建排污口 %(code)s") % {"code": outfall.code})
            return redirect("ledger:detail", pk=outfall.pk)
    return render(request, "ledger/form.html", {"form": form, "title": _("新建排污口")})


@require_http_methods(["GET", "POST"])
def outfall_edit(request, pk: int):
    outfall = get_object_or_404(Outfall.objects.editable_by(request.user), pk=pk)
    initial = OutfallForm.initial_from(outfall, services.party_dicts(outfall))
    form = OutfallForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_outfall(outfall, form.outfall_data, actor=request.user)
        except OutfallError as exc:
            form.add_error(None, exc.user_message)
        else:
            messages.success(request, _("已保存排污口 %(code)s") % {"code": outfall.code})
            return redirect("ledger:detail", pk=outfall.pk)
    return render(request, "ledger/form.html", {"form": form, "title": _("修改 %(code)s") % {"code": outfall.code}, "o": outfall})


@require_POST
def outfall_cancel(request, pk: int):
    outfall = get_object_or_404(Outfall.objects.editable_by(request.user), pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_outfall(outfall, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("已注销排污口 %(code)s") % {"code": outfall.code})
        except OutfallError as exc:
            messages.error(request, exc.user_message)
    else:
        messages.error(request, _("注销必须填写原因"))
    return redirect("ledger:detail", pk=outfall.pk)


@require_POST
def photo_add(request, pk: int):
    outfall = get_object_or_404(Outfall.objects.editable_by(request.user), pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_photo(outfall, form.cleaned_data["image"], actor=request.user,
                               kind=form.cleaned_data["kind"], caption=form.cleaned_data["caption"])
            messages.success(request, _("照片已上传"))
        except OutfallError as exc:
            messages.error(request, exc.user_message)
    else:
        messages.error(request, _("请选择照片文件和类型"))
    return redirect("ledger:detail", pk=outfall.pk)


@require_POST
def photo_remove(request, pk: int, photo_id: int):
    outfall = get_object_or_404(Outfall.objects.editable_by(request.user), pk=pk)
    services.remove_photo(get_object_or_404(Photo, pk=photo_id, outfall=outfall), actor=request.user)
    messages.success(request, _("照片已删除"))
    return redirect("ledger:detail", pk=outfall.pk)


def photo_file(request, pk: int, photo_id: int):
    """Photos are served through a login-checked view, never as public media."""
    outfall = _outfall_or_404(request, pk)
    photo = get_object_or_404(Photo, pk=photo_id, outfall=outfall)
    try:
        data = photo.image.read()
    except FileNotFoundError:
        raise Http404("photo file missing") from None
    return HttpResponse(data, content_type=photo.content_type)


@require_http_methods(["GET", "POST"])
def export(request):
    """The ledger as a file, filtered as the list page. An XLSX of more than ``OUTFALL_EXPORT_ASYNC_ROWS``
    outfalls becomes an export job: a GET answers a page that asks to start it (a GET changes
    nothing), its POST queues the job and answers the job's page. CSV is streamed; the rest is
    answered at once."""
    params = request.POST if request.method == "POST" else request.GET
    fmt = params.get("format", "xlsx")
    if fmt not in exporting.FORMATS:
        raise InputError(f"format {fmt}", user_message=_("不支持的导出格式「%(fmt)s」") % {"fmt": fmt})
    qs = OutfallFilter(params, queryset=Outfall.objects.visible_to(request.user)).qs
    if fmt in export_jobs.JOB_FORMATS and (n := qs.count()) > settings.OUTFALL_EXPORT_ASYNC_ROWS:
        filters = export_jobs.job_filters(params)
        if request.method == "GET":
            return render(request, "ledger/export_confirm.html", {"rows": n, "fmt": fmt, "filters": filters})
        job = export_jobs.create_export_job(actor=request.user, filters=filters, fmt=fmt, rows=n)
        return redirect("ledger:export-job", pk=job.pk)
    if fmt == "csv":
        response = StreamingHttpResponse(exporting.stream_ledger(qs, fmt), content_type=exporting.CONTENT_TYPES[fmt])
    else:
        response = HttpResponse(exporting.export_ledger(qs, fmt), content_type=exporting.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="outfalls.{fmt}"'
    return response


def export_job_list(request):
    """The export jobs the user may see (their own; an administrator sees all), newest first."""
    jobs = ExportJob.objects.visible_to(request.user).select_related("requester")[:100]
    return render(request, "ledger/export_jobs.html", {"jobs": jobs})


def export_job(request, pk: int):
    """One export job: its state and progress (the page reloads itself until the job is finished),
    then the download link or the error."""
    job = get_object_or_404(ExportJob.objects.visible_to(request.user).select_related("requester"), pk=pk)
    return render(request, "ledger/export_job.html", {"job": job, "available": export_jobs.export_path(job) is not None})


def export_job_download(request, pk: int):
    """The file of a done job, for its requester or an administrator; each download leaves history."""
    job = get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk)
    path = export_jobs.export_path(job)
    if path is None:
        raise Http404("export file not available")
    export_jobs.record_download(job, actor=request.user)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"outfalls-{job.pk}.{job.format}",
                        content_type=exporting.CONTENT_TYPES[job.format])


@require_http_methods(["GET", "POST"])
def import_view(request):
    """Upload → dry run with every error listed → commit the same file (kept under a token)."""
    if not permissions.can_edit_any(request.user):
        raise PermissionDeniedError("import", user_message=_("无权导入台账"))
    ctx = {"form": ImportForm(), "errors": None}
    if request.method == "POST":
        if "token" in request.POST:
            ctx.update(importing.commit_pending(request, request.POST["token"],
                                                allow_duplicates=request.POST.get("allow_duplicates") == "1"))
        else:
            form = ImportForm(request.POST, request.FILES)
            ctx["form"] = form
            if form.is_valid():
                ctx.update(importing.dry_run_upload(request, form.cleaned_data["file"]))
        if ctx.get("result") is not None and not ctx["errors"]:
            ctx["errors"] = ctx["result"].errors
    return render(request, "ledger/import.html", ctx)
