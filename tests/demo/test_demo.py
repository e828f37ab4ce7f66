"""`mps demo` loads a realistic data set, idempotently.

Loading the whole demo takes tens of seconds, so one test loads it once and checks
everything that needs it; the second load is the idempotence check.
"""

import pytest
from django.apps import apps
from django.core.management import call_command

from mps.accounts.models import User
from mps.demo.seed import DEMO_PASSWORD
from mps.organisations.models import Organisation


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("mps.") and m._meta.label != "core.AuditEntry"
    }


def _assert_real_agencies_fictitious_vendors_and_one_user_per_role() -> None:
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


def _assert_the_demo_agency_was_measured_on_the_local_test_internet() -> None:
    from mps.riskscore.models import Finding

    drammen = Organisation.objects.get(orgnr="921234554")
    findings = Finding.objects.filter(organisation=drammen)
    assert {f.asset.value for f in findings} == {"drammen.test", "www.drammen.test"}
    assert not [f for f in findings if f.evidence.get("generated")]
    dmarc = findings.get(check_id="email.dmarc.policy_none")
    assert dmarc.status == "fail"
    tls_addresses = {f.address for f in findings if f.check_id.startswith("tls.")}
    [address] = tls_addresses
    assert address.startswith("127.") and address.endswith(".1.1")  # the first demo site


@pytest.mark.slow
def test_the_demo_loads_real_agencies_and_one_login_per_role_and_a_second_run_changes_nothing(
    db, tmp_path, settings, client
):
    settings.DATA_DIR = tmp_path
    call_command("demo", "--no-serve", verbosity=0)
    _assert_real_agencies_fictitious_vendors_and_one_user_per_role()

    _assert_the_demo_agency_was_measured_on_the_local_test_internet()

    assert client.login(username="kari", password=DEMO_PASSWORD)
    assert client.get("/").status_code == 200

    before = _counts()
    call_command("demo", "--no-serve", verbosity=0)
    assert _counts() == before
