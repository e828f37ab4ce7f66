"""Demo services for the fictitious vendors: a realistic mix for the register pages.

Each vendor gets a handful of services chosen from a catalogue (IaaS, PaaS, SaaS, DCaaS) with
Norwegian, EEA and non-EEA data locations and the usual certificates, a few of them expired
or about to expire; some services have an older published version, one is withdrawn and one
is still a draft. Idempotent: a service the vendor already has (by name) is left alone.

Shares ctx.extra["services_by_vendor"]: {vendor Organisation: [published Service, ...]}.
"""

from __future__ import annotations

import dataclasses
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mps.registry import actions
from mps.registry.actions import CertificationData, LocationData, ServiceData
from mps.registry.models import Service, Status

ORDER = 10

# Services per vendor (a fictitious vendor offers a handful; the catalogue has 14).
SERVICES_PER_VENDOR = (4, 7)


@dataclass(frozen=True)
class Template:
    name: str
    category: str
    nb: str
    en: str
    locations: tuple[tuple[str, str], ...]
    standards: tuple[str, ...]


CATALOGUE = (
    Template(
        "Virtuelle maskiner",
        "IaaS",
        "Virtuelle maskiner med valgfri størrelse, driftet i Norge.",
        "Virtual machines of any size, run in Norway.",
        (("NO", "Oslo DC1"), ("NO", "Stavanger DC2")),
        ("ISO/IEC 27001", "ISO 22301"),
    ),
    Template(
        "Objektlagring",
        "IaaS",
        "S3-kompatibel objektlagring med versjonering og geo-replikering.",
        "S3-compatible object storage with versioning and geo-replication.",
        (("NO", "Azure norwayeast"), ("NO", "Azure norwaywest")),
        ("ISO/IEC 27001", "ISO/IEC 27017"),
    ),
    Template(
        "Sikkerhetskopi",
        "IaaS",
        "Sikkerhetskopi av servere og databaser med uforanderlige kopier.",
        "Backup of servers and databases with immutable copies.",
        (("NO", "Oslo DC1"), ("SE", "Stockholm")),
        ("ISO/IEC 27001",),
    ),
    Template(
        "Kubernetes-plattform",
        "PaaS",
        "Administrert Kubernetes med logging og overvåking.",
        "Managed Kubernetes with logging and monitoring.",
        (("DE", "AWS eu-central-1"),),
        ("ISO/IEC 27001", "BSI C5", "SOC 2"),
    ),
    Template(
        "Database som tjeneste",
        "PaaS",
        "PostgreSQL som tjeneste med automatisk failover.",
        "PostgreSQL as a service with automatic failover.",
        (("NO", "Google europe-north2"), ("FI", "Google europe-north1")),
        ("ISO/IEC 27001", "ISO/IEC 27018"),
    ),
    Template(
        "Integrasjonsplattform",
        "PaaS",
        "Meldingskøer og API-forvaltning for offentlige integrasjoner.",
        "Message queues and API management for public-sector integrations.",
        (("IE", "Azure northeurope"), ("NL", "Azure westeurope")),
        ("ISO/IEC 27001", "SOC 2", "CSA STAR"),
    ),
    Template(
        "Sak og arkiv",
        "SaaS",
        "Sak- og arkivsystem i tråd med Noark 5.",
        "Case and records management following Noark 5.",
        (("NO", "Oslo DC1"),),
        ("ISO/IEC 27001", "ISO/IEC 27701"),
    ),
    Template(
        "E-post og samhandling",
        "SaaS",
        "E-post, kalender og dokumentsamarbeid.",
        "E-mail, calendar and document collaboration.",
        (("NO", "Microsoft Norway East"), ("US", "Microsoft global support")),
        ("ISO/IEC 27001", "ISO/IEC 27018", "SOC 2"),
    ),
    Template(
        "Økonomi og lønn",
        "SaaS",
        "Regnskap, fakturering og lønn for kommuner.",
        "Accounting, invoicing and payroll for municipalities.",
        (("NO", "Bergen DC"),),
        ("ISO/IEC 27001", "ISO 9001"),
    ),
    Template(
        "Innbyggerdialog",
        "SaaS",
        "Chat og skjema for innbyggere, med ID-porten-innlogging.",
        "Chat and forms for residents, with ID-porten login.",
        (("SE", "Stockholm"), ("US", "AWS us-east-1")),
        ("SOC 2",),
    ),
    Template(
        "Helsejournal",
        "SaaS",
        "Journal for helse- og omsorgstjenester i kommunen.",
        "Health and care records for municipal services.",
        (("NO", "Trondheim DC"),),
        ("ISO/IEC 27001", "ISO/IEC 27701"),
    ),
    Template(
        "Samlokalisering",
        "DCaaS",
        "Rackplass med redundant strøm og kjøling.",
        "Rack space with redundant power and cooling.",
        (("NO", "Oslo DC1"),),
        ("ISO/IEC 27001", "ISO 9001", "ISO 22301"),
    ),
    Template(
        "Analyseplattform",
        "PaaS",
        "Datavarehus og dashbord for styringsdata.",
        "Data warehouse and dashboards for management data.",
        (("DK", "Copenhagen"), ("IN", "Support Bangalore")),
        ("ISO/IEC 27001", "SOC 2"),
    ),
    Template(
        "Nettsidepublisering",
        "SaaS",
        "Publiseringsløsning for kommunale nettsider, universelt utformet.",
        "Publishing platform for accessible municipal websites.",
        (("NO", "Oslo DC1"), ("DE", "Hetzner fsn1")),
        ("ISO/IEC 27001",),
    ),
)

ISSUERS = ("DNV", "BSI Group", "Bureau Veritas", "Kiwa", "EY CertifyPoint")


def _certificates(
    rng: random.Random, standards: tuple[str, ...], today: date, index: int
) -> tuple[CertificationData, ...]:
    certs = []
    for j, standard in enumerate(standards):
        if (index + j) % 9 == 4:
            valid_until = today - timedelta(days=rng.randint(5, 120))  # expired
        elif (index + j) % 7 == 2:
            valid_until = today + timedelta(days=rng.randint(10, 85))  # expiring within 90 days
        else:
            valid_until = today + timedelta(days=rng.randint(200, 1000))
        scope = "" if standard in {"SOC 2", "CSA STAR"} else "Drift og utvikling av tjenesten"
        certs.append(CertificationData(standard, valid_until, scope, rng.choice(ISSUERS)))
    return tuple(certs)


def _data(
    template: Template, vendor_name: str, rng: random.Random, today: date, index: int
) -> ServiceData:
    short = vendor_name.split()[0]
    return ServiceData(
        name=f"{short} {template.name}",
        category=template.category,
        description_nb=template.nb,
        description_en=template.en,
        locations=tuple(LocationData(c, r) for c, r in template.locations),
        certifications=_certificates(rng, template.standards, today, index),
    )


LATIN = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def platform_domain(vendor: Any) -> str:
    """The shared platform domain the demo declares on a vendor's first service (fictitious,
    under the reserved ``.test``); the risk score's demo points an agency's DNS at it."""
    slug = re.sub(r"[^a-z0-9]+", "-", vendor.name.split()[0].lower().translate(LATIN)).strip("-")
    return f"apps.{slug}.test"


def load(ctx) -> None:
    by_vendor: dict = {}
    created = 0
    for v_index, vendor in enumerate(ctx.vendors):
        rng = random.Random(
            f"registry-demo-{vendor.orgnr or vendor.pk}"
        )  # stable per vendor across runs
        templates = rng.sample(CATALOGUE, rng.randint(*SERVICES_PER_VENDOR))
        existing = {s.name: s for s in Service.objects.filter(vendor=vendor)}
        for t_index, template in enumerate(templates):
            data = _data(template, vendor.name, rng, ctx.today, v_index + t_index)
            if t_index == 0:
                data = dataclasses.replace(data, platform_domains=(platform_domain(vendor),))
            if data.name in existing:
                continue
            service = actions.create_service(None, vendor, data)
            kind = (v_index + t_index) % 10
            if kind != 9:  # one in ten stays a draft
                actions.publish(None, service)
            if kind in (1, 5):  # an older version is in the history
                changed = ServiceData(
                    name=data.name,
                    category=data.category,
                    description_nb=data.description_nb + " Nå med døgnåpen norsk kundestøtte.",
                    description_en=data.description_en + " Now with 24/7 support in Norway.",
                    locations=data.locations,
                    certifications=data.certifications,
                    platform_domains=data.platform_domains,
                )
                actions.save_draft(None, service, changed)
                actions.publish(None, service)
            if kind == 7:
                actions.withdraw(None, service)
            created += 1
        by_vendor[vendor] = list(
            Service.objects.filter(vendor=vendor, status=Status.PUBLISHED).order_by(
                "sort_name", "id"
            )
        )
    ctx.extra["services_by_vendor"] = by_vendor
    ctx.log(
        f"registry: {created} services created, {sum(len(s) for s in by_vendor.values())} published"
    )
