from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings
from django.urls import reverse

from tests.conftest import PASSWORD


def test_the_right_password_logs_in_and_lands_on_the_overview(world, client):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:overview")


def test_five_failures_lock_the_user_name_out_even_with_the_right_password(world, client):
    for _ in range(5):
        response = client.post(
            reverse("accounts:login"), {"username": "alice", "password": "wrong"}
        )
        assert response.status_code == 200
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert (
        "Too many failed attempts" in response.content.decode()
        or "For mange mislykkede" in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_a_successful_login_clears_earlier_failures(world, client):
    for _ in range(4):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert (
        client.post(
            reverse("accounts:login"), {"username": "alice", "password": PASSWORD}
        ).status_code
        == 302
    )
    client.logout()
    for _ in range(4):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert (
        client.post(
            reverse("accounts:login"), {"username": "alice", "password": PASSWORD}
        ).status_code
        == 302
    )


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2():
    hashed = make_password("a long enough password")
    assert hashed.startswith("argon2$")
    assert check_password("a long enough password", hashed)


def test_pages_need_a_login(db, client):
    response = client.get(reverse("core:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logout_needs_a_post_with_csrf(world, client):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(world.alice)
    assert csrf_client.post(reverse("accounts:logout")).status_code == 403


def test_only_the_operators_staff_may_use_the_admin(world, login):
    world.ola.is_staff = True
    world.ola.save()
    world.alice.is_staff = True  # staff flag alone is not enough outside the operator
    world.alice.save()
    assert login(world.ola).get("/admin/organisations/organisation/").status_code == 200
    assert login(world.alice).get("/admin/organisations/organisation/").status_code == 403
