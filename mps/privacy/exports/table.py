"""The record as a table: the Norwegian column headings and one row of text per activity.

Every tabular format (ODS, XLSX, CSV) and the PDF use this one table, so they always agree.
The columns follow GDPR Art. 30(1) (a)-(g) in order; the last three are not required by
Art. 30 but are what an agency is asked for next (legal basis, special-category condition,
systems). The headings are our own wording; each names the point of Art. 30 it answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mps.privacy.exports.record import Activity, Article30Record, Party, Transfer

#: How a transfer ground is written in the record (bokmål).
MECHANISM_NB: dict[str, str] = {
    "eea": "innenfor EØS (ingen overføring)",
    "adequacy": "beslutning om tilstrekkelig beskyttelsesnivå (art. 45)",
    "dpf": "EU–US Data Privacy Framework (art. 45)",
    "scc": "standard personvernbestemmelser, SCC (art. 46 nr. 2 bokstav c)",
    "bcr": "bindende virksomhetsregler (art. 47)",
    "derogation": "unntak for særlige situasjoner (art. 49)",
    "none": "mangler overføringsgrunnlag",
}
STATUS_NB: dict[str, str] = {"ok": "i orden", "action": "tiltak trengs", "blocked": "stoppet"}


def lines(items: tuple[str, ...]) -> str:
    return "\n".join(i for i in items if i)


def transfer_text(t: Transfer) -> str:
    ground = MECHANISM_NB.get(t.mechanism, t.mechanism)
    text = f"{t.recipient} ({t.country}): {ground}"
    if t.via:
        text += f", via {t.via}"
    if t.status:
        text += f" [{STATUS_NB.get(t.status, t.status)}]"
    return text


def transfers_cell(a: Activity) -> str:
    return lines((*(transfer_text(t) for t in a.transfers if t.is_transfer), a.other_transfers))


def safeguards_cell(a: Activity) -> str:
    return lines(
        tuple(
            f"{t.recipient}: {t.safeguards}" for t in a.transfers if t.is_transfer and t.safeguards
        )
    )


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # stable key, used by JSON and tests
    heading: str  # bokmål heading shown in the file
    width: int  # characters, for spreadsheets
    value: Callable[[Activity], str]


def _number(a: Activity) -> str:
    return a.reference


CONTROLLER_COLUMNS: tuple[Column, ...] = (
    Column("reference", "Nr.", 8, _number),
    Column("name", "Behandlingsaktivitet", 30, lambda a: a.name),
    Column(
        "joint_controller",
        "Felles behandlingsansvarlig (art. 30 nr. 1 a)",
        28,
        lambda a: a.joint_controller,
    ),
    Column("purposes", "Formålene med behandlingen (art. 30 nr. 1 b)", 40, lambda a: a.purposes),
    Column(
        "data_subjects",
        "Kategorier av registrerte (art. 30 nr. 1 c)",
        28,
        lambda a: lines(a.data_subjects),
    ),
    Column(
        "data_categories",
        "Kategorier av personopplysninger (art. 30 nr. 1 c)",
        32,
        lambda a: lines(a.data_categories),
    ),
    Column("recipients", "Kategorier av mottakere (art. 30 nr. 1 d)", 32, lambda a: a.recipients),
    Column(
        "transfers",
        "Overføring til tredjeland eller internasjonal organisasjon (art. 30 nr. 1 e)",
        45,
        transfers_cell,
    ),
    Column(
        "safeguards",
        "Dokumentasjon av garantier ved overføring (art. 30 nr. 1 e)",
        40,
        safeguards_cell,
    ),
    Column(
        "erasure_limits",
        "Planlagte frister for sletting (art. 30 nr. 1 f)",
        30,
        lambda a: a.erasure_limits,
    ),
    Column(
        "security_measures",
        "Tekniske og organisatoriske sikkerhetstiltak (art. 30 nr. 1 g)",
        45,
        lambda a: a.security_measures,
    ),
    Column("legal_bases", "Behandlingsgrunnlag (art. 6)", 28, lambda a: lines(a.legal_bases)),
    Column(
        "special_condition",
        "Vilkår for særlige kategorier eller straffedommer (art. 9 og 10)",
        32,
        lambda a: a.special_condition,
    ),
    Column("services", "Tjenester og systemer som brukes", 30, lambda a: lines(a.services)),
)

PROCESSOR_COLUMNS: tuple[Column, ...] = (
    Column("reference", "Nr.", 8, _number),
    Column("name", "Behandlingsaktivitet", 30, lambda a: a.name),
    Column(
        "processor_for",
        "Behandlingsansvarlige vi behandler for (art. 30 nr. 2 a)",
        36,
        lambda a: a.processor_for,
    ),
    Column("purposes", "Kategorier av behandling (art. 30 nr. 2 b)", 40, lambda a: a.purposes),
    Column(
        "transfers",
        "Overføring til tredjeland eller internasjonal organisasjon (art. 30 nr. 2 c)",
        45,
        transfers_cell,
    ),
    Column(
        "safeguards",
        "Dokumentasjon av garantier ved overføring (art. 30 nr. 2 c)",
        40,
        safeguards_cell,
    ),
    Column(
        "security_measures",
        "Tekniske og organisatoriske sikkerhetstiltak (art. 30 nr. 2 d)",
        45,
        lambda a: a.security_measures,
    ),
    Column("services", "Tjenester og systemer som brukes", 30, lambda a: lines(a.services)),
)

TRANSFER_HEADINGS: tuple[str, ...] = (
    "Behandlingsaktivitet",
    "Mottaker",
    "Land eller organisasjon",
    "Overføringsgrunnlag",
    "Garantier og dokumentasjon",
    "Vurdering",
    "Via",
)


def controller_lines(record: Article30Record) -> list[tuple[str, str]]:
    """Art. 30(1)(a): the label/value block above the table."""

    def party(p: Party | None) -> str:
        return p.text() if p else ""

    return [
        ("Behandlingsansvarlig", record.controller.name),
        ("Organisasjonsnummer", record.controller.organisation_number),
        ("Kontaktopplysninger", record.controller.contact),
        ("Personvernombud", party(record.dpo)),
        ("Representant (art. 27)", party(record.representative)),
        ("Protokollen gjelder per", record.as_of.isoformat()),
    ]


def rows(activities: tuple[Activity, ...], columns: tuple[Column, ...]) -> list[list[str]]:
    """One row of cell text per activity; numbered 1, 2, … where the agency gave no number."""
    out = []
    for i, activity in enumerate(activities, start=1):
        row = [column.value(activity) for column in columns]
        if columns[0].key == "reference" and not row[0]:
            row[0] = str(i)
        out.append(row)
    return out


def transfer_rows(record: Article30Record) -> list[list[str]]:
    """Every third-country transfer on its own row, for the transfers sheet."""
    return [
        [
            a.name,
            t.recipient,
            t.country,
            MECHANISM_NB.get(t.mechanism, t.mechanism),
            t.safeguards,
            STATUS_NB.get(t.status, t.status),
            t.via,
        ]
        for a in record.activities
        for t in a.transfers
        if t.is_transfer
    ]
