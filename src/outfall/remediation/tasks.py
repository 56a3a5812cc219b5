"""Background task of the remediation app (run by ``outfall worker``): the due-soon and overdue
reminders, every hour (``remediation.reminders``; each is sent once)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7"))
def remediation_reminders_task() -> None:
    """Every hour at :07: send the reminders of tasks that became due soon or overdue."""
    from outfall.remediation.reminders import send_due_reminders

    send_due_reminders()
