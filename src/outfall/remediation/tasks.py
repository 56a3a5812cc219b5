"""Background tasks of the remediation app (run by ``outfall worker``): the due-soon and overdue
reminders, every hour (``remediation.reminders``; each is sent once), and the retries of a reminder a
channel failed to take."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from outfall.alerts.tasks import BACKOFF, RETRIES, RETRY_DELAY_S


@db_periodic_task(crontab(minute="7"))
def remediation_reminders_task() -> None:
    """Every hour at :07: send the reminders of tasks that became due soon or overdue."""
    from outfall.remediation.reminders import send_due_reminders

    send_due_reminders()


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_S, retry_backoff=BACKOFF)
def resend_reminder_task(reminder_id: int, channel_id: int, on: str) -> None:
    """Send a reminder a channel failed to take again; a new failure raises, and huey retries it."""
    import datetime as dt

    from outfall.remediation.reminders import resend

    resend(reminder_id, channel_id, dt.date.fromisoformat(on))
