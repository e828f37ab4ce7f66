"""What `mps demo` hands to each app's demo loader.

Each app may ship `mps/<app>/demo.py` with `ORDER: int` and `load(ctx: DemoContext) -> None`;
the demo command calls them in ORDER after the organisations and users exist. Loaders must be
idempotent (get_or_create / update_or_create) because `mps demo` runs again on an existing database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class DemoContext:
    today: date
    rng: random.Random
    operator: Any
    central: Any
    agencies: list[Any]  # real municipalities and state agencies
    vendors: list[Any]  # fictitious vendors, synthetic=True
    users: dict[str, Any]  # demo login name → User
    data_dir: Any = None  # pathlib.Path of MPS_DATA_DIR
    extra: dict[str, Any] = field(default_factory=dict)  # loaders may share things here
    log: Any = print
