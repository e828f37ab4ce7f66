"""The tenancy rule itself, on organisations and users."""

from mps.accounts.models import User
from mps.core.tenancy import changeable, viewer_for, visible
from mps.organisations.models import Organisation


def test_everyone_logged_in_reads_the_organisation_register(world):
    for user in (world.alice, world.vera, world.nina):
        assert visible(Organisation, viewer_for(user)).count() == Organisation.objects.count()


def test_an_agency_admin_changes_only_its_own_organisation(world):
    assert list(changeable(Organisation, viewer_for(world.alice))) == [world.eksempel]


def test_read_only_users_change_nothing(world):
    assert not changeable(Organisation, viewer_for(world.rolf)).exists()


def test_the_operator_changes_everything(world):
    assert changeable(Organisation, viewer_for(world.ola)).count() == Organisation.objects.count()


def test_users_of_other_organisations_are_private(world):
    names = set(visible(User, viewer_for(world.alice)).values_list("username", flat=True))
    assert names == {"alice", "mari", "rolf"}


def test_anonymous_sees_nothing(world):
    assert not visible(Organisation, viewer_for(None)).exists()


def test_editing_another_organisation_is_refused(world, login):
    client = login(world.alice)
    response = client.post(
        f"/virksomheter/{world.annen.pk}/rediger/",
        {"name": "Hacked", "website": "", "employees": 1},
    )
    assert response.status_code == 403
    world.annen.refresh_from_db()
    assert world.annen.name == "Annen kommune"
