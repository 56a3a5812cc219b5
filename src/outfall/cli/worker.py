"""``outfall worker``: the background worker (huey's consumer) that runs queued and periodic tasks."""

from __future__ import annotations


def register(sub, add_common) -> None:
    p = sub.add_parser("worker", help="后台任务进程 / run the background worker (task queue consumer)")
    add_common(p)
    p.add_argument("--workers", type=int, default=None, help="worker threads (default 2)")
    p.set_defaults(func=run)


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db, migrate=False)  # the web server (or `outfall migrate`) migrates; never two at once
    from django.conf import settings
    from django.core.management import call_command

    queue = "Redis" if "Redis" in settings.HUEY["huey_class"] else settings.HUEY.get("filename")
    from django.utils.translation import gettext as _

    print(_("outfall 后台任务进程已启动 (队列: %(queue)s)") % {"queue": queue}, flush=True)
    options = {"workers": args.workers} if args.workers else {}
    call_command("run_huey", **options)
    return 0
