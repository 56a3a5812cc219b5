"""``outfall serve``: the production WSGI server (waitress) with static files served by the app;
``--with-worker`` also runs the background worker (``outfall worker``) as a child process."""

from __future__ import annotations

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

    from outfall.site.wsgi import application

    # SIGTERM (systemd, docker stop) ends the server like Ctrl-C, so the worker child is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    worker = start_worker() if args.with_worker else None
    print(f"outfall 服务已启动 / serving on http://{args.host}:{args.port}/"
          + (f" (后台任务进程 / worker pid {worker.pid})" if worker else ""), flush=True)
    try:
        waitress.serve(application, host=args.host, port=args.port, threads=args.threads, ident="outfall")
    finally:
        if worker is not None:
            stop_worker(worker)
    return 0
