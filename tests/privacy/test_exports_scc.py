"""SCC Annex I–III drafts are filled from the chain: parties, module, categories, measures and sub-processors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from mps.privacy.exports.scc import (
    Measure,
    SccParty,
    draft_from_chain,
    render,
    to_docx,
    to_markdown,
    to_odt,
)
from mps.privacy.rules import assess, parse_scenario
from mps.privacy.rules.model import Assessment, Scenario

FIXTURES = Path(__file__).parent / "fixtures"
LABELS = {
    "contact": "kontaktopplysninger",
    "hr": "personalopplysninger",
    "health": "helseopplysninger",
    "national_id": "fødselsnummer",
}


def chain() -> tuple[Scenario, Assessment]:
    raw: dict[str, Any] = json.loads((FIXTURES / "demo_chain.json").read_text())
    raw["hops"] += [
        {
            "id": "h6",
            "from": "h3",
            "entity": "Ticket Tools Pte Ltd",
            "country": "SG",
            "role": "processor",
            "access": "remote",
        },
        {
            "id": "h7",
            "from": "h6",
            "entity": "Søk og Finn AS",
            "country": "NO",
            "role": "processor",
            "access": "storage",
        },
        {
            "id": "h8",
            "from": "h1",
            "entity": "Acme Research LLC",
            "country": "US",
            "role": "controller",
            "access": "processing",
            "safeguards": ["scc", "tia"],
        },
    ]
    scenario = parse_scenario(raw)
    return scenario, assess(scenario)


def test_module_3_draft_for_an_onward_transfer_names_processor_parties_and_sub_processors() -> None:
    scenario, result = chain()
    draft = draft_from_chain(
        scenario,
        result,
        "h3",
        functions={"h3": "Brukerstøtte", "h6": "Saksbehandlingsverktøy"},
        category_labels=LABELS,
    )
    assert draft.module == 3
    assert (draft.exporter.name, draft.exporter.role) == ("Acme Cloud Ireland Ltd", "processor")
    assert (draft.importer.name, draft.importer.country, draft.importer.activities) == (
        "Acme Support India Pvt Ltd",
        "IN",
        "Brukerstøtte",
    )
    assert draft.data_categories == (
        "kontaktopplysninger",
        "personalopplysninger",
        "helseopplysninger",
        "fødselsnummer",
    )
    assert draft.sensitive_data == ("helseopplysninger", "fødselsnummer")
    assert [(s.name, s.country, s.engaged_by) for s in draft.subprocessors] == [
        ("Ticket Tools Pte Ltd", "SG", "Acme Support India Pvt Ltd"),
        ("Søk og Finn AS", "NO", "Ticket Tools Pte Ltd"),
    ]
    assert draft.subprocessors[0].processing == "Saksbehandlingsverktøy"
    assert draft.subprocessors[0].mechanism == "none"
    assert "tia" in draft.notes and "remote_access_third_country" in draft.notes


def test_module_2_draft_has_the_agency_as_exporter_and_no_sub_processors() -> None:
    scenario, result = chain()
    draft = draft_from_chain(
        scenario,
        result,
        "h5",
        purposes="E-post til innbyggere",
        measures=(Measure("Logging", "Alle oppslag logges"),),
    )
    assert draft.module == 2
    assert (draft.exporter.name, draft.exporter.role, draft.exporter.country) == (
        "Eksempel kommune",
        "controller",
        "NO",
    )
    assert draft.data_categories == ("contact",) and draft.sensitive_data == ()
    assert draft.subprocessors == ()
    text = to_markdown(draft)
    assert "Kjeden oppgir ingen underdatabehandlere" in text
    assert "E-post til innbyggere" in text and "Alle oppslag logges" in text


def test_declared_encryption_with_eea_keys_becomes_an_annex_ii_measure() -> None:
    scenario, result = chain()
    draft = draft_from_chain(scenario, result, "h2", language="en")
    assert (
        draft.measures[0].area == "Encryption"
        and "held by the exporter in the EEA" in draft.measures[0].description
    )
    assert "storage only" in to_markdown(draft, "en")


def test_module_4_says_annex_iii_does_not_apply() -> None:
    scenario, result = chain()
    draft = draft_from_chain(scenario, result, "h8")
    assert draft.module == 4
    assert "Gjelder ikke for modul 4" in to_markdown(draft)
    assert "Not applicable to module 4" in to_markdown(draft, "en")


def test_eea_hop_and_unknown_hop_are_refused() -> None:
    scenario, result = chain()
    with pytest.raises(ValueError, match="stays in the EEA"):
        draft_from_chain(scenario, result, "h1")
    with pytest.raises(ValueError, match="not in the chain"):
        draft_from_chain(scenario, result, "nope")


def test_markdown_marks_the_gaps_the_parties_must_fill_and_has_all_three_annexes() -> None:
    scenario, result = chain()
    text = to_markdown(draft_from_chain(scenario, result, "h3", category_labels=LABELS))
    for needle in (
        "# Vedlegg I–III",
        "## Vedlegg I",
        "### A. Partene",
        "### B. Beskrivelse av overføringen",
        "### C. Kompetent tilsynsmyndighet",
        "Datatilsynet (Norge)",
        "## Vedlegg II",
        "## Vedlegg III",
        "| Ticket Tools Pte Ltd | SG |",
        "Modul 3: databehandler til databehandler",
    ):
        assert needle in text
    assert text.count("[fylles ut]") >= 5
    assert "fødselsnummer" in text and "| mangler grunnlag |" in text
    assert "\n\n#### Dataimportør\n" in text


def test_party_overrides_and_pipes_in_names_are_kept_safe_in_markdown_tables() -> None:
    scenario, result = chain()
    exporter = SccParty(
        "Acme Cloud Ireland Ltd",
        "IE",
        "processor",
        address="1 Dock Road, Dublin",
        contact="DPO, dpo@acme.example",
    )
    draft = draft_from_chain(scenario, result, "h3", exporter=exporter, functions={"h6": "a | b"})
    text = to_markdown(draft)
    assert "1 Dock Road, Dublin" in text and "a \\| b" in text


def test_docx_opens_with_the_annexes_and_the_sub_processor_table() -> None:
    from docx import Document

    scenario, result = chain()
    doc = Document(
        io.BytesIO(to_docx(draft_from_chain(scenario, result, "h3", category_labels=LABELS)))
    )
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Vedlegg III: Underdatabehandlere" in text and "fødselsnummer" in text
    (table,) = doc.tables
    assert [c.text for c in table.rows[1].cells][:2] == ["Ticket Tools Pte Ltd", "SG"]
    assert len(table.rows) == 3


def test_odt_opens_with_the_annexes() -> None:
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H, P

    scenario, result = chain()
    doc = load(io.BytesIO(to_odt(draft_from_chain(scenario, result, "h3", language="en"))))
    headings = [teletype.extractText(h) for h in doc.getElementsByType(H)]
    assert "Annex II: Technical and organisational measures" in headings
    body = " ".join(teletype.extractText(p) for p in doc.getElementsByType(P))
    assert "Søk og Finn AS" in body and "Acme Support India Pvt Ltd" in body


def test_render_picks_the_format() -> None:
    scenario, result = chain()
    draft = draft_from_chain(scenario, result, "h5")
    assert render(draft, "md").startswith(b"# Vedlegg")
    assert render(draft, "docx")[:2] == b"PK" and render(draft, "odt")[:2] == b"PK"
    with pytest.raises(ValueError):
        render(draft, "pdf")
