"""The call-off document: a template filled with agency, vendor, services and requirements,
written as PDF (WeasyPrint), ODT (odfpy) or DOCX (python-docx). No Django import: callers
hand in plain data (see mps.agreements.docdata), so the engine is testable on its own."""

from __future__ import annotations

import html
import io
import re
import string
from dataclasses import asdict, dataclass, field
from typing import Literal

#: Every placeholder a template may use, with what it stands for (shown to the operator).
PLACEHOLDERS: dict[str, str] = {
    "title": "the call-off's title",
    "agency_name": "the ordering agency",
    "agency_orgnr": "the agency's organisation number",
    "vendor_name": "the awarded vendor",
    "vendor_orgnr": "the vendor's organisation number",
    "agreement_name": "the framework agreement",
    "agreement_reference": "the agreement's reference",
    "lot": "the lot",
    "services": "the ordered services (a list when alone on a line, else comma-separated)",
    "requirements": "the agency's requirements",
    "estimated_value": "estimated value in NOK",
    "start": "start date",
    "end": "end date",
    "notice_months": "notice period in months",
    "notice_deadline": "last day to give notice",
    "generated_on": "the date the document was made",
}

DEFAULT_TITLE = "Avropsavtale: ${title}"
DEFAULT_BODY = """# Parter
Kunde: ${agency_name} (org.nr. ${agency_orgnr})
Leverandør: ${vendor_name} (org.nr. ${vendor_orgnr})

# Grunnlag
Avropet gjøres under rammeavtalen ${agreement_name} (${agreement_reference}), ${lot}.

# Tjenester
${services}

# Kundens krav
${requirements}

# Verdi og varighet
Estimert verdi: ${estimated_value} NOK ekskl. mva.
Avtaleperiode: ${start} til ${end}. Oppsigelsestid: ${notice_months} måneder; oppsigelse må skje senest ${notice_deadline}.

Dokumentet er laget ${generated_on} fra markedsplassens mal og kan redigeres før signering."""

DocFormat = Literal["pdf", "odt", "docx"]
MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

# "$$" is a literal dollar sign (string.Template), so a "$" preceded by another is no placeholder.
_PLACEHOLDER = re.compile(
    r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}|(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)"
)


# XML 1.0 §2.2 Char: text outside these ranges cannot be written to ODT or DOCX (or shown in HTML).
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Drop control characters and lone surrogates that no document format can hold."""
    return _NOT_XML_CHAR.sub("", text)


class TemplateError(ValueError):
    """A template uses a placeholder we do not know."""


@dataclass(frozen=True)
class ServiceLine:
    name: str
    category: str = ""


@dataclass(frozen=True)
class CallOffDocumentData:
    """Everything the template may refer to, as plain strings."""

    title: str
    agency_name: str
    agency_orgnr: str
    vendor_name: str
    vendor_orgnr: str
    agreement_name: str
    agreement_reference: str
    lot: str
    services: tuple[ServiceLine, ...]
    requirements: str
    estimated_value: str
    start: str
    end: str
    notice_months: str
    notice_deadline: str
    generated_on: str


@dataclass
class Block:
    kind: Literal["heading", "paragraph", "list"]
    lines: list[str] = field(default_factory=list)


@dataclass
class FilledDocument:
    title: str
    blocks: list[Block]


def unknown_placeholders(text: str) -> list[str]:
    """Placeholder names in `text` that the engine cannot fill."""
    names = {m.group(1) or m.group(2) for m in _PLACEHOLDER.finditer(text)}
    return sorted(n for n in names if n not in PLACEHOLDERS)


def _service_label(s: ServiceLine) -> str:
    return f"{s.name} ({s.category})" if s.category else s.name


def fill(title_template: str, body_template: str, data: CallOffDocumentData) -> FilledDocument:
    """Fill the template. A paragraph that is only ${services} becomes a bulleted list."""
    unknown = unknown_placeholders(title_template + "\n" + body_template)
    if unknown:
        raise TemplateError("unknown placeholder(s): " + ", ".join("${" + n + "}" for n in unknown))
    values = {k: xml_safe(v) for k, v in asdict(data).items() if k != "services"}
    labels = [xml_safe(_service_label(s)) for s in data.services] or ["–"]
    values["services"] = ", ".join(labels)
    values["requirements"] = values["requirements"].strip() or "–"
    title_template, body_template = xml_safe(title_template), xml_safe(body_template)

    def sub(text: str) -> str:
        return string.Template(text).safe_substitute(values)

    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", body_template.replace("\r\n", "\n").strip()):
        lines = chunk.split("\n")
        if chunk.strip() in {"${services}", "$services"}:
            blocks.append(Block("list", labels))
            continue
        paragraph: list[str] = []
        for line in lines:
            if line.startswith("# "):
                if paragraph:
                    blocks.append(Block("paragraph", paragraph))
                    paragraph = []
                blocks.append(Block("heading", [sub(line[2:].strip())]))
            elif line.strip() in {"${services}", "$services"}:
                if paragraph:
                    blocks.append(Block("paragraph", paragraph))
                    paragraph = []
                blocks.append(Block("list", labels))
            else:
                paragraph.extend(sub(line).split("\n"))
        if paragraph:
            blocks.append(Block("paragraph", paragraph))
    return FilledDocument(title=sub(title_template), blocks=blocks)


# --- writers ------------------------------------------------------------------------

_PDF_CSS = """
@page { size: A4; margin: 2cm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; }
h1 { font-size: 16pt; margin-bottom: 12pt; }
h2 { font-size: 12pt; margin-top: 14pt; }
"""


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """The document is self-contained; never fetch anything while rendering it."""
    raise ValueError(f"refusing to fetch {url!r} while rendering a call-off document")


def to_html(doc: FilledDocument, language: str = "nb") -> str:
    parts = [f"<h1>{html.escape(doc.title)}</h1>"]
    for block in doc.blocks:
        if block.kind == "heading":
            parts.append(f"<h2>{html.escape(block.lines[0])}</h2>")
        elif block.kind == "list":
            items = "".join(f"<li>{html.escape(line)}</li>" for line in block.lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>" + "<br>".join(html.escape(line) for line in block.lines) + "</p>")
    return (
        f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(doc.title)}</title><style>{_PDF_CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def to_pdf(doc: FilledDocument, language: str = "nb") -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=to_html(doc, language), url_fetcher=_refuse_fetch).write_pdf()
    return bytes(pdf)


def to_odt(doc: FilledDocument) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TextProperties
    from odf.text import H, LineBreak, List, ListItem, P, Span

    odt = OpenDocumentText()
    odt.meta.addElement(_odt_title(doc.title))
    h1 = Style(name="Heading 1", family="paragraph")
    h1.addElement(TextProperties(fontsize="16pt", fontweight="bold"))
    h2 = Style(name="Heading 2", family="paragraph")
    h2.addElement(TextProperties(fontsize="12pt", fontweight="bold"))
    h2.addElement(ParagraphProperties(margintop="0.3cm"))
    odt.styles.addElement(h1)
    odt.styles.addElement(h2)
    odt.text.addElement(H(outlinelevel=1, stylename=h1, text=doc.title))
    for block in doc.blocks:
        if block.kind == "heading":
            odt.text.addElement(H(outlinelevel=2, stylename=h2, text=block.lines[0]))
        elif block.kind == "list":
            lst = List()
            for line in block.lines:
                item = ListItem()
                item.addElement(P(text="• " + line))
                lst.addElement(item)
            odt.text.addElement(lst)
        else:
            para = P()
            for i, line in enumerate(block.lines):
                if i:
                    para.addElement(LineBreak())
                para.addElement(Span(text=line))
            odt.text.addElement(para)
    out = io.BytesIO()
    odt.write(out)
    return out.getvalue()


def _odt_title(title: str):  # type: ignore[no-untyped-def]
    from odf.dc import Title

    return Title(text=title)


def to_docx(doc: FilledDocument) -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = doc.title
    document.add_heading(doc.title, level=1)
    for block in doc.blocks:
        if block.kind == "heading":
            document.add_heading(block.lines[0], level=2)
        elif block.kind == "list":
            for line in block.lines:
                document.add_paragraph(line, style="List Bullet")
        else:
            para = document.add_paragraph()
            for i, line in enumerate(block.lines):
                run = para.add_run(line)
                if i < len(block.lines) - 1:
                    run.add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render(doc: FilledDocument, fmt: str, language: str = "nb") -> bytes:
    if fmt == "pdf":
        return to_pdf(doc, language)
    if fmt == "odt":
        return to_odt(doc)
    if fmt == "docx":
        return to_docx(doc)
    raise ValueError(f"unknown document format {fmt!r}; use pdf, odt or docx")
