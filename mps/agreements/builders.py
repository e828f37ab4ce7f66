"""Turn agreement models into the plain inputs of the document and OCDS engines.

The engines (documents.py, ocds.py) know nothing of Django; this module does the queries,
with a fixed number of them whatever the data size.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import formats, timezone

from mps.agreements import documents, ocds
from mps.agreements.models import Award, CallOff, CallOffTemplate, FrameworkAgreement, Lot
from mps.core.tenancy import Viewer, visible

DEFAULT_OCID_PREFIX = "ocds-mps000"


def ocid_prefix() -> str:
    return getattr(settings, "MPS_OCID_PREFIX", DEFAULT_OCID_PREFIX)


# --- documents ------------------------------------------------------------------------


def template_for(calloff: CallOff) -> tuple[str, str]:
    """The agreement's own template if it has one, else the default template, else the built-in text."""
    chosen = (
        CallOffTemplate.objects.filter(agreement_id=calloff.agreement_id)
        .order_by("-updated_at")
        .first()
        or CallOffTemplate.objects.filter(agreement__isnull=True).order_by("-updated_at").first()
    )
    if chosen is None:
        return documents.DEFAULT_TITLE, documents.DEFAULT_BODY
    return chosen.title, chosen.body


def _money(value: Any) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def document_data(calloff: CallOff) -> documents.CallOffDocumentData:
    services = tuple(
        documents.ServiceLine(name=s.name, category=s.category) for s in calloff.services.all()
    )
    return documents.CallOffDocumentData(
        title=calloff.title,
        agency_name=calloff.agency.name,
        agency_orgnr=calloff.agency.orgnr or calloff.agency.identifier,
        vendor_name=calloff.vendor.name,
        vendor_orgnr=calloff.vendor.orgnr or calloff.vendor.identifier,
        agreement_name=calloff.agreement.name,
        agreement_reference=calloff.agreement.reference,
        lot=str(calloff.lot),
        services=services,
        requirements=calloff.requirements,
        estimated_value=_money(calloff.estimated_value),
        start=formats.date_format(calloff.start, "SHORT_DATE_FORMAT"),
        end=formats.date_format(calloff.end, "SHORT_DATE_FORMAT"),
        notice_months=str(calloff.notice_months),
        notice_deadline=formats.date_format(calloff.notice_deadline, "SHORT_DATE_FORMAT"),
        generated_on=formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
    )


def calloff_document(calloff: CallOff, fmt: str, language: str = "nb") -> bytes:
    title, body = template_for(calloff)
    filled = documents.fill(title, body, document_data(calloff))
    return documents.render(filled, fmt, language)


# --- OCDS -------------------------------------------------------------------------------


def _org(org: Any) -> ocds.OrgInput:
    return ocds.OrgInput(
        name=org.name, orgnr=org.orgnr or None, scheme=org.foreign_scheme, identifier=org.foreign_id
    )


def _service(s: Any) -> ocds.ServiceInput:
    return ocds.ServiceInput(pk=s.pk, name=s.name, category=s.category)


def agreement_inputs(agreements: Any, operator: Any) -> list[ocds.AgreementInput]:
    award_qs = (
        Award.objects.select_related("vendor").prefetch_related("services").order_by("vendor__name")
    )
    lot_qs = Lot.objects.prefetch_related(Prefetch("awards", queryset=award_qs)).order_by("number")
    rows = agreements.prefetch_related(Prefetch("lots", queryset=lot_qs)).order_by("pk")
    result = []
    for a in rows:
        lots = tuple(
            ocds.LotInput(
                pk=lot.pk,
                number=lot.number,
                name=lot.name,
                category=lot.category,
                awards=tuple(
                    ocds.AwardInput(
                        vendor=_org(aw.vendor),
                        services=tuple(_service(s) for s in aw.services.all()),
                        awarded_on=aw.awarded_on,
                    )
                    for aw in lot.awards.all()
                ),
            )
            for lot in a.lots.all()
        )
        result.append(
            ocds.AgreementInput(
                pk=a.pk,
                reference=a.reference,
                name=a.name,
                description=a.description_nb or a.description_en,
                start=a.period_start,
                end=a.period_end,
                status=a.status,
                updated=a.updated_at,
                operator=operator,
                lots=lots,
            )
        )
    return result


def calloff_inputs(calloffs: Any) -> list[ocds.CallOffInput]:
    rows = (
        calloffs.select_related("agency", "vendor", "agreement", "lot")
        .prefetch_related("services")
        .order_by("pk")
    )
    return [
        ocds.CallOffInput(
            pk=c.pk,
            title=c.title,
            agreement_pk=c.agreement_id,
            agreement_name=c.agreement.name,
            lot_number=c.lot.number,
            lot_name=c.lot.name,
            agency=_org(c.agency),
            vendor=_org(c.vendor),
            services=tuple(_service(s) for s in c.services.all()),
            value=c.estimated_value,
            start=c.start,
            end=c.end,
            status=c.status,
            updated=c.updated_at,
            requirements=c.requirements,
        )
        for c in rows
    ]


def _operator_input() -> ocds.OrgInput:
    from mps.organisations.models import Organisation

    operator = Organisation.objects.filter(kind="operator").order_by("pk").first()
    if operator is None:
        return ocds.OrgInput(name="mps")
    return _org(operator)


def ocds_package(
    viewer: Viewer, *, uri: str, agreement_id: int | None = None, include_calloffs: bool = True
) -> ocds.ReleasePackage:
    """A release package of the agreements and the call-offs the viewer may see.

    Drafts are not published: a call-off enters OCDS once it is active (or later ended/cancelled).
    """
    agreements = visible(FrameworkAgreement, viewer)
    calloffs = visible(CallOff, viewer).exclude(status=CallOff.Status.DRAFT)
    if agreement_id is not None:
        agreements = agreements.filter(pk=agreement_id)
        calloffs = calloffs.filter(agreement_id=agreement_id)
    operator = _operator_input()
    prefix = ocid_prefix()
    releases = [ocds.agreement_release(prefix, a) for a in agreement_inputs(agreements, operator)]
    if include_calloffs:
        releases += [ocds.calloff_release(prefix, c) for c in calloff_inputs(calloffs)]
    published = max((r.date for r in releases), default=None)
    return ocds.release_package(
        releases,
        uri=uri,
        publisher=operator,
        published=timezone.now() if published is None else _parse(published),
    )


def _parse(stamp: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(stamp)
