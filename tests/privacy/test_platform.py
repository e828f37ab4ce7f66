"""The main journey: a vendor declares a chain once; agencies link activities and see every hop."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from mps.core.models import AuditEntry
from mps.core.tenancy import viewer_for
from mps.privacy import actions, chain, taxonomy
from mps.privacy.actions import ActivityData, EntryData
from mps.privacy.models import (
    ChainEntry,
    Declaration,
    HopAssessment,
    ImmutableDeclarationError,
    Notification,
    ReviewTask,
)
from tests.privacy.factories import (
    ACME,
    activity,
    declaration,
    declared_service,
    dpf_chain,
    dpf_listed,
    eea_chain,
    india_chain,
    processor,
)
from tests.registry.factories import make_service

pytestmark = pytest.mark.django_db


def v(user):
    return viewer_for(user)


def test_a_vendor_declares_once_and_an_agency_sees_every_hop_assessed_and_explained(world):
    dpf_listed()
    service = make_service(world.vendor, "Sak og arkiv")
    actions.do_save_declaration(v(world.vera), service, declaration(dpf_chain()))
    result = actions.do_publish_declaration(v(world.vera), service)
    assert result.declaration.number == 1 and result.reviews == []

    act = actions.do_create_activity(
        v(world.mari),
        ActivityData(
            name="Byggesak",
            purposes="Behandle byggesøknader",
            legal_bases=("6_1_e",),
            data_subjects=("residents",),
            data_categories=("contact", "case_data"),
            service_ids=(service.pk,),
        ),
    )
    hops = list(HopAssessment.objects.filter(activity=act).order_by("position"))
    assert [(h.entity, h.country, h.mechanism, h.status) for h in hops] == [
        ("Skyleverandør AS", "NO", "eea", "ok"),
        (ACME, "US", "dpf", "ok"),
    ]
    assert "dpf_only_ground" in hops[1].flags
    assert hops[1].explanation_nb and hops[1].explanation_en
    act.refresh_from_db()
    assert (act.hops_ok, act.hops_action, act.hops_blocked) == (2, 0, 0)
    # A second agency reuses the same declaration without asking the vendor again.
    other = activity(world.annen, "Arkiv", [service])
    assert HopAssessment.objects.filter(activity=other, declaration=result.declaration).count() == 2


def test_a_us_sub_processor_without_an_active_dpf_entry_is_blocked_until_listed(world):
    service = declared_service(world.vendor, "Innbyggerdialog", dpf_chain())
    act = activity(world.eksempel, "Innbyggerdialog", [service])
    us = HopAssessment.objects.get(activity=act, country="US")
    assert (us.mechanism, us.status) == ("none", "blocked")
    dpf_listed()
    actions.do_reassess(v(world.alice), act)
    us = HopAssessment.objects.get(activity=act, country="US")
    assert (us.mechanism, us.status) == ("dpf", "ok")


def test_hr_data_at_a_us_parent_not_certified_for_hr_is_blocked(world):
    dpf_listed(hr=False)
    service = declared_service(world.vendor, "Lønn", dpf_chain())
    act = activity(world.eksempel, "Lønn", [service], categories=("hr", "national_id"))
    us = HopAssessment.objects.get(activity=act, country="US")
    assert us.status == "blocked"
    assert "special_categories_or_national_id" in us.flags


def test_a_support_centre_in_india_with_sccs_but_no_tia_needs_action(world):
    service = declared_service(world.vendor, "Analyse", india_chain())
    act = activity(world.eksempel, "Statistikk", [service])
    hop = HopAssessment.objects.get(activity=act, country="IN")
    assert (hop.mechanism, hop.scc_module, hop.status) == ("scc", 3, "action")
    assert "tia" in hop.missing_documents
    assert "remote_access_third_country" in hop.flags


def test_publishing_a_new_version_notifies_exactly_the_agencies_using_the_service(world):
    used = declared_service(world.vendor, "Sak og arkiv", eea_chain())
    unused = declared_service(world.vendor, "Økonomi", eea_chain())
    activity(world.eksempel, "Byggesak", [used])
    activity(
        world.eksempel,
        "Barnevern",
        [used],
        categories=("health",),
        special_condition="Art. 9(2)(h)",
    )
    activity(world.annen, "Regnskap", [unused])

    actions.do_start_declaration(v(world.vera), used)
    actions.do_save_declaration(v(world.vera), used, declaration(india_chain()))
    result = actions.do_publish_declaration(v(world.vera), used)

    assert [r.agency for r in result.reviews] == [world.eksempel]  # one task per agency
    assert list(ReviewTask.objects.values_list("agency__name", flat=True)) == ["Eksempel kommune"]
    note = Notification.objects.get()
    assert note.agency == world.eksempel and note.review == result.reviews[0]
    assert "Support Services India Pvt Ltd" in note.body
    # Both of the agency's activities were re-assessed against the new version.
    assert set(
        HopAssessment.objects.filter(country="IN").values_list("activity__name", flat=True)
    ) == {"Byggesak", "Barnevern"}
    assert not HopAssessment.objects.filter(
        declaration=result.previous, activity__agency=world.eksempel
    ).exists()


def test_the_diff_names_new_replaced_and_removed_sub_processors_and_the_objection_deadline(world):
    before = (
        processor(),
        EntryData("Datasenter GmbH", "DE", "Lagring", "storage", upstream=0),
        EntryData("Old Support Ltd", "IE", "Kundestøtte", "remote", upstream=0),
        EntryData("Logg AB", "SE", "Logging", "processing", upstream=0),
    )
    after = (
        processor(),
        EntryData("Datasenter GmbH", "CH", "Lagring", "storage", upstream=0),
        EntryData("New Support Pvt Ltd", "IN", "Kundestøtte", "remote", upstream=0, scc_module=3),
        EntryData(ACME, "US", "E-post", "processing", upstream=0, dpf_claimed=True),
    )
    service = declared_service(world.vendor, "Sak", before)
    activity(world.eksempel, "Sak", [service])
    actions.save_declaration_draft(None, service, declaration(after, objection_days=14))
    today = date(2026, 12, 1)
    result = actions.publish_declaration(None, service, today=today)
    d = result.diff
    assert [e.legal_name for e in d.added] == [ACME]
    assert [(o.legal_name, n.legal_name) for o, n in d.replaced] == [
        ("Old Support Ltd", "New Support Pvt Ltd")
    ]
    assert [e.legal_name for e in d.removed] == ["Logg AB"]
    assert [(e.legal_name, [c.field for c in cs]) for e, cs in d.changed] == [
        ("Datasenter GmbH", ["country"])
    ]
    task = result.reviews[0]
    assert task.objection_deadline == today + timedelta(days=14)
    assert task.diff["replaced"][0]["new"]["country"] == "IN"
    assert "2026-12-15" in Notification.objects.get(review=task).body


def test_published_declarations_and_their_chains_cannot_change(world):
    service = declared_service(world.vendor, "Sak", eea_chain())
    published = Declaration.objects.get(service=service)
    published.dpa_version = "2.0"
    with pytest.raises(ImmutableDeclarationError):
        published.save()
    entry = ChainEntry.objects.filter(declaration=published).first()
    entry.country = "US"
    with pytest.raises(ImmutableDeclarationError):
        entry.save()
    with pytest.raises(ImmutableDeclarationError):
        ChainEntry.objects.filter(declaration=published).update(country="US")
    with pytest.raises(ImmutableDeclarationError):
        published.delete()
    # Editing starts a new draft copied from the published version.
    draft = actions.start_declaration(None, service)
    assert draft.number == 2 and draft.entries.count() == 2


def test_publishing_rejects_a_chain_without_the_processor_and_bad_countries(world):
    service = make_service(world.vendor, "Sak")
    with pytest.raises(ValidationError) as bad_country:
        actions.save_declaration_draft(
            None, service, declaration((EntryData("X AS", "QQ", "Drift", "processing"),))
        )
    assert "'QQ'" in str(bad_country.value)
    actions.save_declaration_draft(None, service, declaration(()))
    with pytest.raises(ValidationError):
        actions.publish_declaration(None, service)


def test_a_vendor_cannot_declare_for_another_vendors_service_nor_an_agency(world):
    service = make_service(world.other_vendor, "Annen tjeneste")
    with pytest.raises((PermissionDenied, Http404)):
        actions.do_save_declaration(v(world.vera), service, declaration(eea_chain()))
    with pytest.raises((PermissionDenied, Http404)):
        actions.do_save_declaration(v(world.alice), service, declaration(eea_chain()))
    assert not Declaration.objects.exists()


def test_agencies_change_only_their_own_activities_and_read_only_users_none(world):
    theirs = activity(world.annen, "CANARY theirs")
    with pytest.raises((PermissionDenied, Http404)):
        actions.do_update_activity(v(world.alice), theirs, ActivityData(name="HACKED"))
    mine = activity(world.eksempel, "Mine")
    with pytest.raises(PermissionDenied):
        actions.do_update_activity(v(world.rolf), mine, ActivityData(name="HACKED"))
    with pytest.raises(PermissionDenied):
        actions.do_create_activity(v(world.rolf), ActivityData(name="Ny"))
    with pytest.raises(PermissionDenied):
        actions.do_create_activity(v(world.alice), ActivityData(name="Ny"), agency=world.annen)


def test_review_tasks_are_decided_once_by_the_agency_that_owns_them(world):
    service = declared_service(world.vendor, "Sak", eea_chain())
    activity(world.eksempel, "Sak", [service])
    actions.save_declaration_draft(None, service, declaration(india_chain()))
    task = actions.publish_declaration(None, service).reviews[0]
    with pytest.raises((PermissionDenied, Http404)):
        actions.do_decide_review(v(world.bob), task, "objected")
    actions.do_decide_review(v(world.mari), task, "objected", "Vi protesterer")
    task.refresh_from_db()
    assert task.status == "objected" and task.decided_by == world.mari
    assert Notification.objects.get(review=task).read_at is not None
    with pytest.raises(ValidationError):
        actions.do_decide_review(v(world.mari), task, "accepted")


def test_every_write_is_in_the_audit_log(world):
    service = make_service(world.vendor, "Sak")
    actions.do_save_declaration(v(world.vera), service, declaration(eea_chain()))
    actions.do_publish_declaration(v(world.vera), service)
    act = actions.do_create_activity(
        v(world.alice), ActivityData(name="Sak", service_ids=(service.pk,))
    )
    actions.do_update_activity(v(world.alice), act, ActivityData(name="Sak 2", service_ids=()))
    got = list(
        AuditEntry.objects.filter(action__startswith="privacy.").values_list("action", "actor_name")
    )
    assert ("privacy.declaration.save_draft", "vera") in got
    assert ("privacy.declaration.publish", "vera") in got
    assert ("privacy.activity.create", "alice") in got
    assert ("privacy.activity.update", "alice") in got
    assert not HopAssessment.objects.filter(activity=act).exists()  # unlinked: no hops left


def test_special_categories_need_the_condition_relied_on(world):
    with pytest.raises(ValidationError) as exc:
        actions.create_activity(
            None, world.eksempel, ActivityData(name="Helse", data_categories=("health",))
        )
    assert "special_condition" in exc.value.message_dict


def test_only_published_services_can_be_linked(world):
    draft = make_service(world.vendor, "Utkast", publish=False)
    with pytest.raises(ValidationError):
        activity(world.eksempel, "Sak", [draft])


def test_the_taxonomy_marks_articles_9_and_10_and_maps_fides_keys():
    assert taxonomy.CATEGORY_BY_CODE["health"].article == "9"
    assert taxonomy.CATEGORY_BY_CODE["criminal_offences"].article == "10"
    assert taxonomy.risky(["contact", "national_id", "confidential"]) == [
        "national_id",
        "confidential",
    ]
    assert taxonomy.from_fides(taxonomy.to_fides(["contact", "health"])) == ["contact", "health"]
    assert taxonomy.from_fides(["user.contact.email"]) == ["contact"]


def test_one_vendor_change_reaches_many_agencies_quickly(world, django_assert_max_num_queries):
    from mps.organisations.models import Organisation
    from mps.organisations.orgnr import synthetic_orgnr

    service = declared_service(world.vendor, "Sak", dpf_chain())
    dpf_listed()
    for i in range(30):
        org = Organisation.objects.create(
            name=f"Kommune {i}", kind="agency", orgnr=synthetic_orgnr(5000 + 10 * i)
        )
        activity(org, "Sak", [service])
    actions.save_declaration_draft(None, service, declaration(india_chain()))
    started = timezone.now()
    result = actions.publish_declaration(None, service)
    assert len(result.reviews) == 30
    assert (timezone.now() - started).total_seconds() < 1.0


def test_reassess_takes_the_same_number_of_statements_for_10_or_40_activities(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mps.privacy.models import ProcessingActivity

    service = declared_service(world.vendor, "Sak", india_chain())
    acts = [activity(world.eksempel, f"Sak {i}", [service]) for i in range(40)]
    counts = []
    for n in (10, 40):
        with CaptureQueriesContext(connection) as queries:
            chain.reassess(
                ProcessingActivity.objects.filter(pk__in=[a.pk for a in acts[:n]]).select_related(
                    "agency"
                )
            )
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 24


def test_an_entry_cannot_engage_itself_and_a_cycle_is_refused_at_publication(world):
    service = make_service(world.vendor, "Sak")
    with pytest.raises(ValidationError):
        actions.save_declaration_draft(
            None,
            service,
            declaration((EntryData("A AS", "NO", "Drift", "processing", upstream=0),)),
        )
    cycle = (
        processor(),
        EntryData("B AS", "NO", "Drift", "processing", upstream=2),
        EntryData("C AS", "NO", "Drift", "processing", upstream=1),
    )
    actions.save_declaration_draft(None, service, declaration(cycle))
    with pytest.raises(ValidationError) as exc:
        actions.publish_declaration(None, service)
    assert "cycle" in str(exc.value)


def test_an_agencys_own_tia_turns_sccs_without_one_into_ok_for_all_its_activities(world, login):
    from django.urls import reverse

    from mps.privacy.models import AgencyTia

    service = declared_service(world.vendor, "Analyse", india_chain())
    first = activity(world.eksempel, "Statistikk", [service])
    second = activity(world.eksempel, "Rapportering", [service])
    other = activity(world.annen, "Statistikk", [service])
    hop = HopAssessment.objects.get(activity=first, country="IN")
    assert hop.status == "action"
    assert login(world.bob).post(reverse("privacy:hop_tia", args=[hop.pk])).status_code == 404
    response = login(world.mari).post(reverse("privacy:hop_tia", args=[hop.pk]))
    assert response.status_code == 302
    assert AgencyTia.objects.get().agency == world.eksempel
    statuses = dict(HopAssessment.objects.filter(country="IN").values_list("activity_id", "status"))
    assert statuses == {first.pk: "ok", second.pk: "ok", other.pk: "action"}
    eea = HopAssessment.objects.get(activity=first, country="NO")
    with pytest.raises(ValidationError):
        actions.do_record_tia(v(world.mari), eea)
