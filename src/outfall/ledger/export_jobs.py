"""Export jobs: a ledger XLSX export too large for a request, written by the worker.

The request creates the job (:func:`create_export_job`) and answers at once; the worker runs it
(:func:`run_export_job`, from ``outfall.ledger.tasks``) into ``OUTFALL_EXPORTS_DIR``, reading
the outfalls the requester may see (``Outfall.objects.visible_to``, the same as the synchronous
export) with the filters of the request; the requester (or an administrator) downloads the file
(:func:`record_download`); files older than ``OUTFALL_EXPORT_RETENTION_HOURS`` are removed
(:func:`remove_expired_exports`) hourly and before each new job, when jobs that waited that long
without finishing are marked failed (:func:`fail_stalled_exports`). Every step leaves history.

States::

    queued ──worker──▶ running ──▶ done ──retention──▶ done, file removed
                          └──────▶ failed (error kept; no file left behind)
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outfall.core.errors import InputError, OutfallError
from outfall.history.services import record_change
from outfall.ledger import exporting
from outfall.ledger.filters import OutfallFilter
from outfall.ledger.models import ExportJob, Outfall
from outfall.ledger.tasks import export_job_task

log = logging.getLogger("outfall.ledger.exports")

#: Formats an export job writes (the others are streamed or small enough to answer at once).
JOB_FORMATS = ("xlsx",)
#: Rows between two progress updates of a running job.
PROGRESS_EVERY = 2000


def exports_dir() -> Path:
    """The folder export files are written to (``DATA_DIR/exports``), created on first use."""
    path = Path(settings.OUTFALL_EXPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_filters(query) -> dict[str, str]:
    """The ledger filters of a request's query (only the fields :class:`OutfallFilter` knows, non-empty)."""
    return {name: query.get(name) for name in OutfallFilter.base_filters if query.get(name)}


def job_queryset(job: ExportJob):
    """The outfalls of ``job``: those its requester may see now, filtered as the request was."""
    return OutfallFilter(job.filters, queryset=Outfall.objects.visible_to(job.requester)).qs


def _snapshot(job: ExportJob) -> dict:
    return {"state": job.state, "format": job.format, "filters": job.filters, "rows": job.rows,
            "file_name": job.file_name, "size_bytes": job.size_bytes, "error": job.error}


@transaction.atomic
def create_export_job(*, actor, filters: dict, fmt: str = "xlsx", rows: int = 0) -> ExportJob:
    """Create a queued export job for ``actor`` and queue it on the worker once the transaction commits.

    ``rows`` is the number of outfalls the filters select now (the job counts again when it runs).
    Expired export files are removed first, so the folder does not grow without a worker's hourly run.
    """
    if fmt not in JOB_FORMATS:
        raise InputError(f"export job format {fmt}", user_message=f"后台导出不支持「{fmt}」格式")
    remove_expired_exports()
    fail_stalled_exports()
    job = ExportJob.objects.create(requester=actor, format=fmt, filters=dict(filters), rows=rows)
    record_change(job, action="create", actor=actor, before=None, after=_snapshot(job), note="后台导出台账")
    transaction.on_commit(lambda: export_job_task(job.pk))
    return job


def run_export_job(job_id: int) -> ExportJob:
    """Write the file of a queued job (what the worker runs); a job not queued is left as it is.

    The file is written under a temporary name and renamed when complete, so a failed job leaves no
    file; the job then holds the error (a user message for refused input, the kind of failure
    otherwise; the traceback goes to the log). Nothing but the job and its history is changed.
    """
    if not ExportJob.objects.filter(pk=job_id, state="queued").update(state="running", started_at=timezone.now()):
        return ExportJob.objects.get(pk=job_id)
    job = ExportJob.objects.get(pk=job_id)
    folder = exports_dir()
    name = f"ledger-{job.pk}-{secrets.token_hex(8)}.{job.format}"
    tmp = folder / f".{name}.part"
    try:
        rows = _progress(job, exporting.iter_cells(job_queryset(job)))
        with open(tmp, "wb") as fh:
            n = exporting.write_xlsx_to(rows, fh)
        os.replace(tmp, folder / name)
    except Exception as exc:  # noqa: BLE001  (every failure is the job's, kept and shown; see the log)
        tmp.unlink(missing_ok=True)
        log.exception("export job %s failed", job.pk)
        return _finish(job, state="failed", error=_message(exc))
    return _finish(job, state="done", rows=n, file_name=name, size_bytes=(folder / name).stat().st_size)


def _progress(job: ExportJob, rows):
    """Pass ``rows`` through, writing the count to the job every :data:`PROGRESS_EVERY` rows."""
    k = 0
    for k, r in enumerate(rows, start=1):
        if k % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=k)
        yield r


def _message(exc: Exception) -> str:
    if isinstance(exc, OutfallError):
        return exc.user_message
    if isinstance(exc, OSError):
        return f"写入导出文件失败 / could not write the export file: {exc.strerror or exc}"
    return f"导出失败 ({type(exc).__name__})，详见服务日志 / export failed, see the server log"


@transaction.atomic
def _finish(job: ExportJob, *, state: str, **fields) -> ExportJob:
    before = _snapshot(job)
    job.state, job.finished_at = state, timezone.now()
    for k, v in fields.items():
        setattr(job, k, v)
    if state == "done":
        job.rows_done = job.rows
    job.save()
    record_change(job, action="update", actor=None, before=before, after=_snapshot(job),
                  note="导出完成" if state == "done" else "导出失败")
    return job


def export_path(job: ExportJob) -> Path | None:
    """The file of a done job, or None when there is none (failed, removed or missing on disk)."""
    if job.state != "done" or not job.file_name:
        return None
    path = Path(settings.OUTFALL_EXPORTS_DIR) / job.file_name
    return path if path.is_file() else None


@transaction.atomic
def record_download(job: ExportJob, *, actor) -> None:
    """History of a download of the job's file by ``actor``."""
    record_change(job, action="update", actor=actor, before=None, after=None,
                  note=f"下载导出文件 {job.file_name} / downloaded")


def remove_expired_exports(*, now: dt.datetime | None = None) -> int:
    """Remove the files of jobs finished more than ``OUTFALL_EXPORT_RETENTION_HOURS`` ago (the jobs
    and their history stay, with ``removed_at`` set); return how many files were removed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.OUTFALL_EXPORT_RETENTION_HOURS)
    n = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff, removed_at__isnull=True).exclude(file_name=""):
        with transaction.atomic():
            (Path(settings.OUTFALL_EXPORTS_DIR) / job.file_name).unlink(missing_ok=True)
            before = _snapshot(job)
            job.file_name, job.removed_at = "", now
            job.save(update_fields=["file_name", "removed_at"])
            record_change(job, action="update", actor=None, before=before, after=_snapshot(job),
                          note="导出文件已过保留期删除 / export file removed after the retention")
        n += 1
    return n


def fail_stalled_exports(*, now: dt.datetime | None = None) -> int:
    """Mark failed the jobs still queued or running ``OUTFALL_EXPORT_RETENTION_HOURS`` after they were
    created (no worker ran them, or it stopped in the middle), so their page stops waiting; return
    how many. A partial file of a stopped worker is removed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.OUTFALL_EXPORT_RETENTION_HOURS)
    n = 0
    for job in ExportJob.objects.filter(state__in=("queued", "running"), created_at__lt=cutoff):
        for part in Path(settings.OUTFALL_EXPORTS_DIR).glob(f".ledger-{job.pk}-*.part"):
            part.unlink(missing_ok=True)
        _finish(job, state="failed", error="未在保留期内完成：工作进程未运行或中途停止，请重新导出 / not finished "
                                            "within the retention: the worker was not running or stopped; export again")
        n += 1
    return n
