"""The demo's organisations and users: real municipalities and state agencies, fictitious vendors."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from mps.accounts.models import User
from mps.organisations.actions import do_import_organisations
from mps.organisations.enhetsregisteret import OrgRecord
from mps.organisations.models import Organisation
from mps.organisations.orgnr import synthetic_orgnr
from mps.organisations.reference import municipalities, public_entities

DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105 - printed for the local demo; never used outside it
OPERATOR_ORGNR = "991825827"  # Digitaliseringsdirektoratet runs the marketplace in the demo
CENTRAL_ORGNR = "985165262"  # Nasjonal sikkerhetsmyndighet (NSM)
DEMO_AGENCY_ORGNR = "921234554"  # Drammen kommune: the demo agency users' organisation
STATE_FORMS = {"STAT", "SF", "ORGL"}

# Fictitious vendors: names invented for the demo, organisation numbers synthetic (99…).
FICTITIOUS_VENDORS = (
    ("Nordlys Sky AS", None),
    ("Fjordnett Cloud AS", None),
    ("Vestavind Data AS", None),
    ("Polar Plattform AS", None),
    ("Bergverk Drift AS", None),
    ("Atlantic Hyperscale Norge AS", ("US", "US-EIN", "00-0000001", "Atlantic Hyperscale Inc.")),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    organisation: str  # "agency", "vendor", "operator", "central"
    description: str


DEMO_USERS = (
    DemoUser("kari", "admin", "agency", "agency administrator (Drammen kommune)"),
    DemoUser("per", "member", "agency", "agency member (Drammen kommune)"),
    DemoUser("lise", "read_only", "agency", "agency read-only (Drammen kommune)"),
    DemoUser("vera", "admin", "vendor", "vendor administrator (Nordlys Sky AS)"),
    DemoUser("ola", "admin", "operator", "marketplace operator (Digdir)"),
    DemoUser("nina", "member", "central", "central function analyst (NSM)"),
)


def _state_records(rng: random.Random) -> list[OrgRecord]:
    records = []
    for e in public_entities():
        upper = e.name.upper()
        if e.org_form == "FYLK" and "SLETTING" not in upper:
            sector = "county_municipality"
        elif e.org_form in STATE_FORMS and "KOMMUNE" not in upper:
            sector = "state"
        else:
            continue
        records.append(
            OrgRecord(
                orgnr=e.orgnr,
                name=e.name,
                org_form=e.org_form,
                sector_code="6100" if sector == "state" else "6500",
                sector=sector,
                kommunenummer="",
                employees=rng.choice([40, 120, 350, 800, 1500, 4000]),
                parent_orgnr=None,
                website=e.homepage,
            )
        )
    return records


def _municipality_records(rng: random.Random) -> list[OrgRecord]:
    return [
        OrgRecord(
            orgnr=m.orgnr,
            name=f"{m.name} kommune",
            org_form="KOMM",
            sector_code="6500",
            sector="municipality",
            kommunenummer=m.kommunenummer,
            employees=max(30, int(m.population * rng.uniform(0.06, 0.09))),
            parent_orgnr=None,
            website="",
        )
        for m in municipalities()
        if m.orgnr
    ]


@transaction.atomic
def seed_organisations(rng: random.Random) -> dict[str, object]:
    records = _municipality_records(rng) + _state_records(rng)
    seen: set[str] = set()
    unique = [r for r in records if not (r.orgnr in seen or seen.add(r.orgnr))]
    do_import_organisations("demo", unique, [], kind="agency")
    Organisation.objects.filter(orgnr=OPERATOR_ORGNR).update(kind="operator", sector="state")
    Organisation.objects.filter(orgnr=CENTRAL_ORGNR).update(kind="central", sector="state")
    vendors = []
    for index, (name, foreign_parent) in enumerate(FICTITIOUS_VENDORS, start=1):
        vendor, _ = Organisation.objects.update_or_create(
            orgnr=synthetic_orgnr(1000 + index),
            defaults={"name": name, "kind": "vendor", "synthetic": True},
        )
        if foreign_parent:
            country, scheme, ident, parent_name = foreign_parent
            parent, _ = Organisation.objects.update_or_create(
                country=country,
                foreign_scheme=scheme,
                foreign_id=ident,
                defaults={"name": parent_name, "kind": "vendor", "synthetic": True},
            )
            vendor.parent = parent
            vendor.save(update_fields=["parent"])
        vendors.append(vendor)
    return {
        "operator": Organisation.objects.get(orgnr=OPERATOR_ORGNR),
        "central": Organisation.objects.get(orgnr=CENTRAL_ORGNR),
        "agencies": list(Organisation.objects.filter(kind="agency").order_by("name")),
        "vendors": vendors,
        "demo_agency": Organisation.objects.get(orgnr=DEMO_AGENCY_ORGNR),
    }


def seed_users(orgs: dict[str, object]) -> dict[str, User]:
    home = {
        "agency": orgs["demo_agency"],
        "vendor": orgs["vendors"][0],
        "operator": orgs["operator"],
        "central": orgs["central"],
    }
    users = {}
    for demo in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=demo.username)
        user.organisation = home[demo.organisation]
        user.role = demo.role
        user.email = f"{demo.username}@demo.invalid"
        user.is_staff = demo.organisation == "operator"
        user.is_superuser = False
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[demo.username] = user
    return users
