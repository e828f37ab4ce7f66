"""`python -m mps.privacy.rules assess FILE --json`: the assessment without Django settings."""

from mps.privacy.rules.cli import run

raise SystemExit(run())
