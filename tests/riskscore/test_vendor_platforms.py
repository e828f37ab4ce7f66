"""Hosts on a vendor's shared platform (declared in the service register) are the vendor's.

The local test internet's eksempel.test has ``portal CNAME portal.hosting.test.``: the agency's
DNS points at a hosting platform that a vendor declares as its own.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from mps.core.models import AuditEntry
from mps.core.tenancy import viewer_for
from mps.registry import actions as registry
from mps.riskscore import actions, reports
from mps.riskscore.models import Asset
from tests.registry.factories import make_service, service_data
from tests.riskscore.helpers import verified_eksempel, web_and_tls  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("web_and_tls")]


def hosting(world, publish=True):
    return make_service(
        world.vendor, "Skyhotell", platform_domains=("*.Hosting.test",), publish=publish
    )


def test_a_vendor_declares_platform_domains_that_are_normalised_and_deduplicated(world):
    data = registry.validate(
        service_data(
            "Skyhotell", platform_domains=("*.Hosting.TEST.", "hosting.test", "", "bærum.test")
        )
    )
    assert data.platform_domains == ("hosting.test", "xn--brum-voa.test")


def test_a_bad_platform_domain_is_refused_naming_the_value(world):
    with pytest.raises(ValidationError) as caught:
        registry.validate(
            service_data("Skyhotell", platform_domains=("hosting.test", "ex ample", "test"))
        )
    errors = caught.value.message_dict["platform_domains"]
    assert len(errors) == 2
    assert "'ex ample'" in errors[0] and "2" in errors[0]
    assert "'test'" in errors[1] and "two labels" in errors[1]


def test_an_agency_cannot_claim_a_host_on_a_vendors_platform(world):
    hosting(world)
    with pytest.raises(ValidationError) as caught:
        actions.do_add_asset(viewer_for(world.alice), world.eksempel, "host", "kunde.hosting.test")
    [message] = caught.value.message_dict["value"]
    assert "Skyleverandør AS" in message and "Skyhotell" in message
    assert not Asset.objects.filter(value="kunde.hosting.test").exists()


def test_the_vendor_itself_may_add_a_name_on_its_own_platform(world):
    hosting(world)
    asset = actions.do_add_asset(viewer_for(world.vera), world.vendor, "domain", "hosting.test")
    assert asset.status == Asset.Status.PENDING


def test_discovery_attributes_a_cname_target_on_a_platform_to_the_vendor_not_the_agency(
    world, login
):
    service = hosting(world)
    domain = verified_eksempel(world)

    found = {a.value: a for a in actions.do_discover(viewer_for(world.alice), domain)}

    portal = found["portal.hosting.test"]
    assert portal.status == Asset.Status.VENDOR
    assert portal.platform_service_id == service.pk
    assert found["mail.eksempel.test"].status == Asset.Status.SUGGESTED
    with pytest.raises(ValidationError):
        actions.do_decide_suggestion(viewer_for(world.alice), portal, True)
    page = login(world.alice).get(f"/risiko/virksomhet/{world.eksempel.pk}/fotavtrykk/")
    body = page.content.decode()
    platforms = body.split("<h2>", 2)[1]
    assert "portal.hosting.test" in platforms and "Skyhotell" in platforms


def test_publishing_a_platform_takes_an_agencys_host_out_of_its_score_and_withdrawing_returns_it(
    world, django_capture_on_commit_callbacks
):
    # annen.test is a live, well-run site on the test internet; here it plays a vendor platform.
    host = actions.do_add_asset(viewer_for(world.alice), world.eksempel, "host", "annen.test")
    actions.do_verify_asset(viewer_for(world.ola), host, "operator", note="checked by phone")
    actions.run_scan(world.eksempel)
    assert {f.asset for f, _ in reports.scored_findings(world.eksempel.pk)} == {"annen.test"}

    with django_capture_on_commit_callbacks(execute=True):
        service = make_service(world.vendor, "Skyhotell", platform_domains=("annen.test",))

    host.refresh_from_db()
    assert host.status == Asset.Status.VENDOR and host.platform_service_id == service.pk
    assert reports.scored_findings(world.eksempel.pk) == []
    assert reports.organisation_report(world.eksempel).result.score is None
    assert AuditEntry.objects.filter(
        action="riskscore.asset_platform", object_id=str(host.pk)
    ).exists()

    with django_capture_on_commit_callbacks(execute=True):
        registry.withdraw(None, service)

    host.refresh_from_db()
    assert host.status == Asset.Status.SUGGESTED and host.platform_service_id is None


def test_the_daily_recheck_applies_platforms_published_while_the_signal_was_missed(world):
    verified_eksempel(world)
    host = actions.do_add_asset(viewer_for(world.alice), world.eksempel, "host", "a.hosting.test")
    hosting(world)  # on_commit never runs inside the test's transaction: no signal
    host.refresh_from_db()
    assert host.status != Asset.Status.VENDOR

    assert actions.attribute_platform_hosts() == {"to_vendor": 1, "back_to_agency": 0}
    assert actions.attribute_platform_hosts() == {"to_vendor": 0, "back_to_agency": 0}
