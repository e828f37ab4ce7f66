"""Every user-facing string has a bokmål translation, and the compiled catalogues are current."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import mps

CATALOGUES = sorted(Path(mps.__file__).parent.glob("*/locale/nb/LC_MESSAGES/django.po"))


def entries(po_text: str):
    """(msgid, msgstr, fuzzy) for each entry; enough of the PO format for this check."""
    blocks = po_text.split("\n\n")
    for block in blocks[1:]:
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        text = "\n".join(lines)
        if "msgid" not in text:
            continue
        msgid = text.split("msgstr")[0]
        msgstrs = text.split("msgstr")[1:]
        yield msgid, msgstrs, fuzzy


def test_the_core_apps_have_catalogues():
    apps = {p.parents[3].name for p in CATALOGUES}
    assert {"core", "accounts", "organisations"} <= apps


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_every_string_is_translated_to_bokmal(po):
    untranslated = []
    for msgid, msgstrs, fuzzy in entries(po.read_text(encoding="utf-8")):
        values = [s.split(" ", 1)[1] if " " in s else "" for s in msgstrs]
        if fuzzy or any(v.strip() in {'""', ""} and '""\n"' not in v for v in values):
            untranslated.append(msgid.strip()[:80])
    assert not untranslated, f"{po}: untranslated or fuzzy: {untranslated}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_the_compiled_catalogue_is_up_to_date(po, tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
    assert po.with_suffix(".mo").read_bytes() == fresh.read_bytes(), (
        f"run `mps compilemessages` for {po}"
    )


def _msgids(po_text: str) -> set[str]:
    """The message ids as text, whatever the line wrapping of the file."""
    found = set()
    for msgid, _msgstrs, _fuzzy in entries(po_text):
        if msgid.lstrip().startswith("#~"):
            continue
        found.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', msgid)))
    return found


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_the_catalogue_holds_every_string_the_app_marks_for_translation(po, tmp_path):
    """A stale catalogue passes the check above while new strings show in English."""
    from django.core.management import call_command

    app_dir = po.parents[3]
    copy = tmp_path / app_dir.name
    shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "locale/nb/LC_MESSAGES/django.po").unlink()
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["nb"], verbosity=0)
    finally:
        os.chdir(cwd)
    marked = _msgids((copy / "locale/nb/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    missing = sorted(marked - _msgids(po.read_text(encoding="utf-8")))
    assert not missing, f"run `mps makemessages -l nb` in {app_dir} and translate: {missing[:10]}"
