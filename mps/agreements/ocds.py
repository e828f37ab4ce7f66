"""Open Contracting Data Standard 1.1 releases for framework agreements and call-offs.

No Django import: mps.agreements.export turns models into the plain inputs below. The
output dataclasses mirror OCDS 1.1 objects (field names as in the schema, hence camelCase)
and serialise with `to_json`, dropping empty fields as the standard recommends.

Modelling (OCDS 1.1 guidance on framework agreements): the framework agreement is the
first-stage contracting process, with one award per awarded vendor and lot; each call-off
is its own second-stage process whose relatedProcesses entry has relationship "framework"
and points at the agreement's ocid (codelist relatedProcess, scheme "ocid").
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

OCDS_VERSION = "1.1"
#: The lots extension adds tender.lots and awards[].relatedLots (OCDS extension registry).
LOTS_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"
#: org-id.guide code for Brønnøysundregistrene's Enhetsregisteret (Norwegian organisation numbers).
NORWEGIAN_SCHEME = "NO-BRC"
CURRENCY = "NOK"
LANGUAGE = "nb"

# Our statuses → OCDS 1.1 codelists (tenderStatus, awardStatus, contractStatus).
AGREEMENT_TENDER_STATUS = {
    "planned": "planned",
    "open": "complete",
    "active": "complete",
    "expired": "complete",
}
AGREEMENT_AWARD_STATUS = {
    "planned": "pending",
    "open": "active",
    "active": "active",
    "expired": "active",
}
CALLOFF_AWARD_STATUS = {
    "draft": "pending",
    "active": "active",
    "ended": "active",
    "cancelled": "cancelled",
}
CALLOFF_CONTRACT_STATUS = {
    "draft": "pending",
    "active": "active",
    "ended": "terminated",
    "cancelled": "cancelled",
}


# --- inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgInput:
    name: str
    orgnr: str | None = None
    scheme: str = ""  # for foreign entities: e.g. GB-COH
    identifier: str = ""

    @property
    def party_id(self) -> str:
        if self.orgnr:
            return f"{NORWEGIAN_SCHEME}-{self.orgnr}"
        return f"{self.scheme or 'XX'}-{self.identifier or self.name}"


@dataclass(frozen=True)
class ServiceInput:
    pk: int
    name: str
    category: str = ""


@dataclass(frozen=True)
class AwardInput:
    vendor: OrgInput
    services: tuple[ServiceInput, ...] = ()
    awarded_on: date | None = None


@dataclass(frozen=True)
class LotInput:
    pk: int
    number: int
    name: str
    category: str
    awards: tuple[AwardInput, ...] = ()


@dataclass(frozen=True)
class AgreementInput:
    pk: int
    reference: str
    name: str
    description: str
    start: date
    end: date
    status: str
    updated: datetime
    operator: OrgInput
    lots: tuple[LotInput, ...] = ()


@dataclass(frozen=True)
class CallOffInput:
    pk: int
    title: str
    agreement_pk: int
    agreement_name: str
    lot_number: int
    lot_name: str
    agency: OrgInput
    vendor: OrgInput
    services: tuple[ServiceInput, ...]
    value: Decimal
    start: date
    end: date
    status: str
    updated: datetime
    requirements: str = ""


# --- OCDS objects ----------------------------------------------------------------------


@dataclass
class Identifier:
    scheme: str
    id: str
    legalName: str = ""


@dataclass
class Party:
    id: str
    name: str
    identifier: Identifier
    roles: list[str]


@dataclass
class OrganizationReference:
    id: str
    name: str


@dataclass
class Period:
    startDate: str
    endDate: str


@dataclass
class Value:
    amount: float
    currency: str = CURRENCY


@dataclass
class Item:
    id: str
    description: str
    relatedLot: str = ""


@dataclass
class OcdsLot:
    id: str
    title: str
    status: str = ""


@dataclass
class Tender:
    id: str
    title: str
    status: str
    description: str = ""
    procurementMethod: str = ""
    procurementMethodDetails: str = ""
    mainProcurementCategory: str = "services"
    contractPeriod: Period | None = None
    lots: list[OcdsLot] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


@dataclass
class OcdsAward:
    id: str
    status: str
    suppliers: list[OrganizationReference]
    title: str = ""
    date: str = ""
    items: list[Item] = field(default_factory=list)
    relatedLots: list[str] = field(default_factory=list)
    contractPeriod: Period | None = None


@dataclass
class Contract:
    id: str
    awardID: str
    status: str
    title: str = ""
    description: str = ""
    period: Period | None = None
    value: Value | None = None
    items: list[Item] = field(default_factory=list)


@dataclass
class RelatedProcess:
    id: str
    relationship: list[str]
    title: str
    scheme: str
    identifier: str


@dataclass
class Release:
    ocid: str
    id: str
    date: str
    tag: list[str]
    initiationType: str
    parties: list[Party]
    buyer: OrganizationReference
    tender: Tender
    language: str = LANGUAGE
    awards: list[OcdsAward] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    relatedProcesses: list[RelatedProcess] = field(default_factory=list)


@dataclass
class Publisher:
    name: str
    scheme: str = ""
    uid: str = ""


@dataclass
class ReleasePackage:
    uri: str
    version: str
    publishedDate: str
    publisher: Publisher
    releases: list[Release]
    extensions: list[str] = field(default_factory=lambda: [LOTS_EXTENSION])


def to_json(obj: Any) -> Any:
    """Serialise an OCDS dataclass; empty strings, lists and None are left out (OCDS: omit, don't blank)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in fields(obj):
            value = to_json(getattr(obj, f.name))
            if value in (None, "", []):
                continue
            out[f.name] = value
        return out
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    return obj


# --- builders ------------------------------------------------------------------------


def agreement_ocid(prefix: str, pk: int) -> str:
    return f"{prefix}-agreement-{pk}"


def calloff_ocid(prefix: str, pk: int) -> str:
    return f"{prefix}-calloff-{pk}"


def _stamp(moment: datetime) -> str:
    return moment.isoformat()


def _release_id(ocid: str, updated: datetime) -> str:
    # A new release id whenever the object changes (release ids are unique per version).
    return f"{ocid}-{updated.strftime('%Y%m%dT%H%M%S')}"


def _party(org: OrgInput, roles: list[str]) -> Party:
    if org.orgnr:
        ident = Identifier(scheme=NORWEGIAN_SCHEME, id=org.orgnr, legalName=org.name)
    else:
        ident = Identifier(scheme=org.scheme, id=org.identifier, legalName=org.name)
    return Party(id=org.party_id, name=org.name, identifier=ident, roles=roles)


def _ref(org: OrgInput) -> OrganizationReference:
    return OrganizationReference(id=org.party_id, name=org.name)


def _period(start: date, end: date) -> Period:
    return Period(
        startDate=f"{start.isoformat()}T00:00:00Z", endDate=f"{end.isoformat()}T23:59:59Z"
    )


def agreement_release(prefix: str, agreement: AgreementInput) -> Release:
    """The framework agreement as a first-stage process: tender with lots, one award per vendor and lot."""
    ocid = agreement_ocid(prefix, agreement.pk)
    parties: dict[str, Party] = {
        agreement.operator.party_id: _party(agreement.operator, ["buyer", "procuringEntity"])
    }
    lots: list[OcdsLot] = []
    awards: list[OcdsAward] = []
    award_status = AGREEMENT_AWARD_STATUS.get(agreement.status, "pending")
    period = _period(agreement.start, agreement.end)
    for lot in agreement.lots:
        lot_id = f"lot-{lot.number}"
        lots.append(
            OcdsLot(id=lot_id, title=lot.name, status="complete" if lot.awards else "active")
        )
        for award in lot.awards:
            party = parties.setdefault(award.vendor.party_id, _party(award.vendor, []))
            if "supplier" not in party.roles:
                party.roles.append("supplier")
            awards.append(
                OcdsAward(
                    id=f"{lot_id}-{award.vendor.party_id}",
                    title=f"{lot.name}: {award.vendor.name}",
                    status=award_status,
                    date=f"{award.awarded_on.isoformat()}T00:00:00Z" if award.awarded_on else "",
                    suppliers=[_ref(award.vendor)],
                    items=[
                        Item(id=f"service-{s.pk}", description=s.name, relatedLot=lot_id)
                        for s in award.services
                    ],
                    relatedLots=[lot_id],
                    contractPeriod=period,
                )
            )
    tag = ["tender", "award"] if awards else ["tender"]
    if agreement.status == "planned":
        tag = ["planning"]
    return Release(
        ocid=ocid,
        id=_release_id(ocid, agreement.updated),
        date=_stamp(agreement.updated),
        tag=tag,
        initiationType="tender",
        parties=list(parties.values()),
        buyer=_ref(agreement.operator),
        tender=Tender(
            id=agreement.reference,
            title=agreement.name,
            description=agreement.description,
            status=AGREEMENT_TENDER_STATUS.get(agreement.status, "planned"),
            procurementMethod="open",
            procurementMethodDetails="Framework agreement",
            contractPeriod=period,
            lots=lots,
        ),
        awards=awards,
    )


def calloff_release(prefix: str, calloff: CallOffInput) -> Release:
    """A call-off as a second-stage process with its award and contract, pointing at its framework."""
    ocid = calloff_ocid(prefix, calloff.pk)
    lot_id = f"lot-{calloff.lot_number}"
    items = [
        Item(id=f"service-{s.pk}", description=s.name, relatedLot=lot_id) for s in calloff.services
    ]
    period = _period(calloff.start, calloff.end)
    award_id = f"{ocid}-award"
    tag = ["award", "contract"]
    if calloff.status in {"ended", "cancelled"}:
        tag.append("contractTermination")
    return Release(
        ocid=ocid,
        id=_release_id(ocid, calloff.updated),
        date=_stamp(calloff.updated),
        tag=tag,
        initiationType="tender",
        parties=[
            _party(calloff.agency, ["buyer", "procuringEntity"]),
            _party(calloff.vendor, ["supplier"]),
        ],
        buyer=_ref(calloff.agency),
        tender=Tender(
            id=f"{ocid}-tender",
            title=calloff.title,
            status="complete" if calloff.status != "cancelled" else "cancelled",
            procurementMethod="limited",
            procurementMethodDetails="Call-off from a framework agreement",
            lots=[OcdsLot(id=lot_id, title=calloff.lot_name)],
            items=items,
        ),
        awards=[
            OcdsAward(
                id=award_id,
                title=calloff.title,
                status=CALLOFF_AWARD_STATUS.get(calloff.status, "pending"),
                suppliers=[_ref(calloff.vendor)],
                items=items,
                relatedLots=[lot_id],
                contractPeriod=period,
            )
        ],
        contracts=[
            Contract(
                id=f"{ocid}-contract",
                awardID=award_id,
                title=calloff.title,
                status=CALLOFF_CONTRACT_STATUS.get(calloff.status, "pending"),
                period=period,
                value=Value(amount=float(calloff.value)),
                items=items,
            )
        ],
        relatedProcesses=[
            RelatedProcess(
                id="framework",
                relationship=["framework"],
                title=calloff.agreement_name,
                scheme="ocid",
                identifier=agreement_ocid(prefix, calloff.agreement_pk),
            )
        ],
    )


def release_package(
    releases: list[Release], *, uri: str, publisher: OrgInput, published: datetime
) -> ReleasePackage:
    return ReleasePackage(
        uri=uri,
        version=OCDS_VERSION,
        publishedDate=_stamp(published),
        publisher=Publisher(
            name=publisher.name,
            scheme=NORWEGIAN_SCHEME if publisher.orgnr else "",
            uid=publisher.orgnr or "",
        ),
        releases=releases,
    )
