"""Background tasks of the alerts app (run by ``outfall worker``): sending notifications with
retries and exponential backoff, and escalating unacknowledged alerts every few minutes."""

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


@db_periodic_task(crontab(minute="*/5"))
def escalate_task() -> None:
    """Every five minutes: escalate alerts left unacknowledged too long."""
    from outfall.alerts.lifecycle import escalate_overdue_alerts

    escalate_overdue_alerts()
