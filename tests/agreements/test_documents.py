"""The call-off document: filled from the template, opened as PDF, ODT and DOCX."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from mps.agreements import documents
from mps.agreements.models import CallOffTemplate
from tests.agreements.helpers import active_calloff, make_cips

EXPECTED = (
    "Eksempel kommune",
    "Skyleverandør AS",
    "Sky VM",
    "Sky Objektlager",
    "Data lagres i Norge.",
)


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _odt_text(content: bytes) -> str:
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H, P

    doc = load(io.BytesIO(content))
    return "\n".join(
        teletype.extractText(e) for kind in (H, P) for e in doc.getElementsByType(kind)
    )


def _docx_text(content: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


@pytest.fixture
def calloff(world):
    cips = make_cips(world)
    return active_calloff(world.alice, cips, world, services=[cips.vm, cips.storage])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "reader", "media_type"),
    [
        ("calloff_pdf", _pdf_text, "application/pdf"),
        ("calloff_odt", _odt_text, "application/vnd.oasis.opendocument.text"),
        (
            "calloff_docx",
            _docx_text,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_downloaded_document_names_agency_vendor_services_and_requirements(
    world, login, calloff, name, reader, media_type
):
    response = login(world.alice).get(reverse(f"agreements:{name}", args=[calloff.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert "attachment" in response["Content-Disposition"]
    text = reader(response.content)
    for needle in EXPECTED:
        assert needle in text, f"{needle!r} missing from {name}"


@pytest.mark.django_db
def test_operator_template_is_used_when_present(world, login, calloff):
    CallOffTemplate.objects.create(
        name="Egen mal",
        agreement=calloff.agreement,
        title="Bestilling ${title}",
        body="# Kunde\n${agency_name}\n\n# Leverandør\n${vendor_name}\n\n${services}",
    )
    content = login(world.alice).get(reverse("agreements:calloff_docx", args=[calloff.pk])).content
    text = _docx_text(content)
    assert text.startswith("Bestilling Drift av fagsystem")
    assert "Sky VM (IaaS)" in text and "Eksempel kommune" in text


def _data(**kw) -> documents.CallOffDocumentData:
    values = dict(
        title="T",
        agency_name="A",
        agency_orgnr="1",
        vendor_name="V",
        vendor_orgnr="2",
        agreement_name="R",
        agreement_reference="R-1",
        lot="Lot 1",
        services=(documents.ServiceLine("S1", "IaaS"),),
        requirements="",
        estimated_value="0",
        start="s",
        end="e",
        notice_months="3",
        notice_deadline="n",
        generated_on="g",
    )
    values.update(kw)
    return documents.CallOffDocumentData(**values)


def test_unknown_placeholder_is_an_error_naming_it():
    with pytest.raises(documents.TemplateError, match=r"\$\{agency_nmae\}"):
        documents.fill("x", "${agency_nmae}", _data())


def test_services_alone_on_a_line_become_a_list_and_inline_they_are_joined():
    doc = documents.fill(
        "x",
        "Tjenester: ${services}\n\n${services}",
        _data(services=(documents.ServiceLine("S1"), documents.ServiceLine("S2", "PaaS"))),
    )
    assert doc.blocks[0].lines == ["Tjenester: S1, S2 (PaaS)"]
    assert doc.blocks[1].kind == "list" and doc.blocks[1].lines == ["S1", "S2 (PaaS)"]


def test_hostile_text_is_escaped_in_pdf_html_and_nothing_is_fetched():
    doc = documents.fill(
        "x",
        "${requirements}",
        _data(requirements='<img src="http://127.0.0.1:9/x.png"> & <script>'),
    )
    html = documents.to_html(doc)
    assert "<img" not in html and "&lt;img" in html and "<script>" not in html
    assert documents.to_pdf(doc).startswith(b"%PDF")


def test_odt_and_docx_are_zip_packages_with_the_right_mimetype():
    doc = documents.fill(documents.DEFAULT_TITLE, documents.DEFAULT_BODY, _data())
    odt = zipfile.ZipFile(io.BytesIO(documents.to_odt(doc)))
    assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    docx = zipfile.ZipFile(io.BytesIO(documents.to_docx(doc)))
    assert "word/document.xml" in docx.namelist()


def test_unknown_format_is_rejected():
    with pytest.raises(ValueError, match="rtf"):
        documents.render(documents.fill("x", "y", _data()), "rtf")


def test_double_dollar_is_a_literal_dollar_not_a_placeholder():
    doc = documents.fill("x", "Pris i $$USD: ${estimated_value}", _data(estimated_value="5"))
    assert doc.blocks[0].lines == ["Pris i $USD: 5"]


@settings(max_examples=20, deadline=None)
@given(st.text(max_size=300), st.text(max_size=80), st.lists(st.text(max_size=40), max_size=5))
def test_any_text_fills_and_writes_without_crashing_and_is_escaped(requirements, agency, services):
    data = _data(
        requirements=requirements,
        agency_name=agency,
        services=tuple(documents.ServiceLine(s) for s in services),
    )
    doc = documents.fill(documents.DEFAULT_TITLE, documents.DEFAULT_BODY, data)
    html = documents.to_html(doc)
    assert "<script" not in html.replace("&lt;script", "")
    assert documents.to_docx(doc)[:2] == b"PK" and documents.to_odt(doc)[:2] == b"PK"


def test_control_characters_are_dropped_so_every_format_can_be_written():
    doc = documents.fill("x", "${agency_name}", _data(agency_name="Kommune\x1f\x00 A"))
    assert doc.blocks[0].lines == ["Kommune A"]
    assert documents.to_docx(doc)[:2] == b"PK" and documents.to_odt(doc)[:2] == b"PK"
