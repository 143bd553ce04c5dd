"""The ``orderdesk`` command: serve, worker, migrate, demo, createadmin, token, bench, manage.

Every command reads the same settings as the web server (``DATABASE_URL`` and friends),
so it works the same on SQLite and PostgreSQL. Django is set up only once a command runs,
so ``orderdesk --help`` needs no database.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

EXIT_REFUSED = 2


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
    import django

    django.setup()


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app with gunicorn (production server; static files through whitenoise)."""
    from gunicorn.app.base import BaseApplication

    setup_django()
    from orderdesk.config.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", args.threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("logconfig_dict", gunicorn_logging())
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 20)

        def load(self) -> Any:
            return application

    Server().run()
    return 0


def gunicorn_logging() -> dict[str, Any]:
    """gunicorn's own logs as the app's JSON lines (settings.LOGGING plus its loggers)."""
    import copy

    from django.conf import settings

    config: dict[str, Any] = copy.deepcopy(settings.LOGGING)
    for name in ("gunicorn.error", "gunicorn.access"):
        config["loggers"][name] = {"handlers": ["console"], "level": "INFO", "propagate": False}
    return config


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the Huey consumer for background jobs."""
    setup_django()
    from django.core.management import call_command

    call_command("run_huey", workers=args.workers)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django()
    from orderdesk.demo.loader import database_is_empty, load_demo

    if args.if_empty and not database_is_empty():
        print("Database already has users; demo data not loaded.")
        return 0
    load_demo(customers=args.customers, products=args.products, seed=args.seed, stdout=sys.stdout)
    if not args.if_empty:  # `make run` passes --if-empty and prints the logins itself
        print_logins()
    return 0


def print_logins() -> None:
    from django.conf import settings

    from orderdesk.accounts.roles import role_label
    from orderdesk.demo.loader import DEMO_USERS

    print(f"Demo logins (password: {settings.ORDERDESK_DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        print(f"  {user.username:<12} {user.display_name}  ({role_label(user.role)})")


def cmd_logins(args: argparse.Namespace) -> int:
    setup_django()
    print_logins()
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    """Create an administrator; asks for what the flags and environment do not give."""
    setup_django()
    from orderdesk.accounts import selectors, services

    username = args.username or input("Username: ").strip()
    password = os.environ.get("ORDERDESK_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    admin = services.create_administrator(
        username=username, password=password, email=args.email, by=selectors.system_user()
    )
    print(f"Administrator {admin.username} created.")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    """Print only the new token on stdout, so scripts can capture it."""
    setup_django()
    from orderdesk.accounts import selectors, services
    from orderdesk.accounts.models import User
    from orderdesk.core.errors import NotFound

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise NotFound(f"No user named {args.username}.")
    _token, raw = services.create_api_token(user, by=selectors.system_user(), name=args.name)
    print(raw)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    setup_django()
    from orderdesk.accounts import selectors, services

    system = selectors.system_user()
    token = selectors.token_for(system, args.token_id)
    services.revoke_api_token(token, by=system, reason=args.reason)
    print(f"Token {token.prefix}… of {token.user.username} revoked.")
    return 0


def cmd_import_customers(args: argparse.Namespace) -> int:
    """Validate every row, then import; row errors go to stderr and nothing is written
    unless --valid-only is given."""
    setup_django()
    from pathlib import Path

    from orderdesk.accounts import selectors
    from orderdesk.accounts.models import User
    from orderdesk.core.errors import NotFound
    from orderdesk.customers.services import import_customers

    path = Path(args.file)
    if not path.is_file():
        raise NotFound(f"No such file: {path}")
    owner = None
    if args.owner:
        owner = User.objects.filter(username=args.owner, is_active=True).first()
        if owner is None:
            raise NotFound(f"No active user named {args.owner}.")
    report = import_customers(
        path.read_bytes(),
        path.name,
        by=selectors.system_user(),
        valid_only=args.valid_only,
        default_owner=owner,
    )
    for error in report.errors:
        print(f"row {error.row}, {error.column}: {error.message}", file=sys.stderr)
    print(f"{len(report.created)} customers imported, {len(report.errors)} row errors.")
    return 0 if report.created or not report.errors else EXIT_REFUSED


def cmd_import_help(args: argparse.Namespace) -> int:
    print(
        "usage: orderdesk import customers FILE [--valid-only] [--owner USERNAME]", file=sys.stderr
    )
    return EXIT_REFUSED


def cmd_token_help(args: argparse.Namespace) -> int:
    print("usage: orderdesk token {create USERNAME | revoke ID}", file=sys.stderr)
    return EXIT_REFUSED


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmarks as ``make bench`` does (``python -m bench`` in the source
    checkout: bench/ is not part of the installed package); its exit status is the
    benchmarks' (1 when a target is missed)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    if not (root / "bench" / "__main__.py").is_file():
        print(
            "orderdesk: the benchmarks live in the source checkout (bench/); "
            "run this from an editable install (make install-dev).",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    command = [sys.executable, "-m", "bench"]
    if args.only:
        command += ["--only", args.only]
    return subprocess.run(command, cwd=root, check=False).returncode  # noqa: S603


def cmd_manage(args: argparse.Namespace) -> int:
    """Pass the remaining arguments to Django's management commands."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["orderdesk manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orderdesk",
        description="orderdesk — sales orders and customer information "
        "(销售订单管理 + 客户信息管理).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, handler: Callable[[argparse.Namespace], int], help_text: str, **kwargs: Any
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text, **kwargs)
        sub.set_defaults(handler=handler)
        return sub

    serve = add("serve", cmd_serve, "Serve the web app and API with gunicorn.")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    serve.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))

    worker = add("worker", cmd_worker, "Run the background job consumer (Huey).")
    worker.add_argument("--workers", type=int, default=2)

    migrate = add("migrate", cmd_migrate, "Create or upgrade the database schema.")
    migrate.add_argument("--verbosity", type=int, default=1)

    demo = add("demo", cmd_demo, "Load deterministic demo data (company, branches, users).")
    demo.add_argument("--customers", type=int, default=200)
    demo.add_argument("--products", type=int, default=500)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument(
        "--if-empty", action="store_true", help="Only load when the database has no users yet."
    )

    add("logins", cmd_logins, "Print the demo logins.")

    admin = add("createadmin", cmd_createadmin, "Create an administrator account.")
    admin.add_argument("--username")
    admin.add_argument("--email", default="")

    token = add("token", cmd_token_help, "Create or revoke API tokens.")
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION")
    create = token_commands.add_parser("create", help="Create a token and print it.")
    create.add_argument("username")
    create.add_argument("--name", default="cli")
    create.set_defaults(handler=cmd_token_create)
    revoke = token_commands.add_parser("revoke", help="Revoke a token by its id.")
    revoke.add_argument("token_id", type=int)
    revoke.add_argument("--reason", default="revoked from the command line")
    revoke.set_defaults(handler=cmd_token_revoke)

    importer = add("import", cmd_import_help, "Import master data from .xlsx or .csv files.")
    import_kinds = importer.add_subparsers(dest="import_kind", metavar="KIND")
    customers = import_kinds.add_parser("customers", help="Import customers from FILE.")
    customers.add_argument("file", help="an .xlsx or .csv file with a header row")
    customers.add_argument(
        "--valid-only",
        action="store_true",
        help="Import the valid rows even when other rows have errors.",
    )
    customers.add_argument("--owner", help="Username owning rows without an owner column.")
    customers.set_defaults(handler=cmd_import_customers)

    bench = add(
        "bench",
        cmd_bench,
        "Run the benchmarks (SQLite, and PostgreSQL at BENCH_DATABASE_URL) and print a table.",
    )
    bench.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ""),
        help="Comma-separated groups to run (core, customers, inventory, pricing, orders, "
        "billing, flow…); default BENCH_ONLY, else all.",
    )

    manage = add(
        "manage", cmd_manage, "Run a Django management command (passthrough).", add_help=False
    )
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from django.core.exceptions import ImproperlyConfigured

        from orderdesk.core.errors import DomainError

        if isinstance(error, ImproperlyConfigured):
            print(f"orderdesk: configuration error: {error}", file=sys.stderr)
            return EXIT_REFUSED

        if not isinstance(error, DomainError):
            raise
        details = "".join(f"\n  {field}: {message}" for field, message in error.fields.items())
        print(f"orderdesk: {error.message}{details}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
