"""The DPF watch and the exports are plain Python: importing and running them loads no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_dpfwatch_and_exports_import_no_django() -> None:
    code = (
        "import sys, mps.privacy.dpfwatch, mps.privacy.exports, mps.privacy.exports.scc\n"
        "from tests.privacy.exports_sample import RECORD\n"
        "from mps.privacy.exports import export_record\n"
        "for fmt in ('ods', 'xlsx', 'csv', 'json'):\n"
        "    export_record(RECORD, fmt)\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
