"""A central function sees an agency's evidence only while an operator's grant is in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from mps.core import actions as core_actions
from mps.core.models import AuditEntry, EvidenceGrant
from mps.core.tenancy import viewer_for
from mps.organisations.models import Organisation
from mps.organisations.orgnr import synthetic_orgnr
from mps.riskscore import actions
from mps.riskscore.models import Finding
from tests.conftest import make_user
from tests.riskscore.helpers import verified_eksempel, web_and_tls  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("web_and_tls")]


@pytest.fixture
def finding(world):
    verified_eksempel(world)
    actions.run_scan(world.eksempel)
    return Finding.objects.get(check_id="http.hsts.missing")


def logged_in(user) -> Client:
    """A client of its own per user (the ``login`` fixture shares one)."""
    client = Client()
    client.force_login(user)
    return client


def in_a_month():
    return timezone.localdate() + timedelta(days=30)


def evidence_pages(world, finding):
    return (
        f"/risiko/funn/{finding.pk}/",
        f"/risiko/virksomhet/{world.eksempel.pk}/forklaring/",
        f"/risiko/virksomhet/{world.eksempel.pk}/fotavtrykk/",
        f"/api/v1/riskscore/findings/{finding.pk}",
        f"/api/v1/riskscore/organisations/{world.eksempel.pk}/findings",
    )


def test_the_operator_opens_an_agencys_evidence_to_a_central_function_and_ends_it(world, finding):
    nina, ola = logged_in(world.nina), logged_in(world.ola)
    assert {nina.get(url).status_code for url in evidence_pages(world, finding)} == {404}

    page = ola.post(
        "/risiko/innsyn/",
        {
            "grantee": world.central.pk,
            "subject": world.eksempel.orgnr,
            "reason": "Hendelse 2026-117: mistenkt innbrudd",
            "expires_on": in_a_month().isoformat(),
        },
    )

    assert page.status_code == 302
    assert {nina.get(url).status_code for url in evidence_pages(world, finding)} == {200}
    agency_page = nina.get(f"/risiko/virksomhet/{world.eksempel.pk}/").content.decode()
    assert "http.hsts.missing" in agency_page or f"/risiko/funn/{finding.pk}/" in agency_page
    assert "Hendelse 2026-117" in agency_page
    assert "/skann/" not in agency_page  # seeing is not acting
    assert nina.post(f"/risiko/funn/{finding.pk}/test-pa-nytt/").status_code in (403, 404)
    entry = AuditEntry.objects.get(action="core.evidence_grant")
    assert entry.organisation_id == world.eksempel.pk  # the agency sees it in its own log

    grant = EvidenceGrant.objects.get()
    assert ola.post(f"/risiko/innsyn/{grant.pk}/avslutt/").status_code == 302
    assert {nina.get(url).status_code for url in evidence_pages(world, finding)} == {404}
    assert AuditEntry.objects.filter(
        action="core.evidence_revoke", organisation=world.eksempel
    ).exists()


def test_an_expired_grant_shows_nothing(world, login, finding):
    grant = core_actions.do_grant_evidence(
        viewer_for(world.ola), world.central, world.eksempel, "tilsyn", timezone.localdate()
    )
    nina = login(world.nina)
    assert nina.get(f"/risiko/funn/{finding.pk}/").status_code == 200  # ends at the day's end
    EvidenceGrant.objects.filter(pk=grant.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert nina.get(f"/risiko/funn/{finding.pk}/").status_code == 404


def test_a_grant_opens_one_agency_to_one_central_function_only(world, finding):
    other_central = Organisation.objects.create(
        name="KommuneCSIRT", kind="central", orgnr=synthetic_orgnr(61)
    )
    kim = make_user(other_central, "kim", "member")
    core_actions.do_grant_evidence(
        viewer_for(world.ola), world.central, world.eksempel, "tilsyn", in_a_month()
    )
    assert logged_in(kim).get(f"/risiko/funn/{finding.pk}/").status_code == 404
    assert "tilsyn" not in logged_in(kim).get("/risiko/innsyn/").content.decode()
    assert "tilsyn" in logged_in(world.nina).get("/risiko/innsyn/").content.decode()


def test_only_the_operator_grants_and_only_a_central_function_an_agencys_evidence(world):
    with pytest.raises(PermissionDenied):
        core_actions.do_grant_evidence(
            viewer_for(world.alice), world.central, world.eksempel, "x", in_a_month()
        )
    assert logged_in(world.nina).post("/risiko/innsyn/", {}).status_code == 403
    assert logged_in(world.alice).get("/risiko/innsyn/").status_code == 404
    with pytest.raises(ValidationError) as caught:
        core_actions.do_grant_evidence(
            viewer_for(world.ola),
            world.vendor,
            world.operator,
            " ",
            timezone.localdate() + timedelta(days=400),
        )
    assert set(caught.value.message_dict) == {"grantee", "subject", "reason", "expires_on"}
    assert "Skyleverandør AS" in caught.value.message_dict["grantee"][0]
    assert not EvidenceGrant.objects.exists()


def test_a_bad_organisation_number_on_the_grant_form_is_named(world, login):
    page = login(world.ola).post(
        "/risiko/innsyn/",
        {"grantee": world.central.pk, "subject": "999999999", "reason": "x", "expires_on": ""},
    )
    assert page.status_code == 400
    assert "999999999" in page.content.decode()
