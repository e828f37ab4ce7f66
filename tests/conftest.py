"""Named test organisations and users, shared by the whole suite.

- Eksempel kommune (agency): alice (admin), mari (member), rolf (read-only)
- Annen kommune (agency): bob (admin)
- Skyleverandør AS (vendor): vera (admin); Annen Sky AS (vendor): viktor (admin)
- Markedsplassen (operator): ola (admin)
- NSM (central function): nina (member)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from mps.organisations.orgnr import synthetic_orgnr

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    eksempel: Any
    annen: Any
    vendor: Any
    other_vendor: Any
    operator: Any
    central: Any
    alice: Any
    mari: Any
    rolf: Any
    bob: Any
    vera: Any
    viktor: Any
    ola: Any
    nina: Any


def make_user(org, username: str, role: str):
    from mps.accounts.models import User

    user = User(username=username, email=f"{username}@example.test", organisation=org, role=role)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world(db) -> World:
    from mps.organisations.models import Organisation

    eksempel = Organisation.objects.create(
        name="Eksempel kommune",
        kind="agency",
        orgnr=synthetic_orgnr(10),
        sector="municipality",
        kommunenummer="3301",
        county="Buskerud",
        population=25_000,
        employees=2_000,
    )
    annen = Organisation.objects.create(
        name="Annen kommune",
        kind="agency",
        orgnr=synthetic_orgnr(20),
        sector="municipality",
        kommunenummer="4601",
        county="Vestland",
        population=30_000,
        employees=2_500,
    )
    vendor = Organisation.objects.create(
        name="Skyleverandør AS", kind="vendor", orgnr=synthetic_orgnr(30), synthetic=True
    )
    other_vendor = Organisation.objects.create(
        name="Annen Sky AS", kind="vendor", orgnr=synthetic_orgnr(40), synthetic=True
    )
    operator = Organisation.objects.create(
        name="Markedsplassen", kind="operator", orgnr=synthetic_orgnr(50)
    )
    central = Organisation.objects.create(name="NSM", kind="central", orgnr=synthetic_orgnr(60))
    return World(
        eksempel=eksempel,
        annen=annen,
        vendor=vendor,
        other_vendor=other_vendor,
        operator=operator,
        central=central,
        alice=make_user(eksempel, "alice", "admin"),
        mari=make_user(eksempel, "mari", "member"),
        rolf=make_user(eksempel, "rolf", "read_only"),
        bob=make_user(annen, "bob", "admin"),
        vera=make_user(vendor, "vera", "admin"),
        viktor=make_user(other_vendor, "viktor", "admin"),
        ola=make_user(operator, "ola", "admin"),
        nina=make_user(central, "nina", "member"),
    )


@pytest.fixture
def login(client):
    """Log a named user in on the test client: `login(world.alice)`."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
