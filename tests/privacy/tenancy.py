"""Private privacy objects of the victims (Annen kommune, Annen Sky AS) for the tenancy walk.

The first victim-owned service is a draft carrying the canary, and so is the first victim
declaration (a draft chain that was never published). Published declarations are public
record and carry no canary. The victim agency's activity, review task and notification do.
"""

from mps.privacy import actions
from mps.privacy.actions import ActivityData, DeclarationData, EntryData
from mps.privacy.models import DpfNameMatch, Notification, ReviewTask
from tests.registry.factories import make_service


def _chain(*entries: EntryData, note: str = "") -> DeclarationData:
    return DeclarationData(change_note=note, entries=entries)


def victim_objects(world):
    private = make_service(world.other_vendor, "CANARY privacy draft service", publish=False)
    actions.save_declaration_draft(
        None,
        private,
        _chain(
            EntryData("CANARY Hemmelig Underleverandør AS", "NO", "CANARY drift", "processing"),
            note="CANARY draft change note",
        ),
    )
    service = make_service(world.other_vendor, "Annen Sky personvern")
    actions.save_declaration_draft(
        None,
        service,
        _chain(
            EntryData("Annen Sky AS", "NO", "Drift", "processing"),
            EntryData("Annen Support Pvt Ltd", "IN", "Kundestøtte", "remote", upstream=0),
        ),
    )
    actions.publish_declaration(None, service)
    actions.create_activity(
        None,
        world.annen,
        ActivityData(
            name="CANARY activity",
            purposes="CANARY purposes",
            data_categories=("contact",),
            service_ids=(service.pk,),
        ),
    )
    actions.save_declaration_draft(
        None, service, _chain(EntryData("Annen Sky AS", "NO", "Drift", "processing"))
    )
    task = actions.publish_declaration(None, service).reviews[0]
    ReviewTask.objects.filter(pk=task.pk).update(note="CANARY review note")
    Notification.objects.filter(review=task).update(subject="CANARY notification")
    DpfNameMatch.objects.create(
        vendor=world.other_vendor,
        entity="CANARY Annen Cloud Inc",
        listed_name="CANARY Annen Cloud, Inc.",
        organisation="CANARY Annen Cloud, Inc.",
        decision="rejected",
    )
