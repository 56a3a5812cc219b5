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
    waitress.serve(application, host=args.host, port=args.port, threads=args.threads, ident="outfall",
                   **proxy_options())
    return 0


def proxy_options() -> dict:
    """waitress options that believe X-Forwarded-For/-Proto from the trusted proxy only (OUTFALL_TRUSTED_PROXY,
    default 127.0.0.1 with OUTFALL_HTTPS); waitress drops these headers from anyone else."""
    from outfall.site import config

    proxy = config.get("TRUSTED_PROXY").strip() or ("127.0.0.1" if config.get("HTTPS") else "")
    if not proxy:
        return {}
    return {"trusted_proxy": proxy, "trusted_proxy_count": 1,
            "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto"}
