"""``outfall serve``: the production WSGI server (waitress) with static files served by the app."""

from __future__ import annotations


def register(sub, add_common) -> None:
    p = sub.add_parser("serve", help="启动服务 / serve the web app with a production WSGI server")
    add_common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(func=run)


def run(args) -> int:
    from outfall.cli import django_setup

    django_setup(args.db)
    import waitress

    from outfall.site.wsgi import application

    print(f"outfall 服务已启动 / serving on http://{args.host}:{args.port}/", flush=True)
    waitress.serve(application, host=args.host, port=args.port, threads=args.threads, ident="outfall")
    return 0
