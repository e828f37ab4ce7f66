"""docs/scanner.md documents every check id in the catalogue."""

from pathlib import Path

import pytest

from mps.scanner.catalogue import CATALOGUE, catalogue_markdown

DOC = (Path(__file__).resolve().parents[2] / "docs" / "scanner.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("check_id", sorted(CATALOGUE))
def test_every_check_id_is_documented(check_id):
    assert f"`{check_id}`" in DOC


def test_every_check_has_references_and_both_languages():
    for spec in CATALOGUE.values():
        assert spec.title_nb and spec.title_en and spec.remediation_nb and spec.remediation_en, (
            spec.id
        )
        assert spec.references, spec.id


def test_generated_table_lists_every_id():
    table = catalogue_markdown()
    assert all(f"`{cid}`" in table for cid in CATALOGUE)


def test_scanner_benchmarks_live_in_bench_not_in_the_test_suite():
    root = Path(__file__).resolve().parents[2]
    in_tests = [
        p.name for d in ("scanner", "scanner_dns") for p in (root / "tests" / d).glob("bench*")
    ]
    assert in_tests == []
    assert {"bench_scan.py", "bench_tls_tools.py", "bench_dns_email.py", "serve.py"} <= {
        p.name for p in (root / "bench" / "scanner").glob("*.py")
    }
    assert "## Scanner" in (root / "docs" / "benchmarks.md").read_text(encoding="utf-8")
