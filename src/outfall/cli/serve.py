"""``outfall serve``: the production WSGI server (waitress) with static files served by the app;
``--with-worker`` also runs the background worker (``outfall worker``) as a child process."""

from __future__ import annotations

import errno
import logging
import signal
import subprocess
import sys


def register(sub, add_common) -> None:
    p = sub.add_parser("serve", help="启动服务 / serve the web app with a production WSGI server")
    add_common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--with-worker", action="store_true",
                   help="also run the background worker as a child process (stopped with the server)")
    p.set_defaults(func=run)


def start_worker() -> subprocess.Popen:
    """``outfall worker`` in a child process, on the database this process uses (it inherits the
    environment, where :func:`outfall.cli.django_setup` put ``--db``)."""
    return subprocess.Popen([sys.executable, "-m", "outfall", "worker"])


def stop_worker(proc: subprocess.Popen, *, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()  # huey's consumer finishes the running tasks on SIGTERM
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    import waitress
    from django.utils.translation import gettext as _

    from outfall.site.wsgi import application

    logging.basicConfig()
    try:  # bind first: a busy port is one line and a non-zero exit, before any worker starts
        server = waitress.create_server(application, host=args.host, port=args.port, threads=args.threads,
                                        ident="outfall", **proxy_options())
    except OSError as exc:
        print(bind_error(exc, args.host, args.port), file=sys.stderr)
        return 1
    # SIGTERM (systemd, docker stop) ends the server like Ctrl-C, so the worker child is stopped too.
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(0))
    worker = start_worker() if args.with_worker else None
    print(_("outfall 服务已启动: http://%(host)s:%(port)s/") % {"host": args.host, "port": args.port}
          + (_(" (后台任务进程 pid %(pid)s)") % {"pid": worker.pid} if worker else ""), flush=True)
    try:
        server.run()
    finally:
        if worker is not None:
            stop_worker(worker)
    return 0


def bind_error(exc: OSError, host: str, port: int) -> str:
    """The one line saying why the server could not listen on host:port."""
    from django.utils.translation import gettext as _

    where = {"host": host, "port": port}
    if exc.errno == errno.EADDRINUSE:
        return _("错误: 端口 %(port)s 已被占用 (%(host)s:%(port)s)；请用 --port 换一个端口，或先停止占用它的程序") % where
    if exc.errno == errno.EACCES:
        return _("错误: 无权监听端口 %(port)s (%(host)s)；1024 以下的端口需要管理员权限，请用 --port 换一个端口") % where
    if exc.errno == errno.EADDRNOTAVAIL:
        return _("错误: 本机没有地址 %(host)s；请检查 --host") % where
    return _("错误: 无法监听 %(host)s:%(port)s: %(reason)s") % {**where, "reason": exc.strerror or exc}


def proxy_options() -> dict:
    """waitress options that believe X-Forwarded-For/-Proto from the trusted proxy only (OUTFALL_TRUSTED_PROXY,
    default 127.0.0.1 with OUTFALL_HTTPS); waitress drops these headers from anyone else."""
    from outfall.site import config

    proxy = config.get("TRUSTED_PROXY").strip() or ("127.0.0.1" if config.get("HTTPS") else "")
    if not proxy:
        return {}
    return {"trusted_proxy": proxy, "trusted_proxy_count": 1,
            "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto"}
