"""The `mps` console command: the project's manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # The demo runs on a laptop over plain HTTP: local secret key, non-secure cookies.
        os.environ.setdefault("MPS_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
