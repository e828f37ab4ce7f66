"""Drafts of Annexes I–III to the Standard Contractual Clauses, filled from a supplier chain.

Implementing Decision (EU) 2021/914 leaves the annexes to the parties: Annex I lists the
parties (A), describes the transfer (B) and names the competent supervisory authority (C);
Annex II the technical and organisational measures; Annex III the sub-processors (modules
2 and 3 only). `draft_from_chain` takes what the chain and its assessment already know
(parties, countries, roles, module, data categories, sub-processors, declared measures)
and leaves marked gaps for what only the parties can write. The result is a *draft* to
edit, not contract text; the wording is ours. Output: Markdown-like text, DOCX or ODT,
in bokmål or English.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from mps.privacy.exports.cells import xml_safe
from mps.privacy.rules.constants import ROOT, SPECIAL_OR_NATIONAL_ID
from mps.privacy.rules.model import Assessment, Hop, Scenario

Language = Literal["nb", "en"]
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


@dataclass(frozen=True, slots=True)
class SccParty:
    name: str
    country: str
    role: str  # "controller" | "processor"
    address: str = ""
    contact: str = ""  # contact person: name, position, contact details
    activities: str = ""  # activities relevant to the data transferred


@dataclass(frozen=True, slots=True)
class Measure:
    area: str  # e.g. "Encryption", "Access control"
    description: str


@dataclass(frozen=True, slots=True)
class SubProcessor:
    name: str
    country: str
    address: str = ""
    contact: str = ""
    processing: str = ""  # what it does, and where its responsibility ends
    access: str = ""  # the chain's storage | processing | remote
    mechanism: str = ""  # the engine's transfer ground for this hop
    engaged_by: str = ""


@dataclass(frozen=True, slots=True)
class SccAnnexDraft:
    module: int  # 1..4
    exporter: SccParty
    importer: SccParty
    prepared_on: date
    data_subjects: tuple[str, ...] = ()
    data_categories: tuple[str, ...] = ()
    sensitive_data: tuple[str, ...] = ()
    sensitive_safeguards: str = ""
    frequency: str = ""  # one-off or continuous
    nature: str = ""
    purposes: str = ""
    retention: str = ""
    onward: str = ""  # for transfers to (sub-)processors: subject matter, nature, duration
    supervisory_authority: str = ""
    measures: tuple[Measure, ...] = ()
    subprocessors: tuple[SubProcessor, ...] = ()
    hop_id: str = ""
    notes: tuple[str, ...] = field(default=())  # what the chain's assessment says is missing
    language: Language = "nb"  # of the texts the draft was filled with; rendering default


_L: dict[str, dict[Language, str]] = {
    "title": {
        "nb": "Vedlegg I–III til standard personvernbestemmelser (SCC), utkast",
        "en": "Annexes I–III to the Standard Contractual Clauses (SCC), draft",
    },
    "intro": {
        "nb": "Utkastet er fylt ut fra leverandørkjeden slik den er erklært i markedsplassen, {day}. Felt merket {gap} må partene fylle ut. Kontroller alt før signering.",
        "en": "This draft is filled in from the supplier chain as declared in the marketplace on {day}. Fields marked {gap} must be completed by the parties. Check everything before signing.",
    },
    "gap": {"nb": "[fylles ut]", "en": "[to be completed]"},
    "module": {"nb": "Modul", "en": "Module"},
    "module_name": {"nb": "Modul {n}: {a} til {b}", "en": "Module {n}: {a} to {b}"},
    "controller": {"nb": "behandlingsansvarlig", "en": "controller"},
    "processor": {"nb": "databehandler", "en": "processor"},
    "annex1": {"nb": "Vedlegg I", "en": "Annex I"},
    "a_parties": {"nb": "A. Partene", "en": "A. The parties"},
    "exporter": {"nb": "Dataeksportør", "en": "Data exporter"},
    "importer": {"nb": "Dataimportør", "en": "Data importer"},
    "name": {"nb": "Navn", "en": "Name"},
    "address": {"nb": "Adresse", "en": "Address"},
    "country": {"nb": "Land", "en": "Country"},
    "contact": {
        "nb": "Kontaktperson (navn, stilling, kontaktopplysninger)",
        "en": "Contact person (name, position, contact details)",
    },
    "activities": {
        "nb": "Aktiviteter som gjelder de overførte opplysningene",
        "en": "Activities relevant to the data transferred",
    },
    "role": {"nb": "Rolle", "en": "Role"},
    "signature": {"nb": "Underskrift og dato", "en": "Signature and date"},
    "b_description": {
        "nb": "B. Beskrivelse av overføringen",
        "en": "B. Description of the transfer",
    },
    "data_subjects": {"nb": "Kategorier av registrerte", "en": "Categories of data subjects"},
    "data_categories": {
        "nb": "Kategorier av personopplysninger",
        "en": "Categories of personal data",
    },
    "sensitive": {
        "nb": "Særlige kategorier (og fødselsnummer) som overføres",
        "en": "Sensitive data transferred (and national identity numbers)",
    },
    "sensitive_safeguards": {
        "nb": "Begrensninger og garantier for disse",
        "en": "Restrictions and safeguards applied to them",
    },
    "none": {"nb": "Ingen", "en": "None"},
    "frequency": {
        "nb": "Hvor ofte (én gang eller løpende)",
        "en": "Frequency (one-off or continuous)",
    },
    "nature": {"nb": "Behandlingens art", "en": "Nature of the processing"},
    "purposes": {
        "nb": "Formål med overføringen og videre behandling",
        "en": "Purposes of the transfer and further processing",
    },
    "retention": {
        "nb": "Lagringstid eller kriterier for den",
        "en": "Retention period, or the criteria for it",
    },
    "onward": {
        "nb": "Ved overføring til (under)databehandlere: gjenstand, art og varighet",
        "en": "For transfers to (sub-)processors: subject matter, nature and duration",
    },
    "c_authority": {
        "nb": "C. Kompetent tilsynsmyndighet",
        "en": "C. Competent supervisory authority",
    },
    "authority_default": {
        "nb": "Datatilsynet (Norge)",
        "en": "Datatilsynet, the Norwegian Data Protection Authority",
    },
    "annex2": {
        "nb": "Vedlegg II: Tekniske og organisatoriske tiltak",
        "en": "Annex II: Technical and organisational measures",
    },
    "annex2_intro": {
        "nb": "Tiltakene under er det leverandørkjeden erklærer. Partene må beskrive dem konkret nok til at det er klart hva som gjøres.",
        "en": "The measures below are what the supplier chain declares. The parties must describe them concretely enough to show what is actually done.",
    },
    "annex3": {"nb": "Vedlegg III: Underdatabehandlere", "en": "Annex III: List of sub-processors"},
    "annex3_na": {
        "nb": "Gjelder ikke for modul {n}: vedlegg III brukes bare i modul 2 og 3.",
        "en": "Not applicable to module {n}: Annex III is used in modules 2 and 3 only.",
    },
    "annex3_empty": {
        "nb": "Kjeden oppgir ingen underdatabehandlere for denne mottakeren.",
        "en": "The chain lists no sub-processors for this recipient.",
    },
    "processing": {
        "nb": "Behandling og ansvarsdeling",
        "en": "Processing and division of responsibilities",
    },
    "access": {"nb": "Tilgang", "en": "Access"},
    "mechanism": {"nb": "Overføringsgrunnlag", "en": "Transfer ground"},
    "engaged_by": {"nb": "Engasjert av", "en": "Engaged by"},
    "notes": {
        "nb": "Merknader fra vurderingen av kjeden",
        "en": "Notes from the chain's assessment",
    },
    "storage": {"nb": "kun lagring", "en": "storage only"},
    "processing_access": {
        "nb": "behandler opplysningene i klartekst",
        "en": "processes the data in clear",
    },
    "remote": {"nb": "fjerntilgang (støtte)", "en": "remote (support) access"},
    "enc_area": {"nb": "Kryptering", "en": "Encryption"},
    "enc_desc": {
        "nb": "Opplysningene krypteres før overføring; nøklene holdes av eksportøren i EØS og er ikke tilgjengelige for importøren.",
        "en": "Data is encrypted before transfer; the keys are held by the exporter in the EEA and are not available to the importer.",
    },
    "access_area": {"nb": "Tilgang til opplysningene", "en": "Access to the data"},
}

for _code, _nb, _en in (
    ("eea", "innenfor EØS", "within the EEA"),
    ("adequacy", "tilstrekkelig beskyttelsesnivå (art. 45)", "adequacy decision (Art. 45)"),
    ("dpf", "EU–US Data Privacy Framework", "EU–US Data Privacy Framework"),
    ("scc", "SCC (art. 46)", "SCC (Art. 46)"),
    ("bcr", "bindende virksomhetsregler (art. 47)", "binding corporate rules (Art. 47)"),
    ("derogation", "unntak (art. 49)", "derogation (Art. 49)"),
    ("none", "mangler grunnlag", "no ground in place"),
):
    _L[f"mech_{_code}"] = {"nb": _nb, "en": _en}

_ACCESS_KEY = {"storage": "storage", "processing": "processing_access", "remote": "remote"}


def _t(key: str, language: Language, **kwargs: object) -> str:
    text = _L[key][language]
    return text.format(**kwargs) if kwargs else text


def _descendants(scenario: Scenario, hop_id: str) -> list[Hop]:
    """Every hop below `hop_id` in the chain, breadth first, in input order per level."""
    children: dict[str, list[Hop]] = {}
    for hop in scenario.hops:
        children.setdefault(hop.from_, []).append(hop)
    out: list[Hop] = []
    level = children.get(hop_id, [])
    while level:
        out.extend(level)
        level = [c for h in level for c in children.get(h.id, [])]
    return out


def draft_from_chain(
    scenario: Scenario,
    assessment: Assessment,
    hop_id: str,
    *,
    language: Language = "nb",
    exporter: SccParty | None = None,
    importer: SccParty | None = None,
    functions: Mapping[str, str] | None = None,
    category_labels: Mapping[str, str] | None = None,
    measures: tuple[Measure, ...] = (),
    data_subjects: tuple[str, ...] = (),
    frequency: str = "",
    nature: str = "",
    purposes: str = "",
    retention: str = "",
    onward: str = "",
    sensitive_safeguards: str = "",
    supervisory_authority: str = "",
) -> SccAnnexDraft:
    """An annex draft for the transfer to hop `hop_id`.

    `exporter`/`importer` override the parties taken from the chain (add addresses and
    contact persons there); `functions` maps hop id -> what that entity does (the vendor's
    declared function); `category_labels` maps data category codes to readable names;
    the remaining keyword arguments are the parts of the description only the parties
    know (left as marked gaps when empty). `measures` come after those the chain declares.
    Raises ValueError for an unknown hop or one that does not leave the EEA.
    """
    hops = {h.id: h for h in scenario.hops}
    results = {r.id: r for r in assessment.hops}
    if hop_id not in hops or hop_id not in results:
        raise ValueError(f"hop {hop_id!r}: not in the chain")
    hop, result = hops[hop_id], results[hop_id]
    if result.scc_module is None:
        raise ValueError(f"hop {hop_id!r}: stays in the EEA, so no SCCs are needed")
    functions = functions or {}
    labels = category_labels or {}
    if exporter is None:
        if hop.from_ == ROOT:
            c = scenario.controller
            exporter = SccParty(c.name, c.country, "controller")
        else:
            up = hops[hop.from_]
            exporter = SccParty(up.entity, up.country, up.role, activities=functions.get(up.id, ""))
    if importer is None:
        importer = SccParty(hop.entity, hop.country, hop.role, activities=functions.get(hop.id, ""))
    codes = hop.data_categories if hop.data_categories is not None else scenario.data_categories
    declared: list[Measure] = []
    if "encryption_eea_keys" in hop.safeguards:
        declared.append(Measure(_t("enc_area", language), _t("enc_desc", language)))
    declared.append(
        Measure(
            _t("access_area", language),
            _t(_ACCESS_KEY.get(hop.access, "processing_access"), language),
        )
    )
    subs = tuple(
        SubProcessor(
            name=h.entity,
            country=h.country,
            processing=functions.get(h.id, ""),
            access=_t(_ACCESS_KEY.get(h.access, "processing_access"), language),
            mechanism=results[h.id].mechanism if h.id in results else "",
            engaged_by=hops[h.from_].entity if h.from_ in hops else "",
        )
        for h in _descendants(scenario, hop_id)
    )
    return SccAnnexDraft(
        module=result.scc_module,
        exporter=exporter,
        importer=importer,
        prepared_on=scenario.assessed_on,
        data_categories=tuple(labels.get(c, c) for c in codes),
        sensitive_data=tuple(labels.get(c, c) for c in codes if c in SPECIAL_OR_NATIONAL_ID),
        measures=(*declared, *measures),
        subprocessors=subs,
        hop_id=hop_id,
        notes=(*result.missing_documents, *result.flags),
        language=language,
        data_subjects=tuple(data_subjects),
        frequency=frequency,
        nature=nature,
        purposes=purposes,
        retention=retention,
        onward=onward,
        sensitive_safeguards=sensitive_safeguards,
        supervisory_authority=supervisory_authority,
    )


# --- a small document model, rendered three ways -------------------------------------

# ("h1".."h4" | "p", text) | ("field", (label, value)) | ("table", (headings, rows))
Block = tuple[str, Any]


def blocks(draft: SccAnnexDraft, language: Language | None = None) -> list[Block]:
    language = language or draft.language
    gap = _t("gap", language)

    def val(text: str) -> str:
        return xml_safe(text).strip() or gap

    def role(r: str) -> str:
        return _t(r if r in ("controller", "processor") else "controller", language)

    def party(p: SccParty) -> list[Block]:
        return [
            ("field", (_t("name", language), val(p.name))),
            ("field", (_t("address", language), val(p.address))),
            ("field", (_t("country", language), val(p.country))),
            ("field", (_t("contact", language), val(p.contact))),
            ("field", (_t("activities", language), val(p.activities))),
            ("field", (_t("role", language), role(p.role))),
            ("field", (_t("signature", language), gap)),
        ]

    def mechanism(code: str) -> str:
        return _t(f"mech_{code}", language) if f"mech_{code}" in _L else xml_safe(code)

    roles = {
        1: ("controller", "controller"),
        2: ("controller", "processor"),
        3: ("processor", "processor"),
        4: ("processor", "controller"),
    }
    a, b = roles.get(draft.module, ("controller", "processor"))
    out: list[Block] = [
        ("h1", _t("title", language)),
        ("p", _t("intro", language, day=draft.prepared_on.isoformat(), gap=gap)),
        ("p", _t("module_name", language, n=draft.module, a=role(a), b=role(b))),
        ("h2", _t("annex1", language)),
        ("h3", _t("a_parties", language)),
        ("h4", _t("exporter", language)),
        *party(draft.exporter),
        ("h4", _t("importer", language)),
        *party(draft.importer),
        ("h3", _t("b_description", language)),
        ("field", (_t("data_subjects", language), val(", ".join(draft.data_subjects)))),
        ("field", (_t("data_categories", language), val(", ".join(draft.data_categories)))),
        (
            "field",
            (_t("sensitive", language), ", ".join(draft.sensitive_data) or _t("none", language)),
        ),
    ]
    if draft.sensitive_data:
        out.append(
            ("field", (_t("sensitive_safeguards", language), val(draft.sensitive_safeguards)))
        )
    out += [
        ("field", (_t("frequency", language), val(draft.frequency))),
        ("field", (_t("nature", language), val(draft.nature))),
        ("field", (_t("purposes", language), val(draft.purposes))),
        ("field", (_t("retention", language), val(draft.retention))),
    ]
    if draft.importer.role == "processor":
        out.append(("field", (_t("onward", language), val(draft.onward))))
    out += [
        ("h3", _t("c_authority", language)),
        ("p", val(draft.supervisory_authority or _t("authority_default", language))),
        ("h2", _t("annex2", language)),
        ("p", _t("annex2_intro", language)),
        *[("field", (xml_safe(m.area), val(m.description))) for m in draft.measures],
        ("h2", _t("annex3", language)),
    ]
    if draft.module not in (2, 3):
        out.append(("p", _t("annex3_na", language, n=draft.module)))
    elif not draft.subprocessors:
        out.append(("p", _t("annex3_empty", language)))
    else:
        heads = [
            _t(k, language)
            for k in (
                "name",
                "country",
                "address",
                "contact",
                "processing",
                "access",
                "mechanism",
                "engaged_by",
            )
        ]
        rows = [
            [
                val(s.name),
                val(s.country),
                val(s.address),
                val(s.contact),
                val(s.processing),
                xml_safe(s.access),
                mechanism(s.mechanism),
                xml_safe(s.engaged_by),
            ]
            for s in draft.subprocessors
        ]
        out.append(("table", (heads, rows)))
    if draft.notes:
        out.append(("h3", _t("notes", language)))
        out.append(("p", ", ".join(draft.notes)))
    return out


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(draft: SccAnnexDraft, language: Language | None = None) -> str:
    lines: list[str] = []
    for kind, content in blocks(draft, language):
        if kind != "field" and lines and lines[-1].startswith("- **"):
            lines.append("")
        if kind in ("h1", "h2", "h3", "h4"):
            lines += ["#" * int(kind[1]) + " " + content, ""]
        elif kind == "p":
            lines += [content, ""]
        elif kind == "field":
            label, value = content
            lines.append(f"- **{label}:** {value}")
        else:
            heads, rows = content
            lines += ["", "| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            lines.append("")
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def to_docx(draft: SccAnnexDraft, language: Language | None = None) -> bytes:
    language = language or draft.language
    from docx import Document

    document = Document()
    document.core_properties.title = _t("title", language)
    for kind, content in blocks(draft, language):
        if kind in ("h1", "h2", "h3", "h4"):
            document.add_heading(content, level=int(kind[1]))
        elif kind == "p":
            document.add_paragraph(content)
        elif kind == "field":
            label, value = content
            para = document.add_paragraph()
            para.add_run(label + ": ").bold = True
            para.add_run(value)
        else:
            heads, rows = content
            table = document.add_table(rows=1, cols=len(heads))
            table.style = "Table Grid"
            for cell, head in zip(table.rows[0].cells, heads, strict=True):
                cell.text = head
            for row in rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_odt(draft: SccAnnexDraft, language: Language | None = None) -> bytes:
    from odf import teletype
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P, Span

    doc = OpenDocumentText()
    bold = Style(name="Bold", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(bold)
    for kind, content in blocks(draft, language):
        if kind in ("h1", "h2", "h3", "h4"):
            doc.text.addElement(H(outlinelevel=int(kind[1]), text=content))
        elif kind == "p":
            para = P()
            teletype.addTextToElement(para, content)
            doc.text.addElement(para)
        elif kind == "field":
            label, value = content
            para = P()
            para.addElement(Span(stylename=bold, text=label + ": "))
            span = Span()
            teletype.addTextToElement(span, value)  # keeps line breaks and runs of spaces
            para.addElement(span)
            doc.text.addElement(para)
        else:
            heads, rows = content
            table = Table(name="Annex III")
            table.addElement(TableColumn(numbercolumnsrepeated=len(heads)))
            for values in [heads, *rows]:
                tr = TableRow()
                for value in values:
                    cell = TableCell(valuetype="string")
                    para = P()
                    teletype.addTextToElement(para, value)
                    cell.addElement(para)
                    tr.addElement(cell)
                table.addElement(tr)
            doc.text.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def render(draft: SccAnnexDraft, fmt: str, language: Language | None = None) -> bytes:
    """The draft as "md", "docx" or "odt", in `language` (default: the draft's)."""
    if fmt == "md":
        return to_markdown(draft, language).encode("utf-8")
    if fmt == "docx":
        return to_docx(draft, language)
    if fmt == "odt":
        return to_odt(draft, language)
    raise ValueError(f"unknown format {fmt!r}; use md, docx or odt")
