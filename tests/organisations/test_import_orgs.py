import json

import pytest
from django.core.management import CommandError, call_command

from mps.core.models import AuditEntry
from mps.organisations.models import Organisation

OSLO = {
    "organisasjonsnummer": "958935420",
    "navn": "OSLO KOMMUNE",
    "organisasjonsform": {"kode": "KOMM", "beskrivelse": "Kommune"},
    "institusjonellSektorkode": {"kode": "6500", "beskrivelse": "Kommuneforvaltningen"},
    "forretningsadresse": {"kommunenummer": "0301", "kommune": "OSLO"},
    "antallAnsatte": 50000,
    "hjemmeside": "www.oslo.kommune.no",
}
BYM = {
    "organisasjonsnummer": "974778807",  # a sub-unit pointing at Oslo kommune
    "navn": "OSLO KOMMUNE BYMILJØETATEN",
    "organisasjonsform": {"kode": "ORGL"},
    "institusjonellSektorkode": {"kode": "6500"},
    "forretningsadresse": {"kommunenummer": "0301"},
    "overordnetEnhet": "958935420",
}
DIGDIR = {
    "organisasjonsnummer": "991825827",
    "navn": "DIGITALISERINGSDIREKTORATET",
    "organisasjonsform": {"kode": "ORGL"},
    "institusjonellSektorkode": {"kode": "6100"},
    "forretningsadresse": {"kommunenummer": "4601"},
    "antallAnsatte": 1000,
}


def write(tmp_path, document, name="orgs.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_import_creates_agencies_with_sector_county_and_population(db, tmp_path):
    call_command(
        "import-orgs", str(write(tmp_path, {"_embedded": {"enheter": [OSLO, BYM, DIGDIR]}}))
    )
    oslo = Organisation.objects.get(orgnr="958935420")
    assert (oslo.sector, oslo.county, oslo.kind) == ("municipality", "Oslo-Oslove", "agency")
    assert oslo.population > 700_000
    assert Organisation.objects.get(orgnr="974778807").parent == oslo
    assert Organisation.objects.get(orgnr="991825827").sector == "state"
    assert AuditEntry.objects.filter(action="organisation.import.create").count() == 3


def test_reimport_updates_and_never_duplicates(db, tmp_path):
    call_command("import-orgs", str(write(tmp_path, [OSLO])))
    renamed = {**OSLO, "navn": "OSLO KOMMUNE (NYTT NAVN)"}
    call_command("import-orgs", str(write(tmp_path, [renamed], "again.json")))
    assert Organisation.objects.filter(orgnr="958935420").count() == 1
    assert Organisation.objects.get(orgnr="958935420").name == "OSLO KOMMUNE (NYTT NAVN)"


def test_an_invalid_record_imports_nothing_and_names_its_position(db, tmp_path):
    bad = {**DIGDIR, "organisasjonsnummer": "991825828"}
    with pytest.raises(CommandError) as exc:
        call_command("import-orgs", str(write(tmp_path, [OSLO, bad])))
    assert "record 2" in str(exc.value) and "991825828" in str(exc.value)
    assert Organisation.objects.count() == 0


def test_skip_invalid_imports_the_rest(db, tmp_path):
    bad = {**DIGDIR, "antallAnsatte": "many"}
    call_command("import-orgs", str(write(tmp_path, [OSLO, bad])), "--skip-invalid")
    assert list(Organisation.objects.values_list("orgnr", flat=True)) == ["958935420"]


def test_a_file_that_is_not_json_is_a_clear_error(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON at line 1"):
        call_command("import-orgs", str(path))
