"""The agency's Article 30 record, built from its stored activities for the export writers.

mps.privacy.exports never touches the database; this module fills its dataclasses. The
third-country transfers come from the stored hop assessments (every hop outside the EEA of
every linked chain), so the record always matches what the pages show. Labels are bokmål:
the record is a Norwegian public body's document.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.utils import translation

from mps.privacy import taxonomy
from mps.privacy.exports import Activity, Article30Record, Party, Transfer
from mps.privacy.models import HopAssessment, ProcessingActivity

_DOC_NB = {
    "scc_annexes_i_iii": "SCC-vedlegg I–III",
    "tia": "TIA",
    "bcr_art47": "BCR",
    "dpf_yearly_certification_check": "årlig DPF-kontroll",
    "dpa_art28": "databehandleravtale",
}


def _safeguards(hop: HopAssessment) -> str:
    in_place = [d for d in hop.documents if d not in hop.missing_documents]
    parts = []
    for doc in in_place:
        if doc.startswith("scc_module_"):
            parts.append(f"SCC modul {doc.rsplit('_', 1)[1]}")
        else:
            parts.append(_DOC_NB.get(doc, doc))
    if hop.missing_documents:
        missing = ", ".join(
            f"SCC modul {d.rsplit('_', 1)[1]}" if d.startswith("scc_module_") else _DOC_NB.get(d, d)
            for d in hop.missing_documents
        )
        parts.append(f"mangler: {missing}")
    return "; ".join(parts)


def article30_record(agency: Any, on: date) -> Article30Record:
    activities = list(
        ProcessingActivity.objects.filter(agency=agency)
        .prefetch_related("services")
        .order_by("name", "id")
    )
    hops: dict[int, list[HopAssessment]] = defaultdict(list)
    for hop in (
        HopAssessment.objects.filter(activity__agency=agency)
        .exclude(mechanism="eea")
        .select_related("service")
        .order_by("activity_id", "service_id", "position")
    ):
        hops[hop.activity_id].append(hop)
    with translation.override("nb"):
        bases = dict(taxonomy.LEGAL_BASES)
        subjects = dict(taxonomy.DATA_SUBJECTS)
        rows = tuple(
            Activity(
                name=a.name,
                purposes=a.purposes,
                data_subjects=tuple(str(subjects.get(s, s)) for s in a.data_subjects),
                data_categories=tuple(taxonomy.label(c) for c in a.data_categories),
                recipients=a.recipients,
                transfers=tuple(
                    Transfer(
                        recipient=h.entity,
                        country=h.country,
                        mechanism=h.mechanism,
                        safeguards=_safeguards(h),
                        status=h.status,
                        via=h.service.name,
                    )
                    for h in hops.get(a.pk, [])
                ),
                other_transfers=a.other_transfers,
                erasure_limits=a.erasure_limits,
                security_measures=a.security_measures,
                joint_controller=a.joint_controller,
                legal_bases=tuple(str(bases.get(b, b)) for b in a.legal_bases),
                special_condition=a.special_condition,
                services=tuple(s.name for s in a.services.all()),
                reference=str(a.pk),
                kind=a.kind,
                processor_for=a.processor_for,
            )
            for a in activities
        )
    dpo = next((a.dpo_contact for a in activities if a.dpo_contact), "")
    representative = next((a.representative for a in activities if a.representative), "")
    contact = next((a.controller_contact for a in activities if a.controller_contact), "")
    return Article30Record(
        controller=Party(name=agency.name, contact=contact, organisation_number=agency.orgnr or ""),
        as_of=on,
        activities=rows,
        dpo=Party(name=dpo) if dpo else None,
        representative=Party(name=representative) if representative else None,
    )
