"""Background tasks of the alerts app (run by ``outfall worker``): sending notifications with
retries and exponential backoff, escalating unacknowledged alerts every few minutes, and the alerts
check of a large readings file."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

#: Attempts after the first, and the first retry delay in seconds (doubled each time: 30 s … 8 min).
RETRIES, RETRY_DELAY_S, BACKOFF = 5, 30, 2


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_S, retry_backoff=BACKOFF, context=True)
def deliver_task(alert_id: int, channel_id: int, event: str = "new", task=None) -> None:
    """Send one alert over one channel; a failure is logged as a Delivery and retried."""
    from outfall.alerts.notify import deliver

    attempt = 1 + RETRIES - (task.retries if task is not None else RETRIES)
    deliver(alert_id, channel_id, event=event, attempt=attempt)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_S, retry_backoff=BACKOFF)
def email_admins_task(subject: str, text: str, recipients: list[str]) -> None:
    from django.conf import settings
    from django.core.mail import send_mail

    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)


@db_task(retries=2, retry_delay=RETRY_DELAY_S)
def check_alerts_task(section_ids: list[int], outfall_ids: list[int], earliest_time: str | None,
                      actor_id: int | None) -> None:
    """The alerts check of a large file import, run by the worker after the import's commit
    (``OUTFALL_ALERT_WORKER_ROWS``); the same check the import would have run itself."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from outfall.alerts.checking import check_readings_written

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    since = dt.datetime.fromisoformat(earliest_time) if earliest_time else None
    check_readings_written(section_ids, outfall_ids, since, actor)


@db_periodic_task(crontab(minute="*/5"))
def escalate_task() -> None:
    """Every five minutes: escalate alerts left unacknowledged too long."""
    from outfall.alerts.lifecycle import escalate_overdue_alerts

    escalate_overdue_alerts()
