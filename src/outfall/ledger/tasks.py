"""Background tasks of the ledger (run by ``outfall worker``): writing export jobs, and removing
export files past their retention every hour."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def export_job_task(job_id: int) -> None:
    """Write the file of export job ``job_id`` (not retried: a failure is kept on the job)."""
    from outfall.ledger.export_jobs import run_export_job

    run_export_job(job_id)


@db_periodic_task(crontab(minute="7"))
def remove_expired_exports_task() -> None:
    """Every hour: remove export files older than ``OUTFALL_EXPORT_RETENTION_HOURS``, and fail the
    jobs left unfinished that long."""
    from outfall.ledger.export_jobs import fail_stalled_exports, remove_expired_exports

    remove_expired_exports()
    fail_stalled_exports()
