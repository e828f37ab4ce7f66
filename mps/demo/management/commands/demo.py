"""`mps demo`: migrate, load the demo data set (idempotent) and serve on 127.0.0.1:8000."""

from __future__ import annotations

import importlib
import random
import time
from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from mps.demo.context import DemoContext
from mps.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_organisations, seed_users

DEMO_SEED = 2026


def demo_modules():
    """Each app's `demo` module, in the order the apps ask for (ORDER).

    A module has `load(ctx)` and may have `prepare(ctx)`, which starts something the demo needs
    while it loads and serves (the local test internet) and returns the function that stops it.
    """
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mps.") or config.name == "mps.demo":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        if hasattr(module, "load"):
            found.append((getattr(module, "ORDER", 100), config.label, module))
    return sorted(found, key=lambda item: (item[0], item[1]))


class Command(BaseCommand):
    help = "Create or reuse the demo database, load realistic demo data, and serve it on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete all data first and load it anew."
        )
        parser.add_argument("--no-serve", action="store_true", help="Load the data and exit.")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Address to serve on.")
        parser.add_argument(
            "--no-test-internet",
            action="store_true",
            help="Do not start the local test internet (every agency's measurements are generated).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            self.stdout.write("Deleting all data (--reset) …")
            call_command("flush", interactive=False, verbosity=0)
        rng = random.Random(DEMO_SEED)
        self.stdout.write("Loading organisations and users …")
        orgs = seed_organisations(rng)
        users = seed_users(orgs)
        ctx = DemoContext(
            today=date.today(),
            rng=rng,
            operator=orgs["operator"],
            central=orgs["central"],
            agencies=orgs["agencies"],
            vendors=orgs["vendors"],
            users=users,
            data_dir=settings.DATA_DIR,
            log=lambda msg: self.stdout.write(f"  {msg}"),
        )
        ctx.extra["demo_agency"] = orgs["demo_agency"]
        modules = demo_modules()
        stops = []
        try:
            if not options["no_test_internet"]:
                stops = [m.prepare(ctx) for _o, _l, m in modules if hasattr(m, "prepare")]
            for _order, label, module in modules:
                self.stdout.write(f"Loading {label} …")
                module.load(ctx)
            self._report(started, options)
            if not options["no_serve"]:
                self.stdout.write("")
                call_command("runserver", options["addr"], use_reloader=False, use_threading=True)
        finally:
            for stop in reversed(stops):
                stop()

    def _report(self, started: float, options: dict) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s.")
        )
        url = f"http://{options['addr']}/"
        self.stdout.write(f"\nOpen {url} and log in with password {DEMO_PASSWORD!r} as:")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<6} {demo.description}")
