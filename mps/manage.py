"""The `mps` console command: the project's manage.py."""

import os
import sys

# Commands that touch no database and no settings run without Django's setup, so they work on
# a machine with no MPS_* configuration at all (issue 3: `mps scan-targets` is a contract other
# tools call; it must not need a secret key or a data directory).
STANDALONE = {"scan-targets": "mps.riskscore.management.commands.scan-targets"}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in STANDALONE:
        from importlib import import_module

        command = import_module(STANDALONE[sys.argv[1]]).Command()
        command.run_from_argv(["mps", *sys.argv[1:]])
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # The demo runs on a laptop over plain HTTP: local secret key, non-secure cookies.
        os.environ.setdefault("MPS_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
