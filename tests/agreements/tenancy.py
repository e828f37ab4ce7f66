"""Private agreement data of the victim organisations for the tenancy walk."""

from __future__ import annotations

from mps.agreements import actions
from mps.agreements.models import AgreementDocument, CallOffTemplate
from mps.core.tenancy import viewer_for
from tests.agreements.helpers import active_calloff, make_cips


def victim_objects(world):
    cips = make_cips(world)
    AgreementDocument.objects.create(
        agreement=cips.agreement, title="Avtaletekst", url="https://example.test/avtale.pdf"
    )
    CallOffTemplate.objects.create(
        name="Standard", title="Avrop ${title}", body="${agency_name}\n\n${services}"
    )
    calloff = active_calloff(
        world.bob,
        cips,
        world,
        title="CANARY call-off of Annen kommune",
        requirements="CANARY requirements",
    )
    actions.do_set_membership(
        viewer_for(world.bob), world.annen, cips.agreement, "joined", note="CANARY membership note"
    )
    return calloff
