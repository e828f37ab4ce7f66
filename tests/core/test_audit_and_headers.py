import pytest
from django.urls import reverse

from mps.core.models import AppendOnlyError, AuditEntry
from mps.core.tenancy import viewer_for
from mps.organisations.actions import do_update_organisation


def test_a_change_is_audited_with_before_and_after(world):
    do_update_organisation(
        viewer_for(world.alice), world.eksempel, {"website": "eksempel.kommune.no"}
    )
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.actor == world.alice and entry.organisation == world.eksempel
    assert entry.before["website"] == "" and entry.after["website"] == "eksempel.kommune.no"


def test_the_audit_log_cannot_be_changed_or_deleted(world):
    do_update_organisation(viewer_for(world.alice), world.eksempel, {"website": "a.no"})
    entry = AuditEntry.objects.first()
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(action="forged")


def test_admins_see_their_own_organisations_audit_log_only(world, login):
    do_update_organisation(viewer_for(world.alice), world.eksempel, {"website": "eksempel.no"})
    do_update_organisation(viewer_for(world.bob), world.annen, {"website": "annen-secret.no"})
    body = login(world.alice).get(reverse("core:audit_log")).content.decode()
    assert "Eksempel kommune" in body and "Annen kommune" not in body


def test_members_may_not_read_the_audit_log(world, login):
    assert login(world.mari).get(reverse("core:audit_log")).status_code == 403


def test_our_pages_send_the_security_headers_our_scanner_asks_of_others(world, login):
    response = login(world.alice).get(reverse("core:overview"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_over_https(world, client):
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_login_page_works_in_both_languages(db, client):
    nb = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    en = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="nb"' in nb and "Logg inn" in nb
    assert 'lang="en"' in en and "Log in" in en


def test_the_audit_api_gives_admins_their_own_entries_with_before_and_after(world, login):
    do_update_organisation(viewer_for(world.alice), world.eksempel, {"website": "eksempel.no"})
    do_update_organisation(viewer_for(world.bob), world.annen, {"website": "annen-secret.no"})
    body = login(world.alice).get("/api/v1/audit/").json()
    assert body["count"] == 1
    [entry] = body["items"]
    assert entry["action"] == "organisation.update"
    assert entry["after"]["website"] == "eksempel.no"
    assert "annen-secret" not in str(body)


def test_the_audit_api_refuses_members_and_shows_the_operator_everything(world, login):
    do_update_organisation(viewer_for(world.alice), world.eksempel, {"website": "eksempel.no"})
    do_update_organisation(viewer_for(world.bob), world.annen, {"website": "annen.no"})
    assert login(world.mari).get("/api/v1/audit/").status_code == 403
    body = login(world.ola).get("/api/v1/audit/?action=organisation.update").json()
    assert body["count"] == 2


def test_our_security_txt_passes_our_own_scanners_rfc_9116_check(db, client, settings):
    import datetime as dt

    from mps.scanner import securitytxt

    settings.SECURITY_CONTACT = "mailto:sikkerhet@example.test"
    response = client.get("/.well-known/security.txt", secure=True)
    assert response.status_code == 200
    doc = securitytxt.parse(response.content.decode())
    assert doc.values("contact") == ["mailto:sikkerhet@example.test"]
    found = securitytxt.problems(
        doc,
        now=dt.datetime.now(dt.UTC),
        over_https=True,
        content_type=response["Content-Type"],
    )
    assert found == []
