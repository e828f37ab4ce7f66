"""`mps demo` loads a realistic data set, idempotently."""

import pytest
from django.core.management import call_command

from mps.accounts.models import User
from mps.organisations.models import Organisation


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    call_command("demo", "--no-serve", verbosity=0)


@pytest.mark.slow
def test_the_demo_has_real_agencies_fictitious_vendors_and_one_user_per_role(demo):
    assert Organisation.objects.filter(kind="agency", sector="municipality").count() == 356
    assert Organisation.objects.filter(kind="agency", sector="state").count() > 100
    vendors = Organisation.objects.filter(kind="vendor")
    assert vendors.exists() and all(v.synthetic for v in vendors)
    assert Organisation.objects.get(orgnr="921234554").name == "Drammen kommune"
    roles = {(u.organisation.kind, u.role) for u in User.objects.select_related("organisation")}
    assert {
        ("agency", "admin"),
        ("agency", "member"),
        ("agency", "read_only"),
        ("vendor", "admin"),
        ("operator", "admin"),
        ("central", "member"),
    } <= roles


@pytest.mark.slow
def test_running_the_demo_again_changes_no_counts(demo, tmp_path):
    from django.apps import apps

    def counts():
        return {
            m._meta.label: m._default_manager.count()
            for m in apps.get_models()
            if m.__module__.startswith("mps.") and m._meta.label != "core.AuditEntry"
        }

    before = counts()
    call_command("demo", "--no-serve", verbosity=0)
    assert counts() == before


@pytest.mark.slow
def test_the_demo_logins_work(demo, client):
    from mps.demo.seed import DEMO_PASSWORD

    assert client.login(username="kari", password=DEMO_PASSWORD)
    assert client.get("/").status_code == 200
