"""Close DPF list names are confirmed (or rejected) by a person before the engine uses them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from mps.core.models import AuditEntry
from mps.core.tenancy import viewer_for
from mps.privacy import names
from mps.privacy.actions import EntryData
from mps.privacy.models import DpfNameMatch, HopAssessment
from tests.privacy.factories import ACME, activity, declared_service, dpf_listed, processor

pytestmark = pytest.mark.django_db

DECLARED = "Acme Cloud Inc"  # the list has "Acme Cloud, Inc."


def us_chain(name: str = DECLARED) -> tuple[EntryData, ...]:
    return (
        processor(),
        EntryData(name, "US", "Databehandling", "processing", upstream=0, dpf_claimed=True),
    )


def setup_close_name(world):
    dpf_listed()
    dpf_listed("Acme Cloud Ltd")
    service = declared_service(world.vendor, "Sak", us_chain())
    using = activity(world.eksempel, "Sak", [service])
    return service, using


def us_hop(act):
    return HopAssessment.objects.get(activity=act, country="US")


def test_a_close_name_is_listed_for_the_vendor_and_the_operator_but_not_used_yet(world):
    _service, using = setup_close_name(world)
    assert us_hop(using).status == "blocked"
    [item] = names.pending({world.vendor.pk})
    assert item.entity == DECLARED and item.services == ["Sak"]
    assert item.suggestions[0].listed_name == ACME
    assert item.suggestions[0].kind == "normalised"
    assert [p.entity for p in names.pending()] == [DECLARED]
    assert names.pending({world.other_vendor.pk}) == []


def test_confirming_a_name_reassesses_the_activities_and_is_audited(world):
    _service, using = setup_close_name(world)
    match, hops = names.do_decide_name(
        viewer_for(world.vera), world.vendor.pk, DECLARED, ACME, "confirmed"
    )
    assert hops == 2
    assert match.organisation == ACME and match.decided_by == world.vera
    hop = us_hop(using)
    assert (hop.mechanism, hop.status) == ("dpf", "ok")
    assert "dpf_entity_name_mismatch" in hop.flags  # the names still differ: shown to the agency
    assert names.pending() == []
    assert AuditEntry.objects.filter(action="privacy.dpf.name_confirmed").count() == 1


def test_rejecting_a_suggestion_keeps_the_hop_blocked_and_drops_only_that_suggestion(world):
    _service, using = setup_close_name(world)
    names.decide_name(None, world.vendor, DECLARED, ACME, "rejected")
    assert us_hop(using).status == "blocked"
    [item] = names.pending()
    assert ACME not in [s.listed_name for s in item.suggestions]


def test_withdrawing_a_confirmation_blocks_the_hop_again(world):
    _service, using = setup_close_name(world)
    match, _hops = names.decide_name(None, world.vendor, DECLARED, ACME, "confirmed")
    names.do_withdraw_name(viewer_for(world.ola), match.pk)
    assert us_hop(using).status == "blocked"
    assert not DpfNameMatch.objects.exists()


def test_only_a_listed_suggestion_can_be_confirmed_and_only_once(world):
    setup_close_name(world)
    with pytest.raises(ValidationError):
        names.decide_name(None, world.vendor, DECLARED, "Some Other Corp", "confirmed")
    with pytest.raises(ValidationError):
        names.decide_name(None, world.vendor, "Not Declared Inc", ACME, "confirmed")
    names.decide_name(None, world.vendor, DECLARED, ACME, "confirmed")
    with pytest.raises(ValidationError):
        names.decide_name(None, world.vendor, DECLARED, "Acme Cloud Ltd", "confirmed")


def test_another_vendor_or_an_agency_cannot_decide_for_the_vendor(world):
    setup_close_name(world)
    with pytest.raises(PermissionDenied):
        names.do_decide_name(viewer_for(world.alice), world.vendor.pk, DECLARED, ACME, "confirmed")
    with pytest.raises(PermissionDenied):
        names.do_decide_name(viewer_for(world.viktor), world.vendor.pk, DECLARED, ACME, "confirmed")
    assert not DpfNameMatch.objects.exists()


def test_an_exact_name_needs_no_confirmation(world):
    dpf_listed()
    declared_service(world.vendor, "Sak", us_chain(ACME))
    assert names.pending() == []


def test_a_confirmed_name_that_lapses_on_reimport_alerts_the_agency(world):
    from datetime import date

    from mps.privacy import dpf
    from mps.privacy.dpfwatch import ListedOrganisation, Snapshot
    from mps.privacy.rules.model import DpfEntry

    _service, using = setup_close_name(world)
    names.decide_name(None, world.vendor, DECLARED, ACME, "confirmed")
    snapshot = Snapshot(
        organisations=(
            ListedOrganisation(entry=DpfEntry(ACME, (), "inactive", True, True, date(2099, 1, 1))),
            ListedOrganisation(
                entry=DpfEntry("Acme Cloud Ltd", (), "active", True, True, date(2099, 1, 1))
            ),
        )
    )
    result = dpf.import_snapshot(None, snapshot)
    assert result.alerted_agency_ids == [world.eksempel.pk]
    assert us_hop(using).status == "blocked"


def test_the_page_lists_names_and_a_vendor_confirms_one_without_javascript(world, login):
    _service, using = setup_close_name(world)
    client = login(world.vera)
    page = client.get(reverse("privacy:dpf_names"))
    assert page.status_code == 200
    assert DECLARED in page.content.decode() and ACME in page.content.decode()
    response = client.post(
        reverse("privacy:dpf_names"),
        {
            "vendor": world.vendor.pk,
            "entity": DECLARED,
            "listed_name": ACME,
            "decision": "confirmed",
        },
    )
    assert response.status_code == 302
    assert us_hop(using).status == "ok"
    assert "Acme Cloud, Inc." in client.get(reverse("privacy:dpf_names")).content.decode()


def test_the_page_is_for_vendors_and_the_operator_with_bounded_queries(
    world, login, django_assert_max_num_queries
):
    setup_close_name(world)
    for n in range(5):
        declared_service(world.vendor, f"Tjeneste {n}", us_chain(f"Acme Cloud Inc {n}"))
    assert login(world.alice).get(reverse("privacy:dpf_names")).status_code == 403
    client = login(world.ola)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("privacy:dpf_names")).status_code == 200
    other = login(world.viktor).get(reverse("privacy:dpf_names")).content.decode()
    assert DECLARED not in other


def test_the_dpf_import_cli_lists_the_names_to_confirm(world, tmp_path):
    import json

    from django.core.management import call_command

    service, _using = setup_close_name(world)
    path = tmp_path / "dpf.json"
    path.write_text(
        json.dumps(
            [
                {"organisation": ACME, "eu_us": "active", "hr": True, "non_hr": True},
                {"organisation": "Acme Cloud Ltd", "eu_us": "active", "hr": True, "non_hr": True},
            ]
        )
    )
    out = tmp_path / "out.json"
    with out.open("w") as stream:
        call_command("privacy", "dpf-import", str(path), "--json", stdout=stream)
    [item] = json.loads(out.read_text())["names_to_confirm"]
    assert item["entity"] == DECLARED and item["suggestions"][0] == ACME
