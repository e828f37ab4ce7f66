"""Private register objects of the victim vendor for the tenancy walk.

The first service and version the victim owns are drafts carrying the canary; the published
service after them is public and deliberately carries no canary.
"""

from tests.registry.factories import make_service


def victim_objects(world):
    make_service(
        world.other_vendor,
        "CANARY draft service of Annen Sky",
        publish=False,
        description_nb="CANARY private draft text",
        region="CANARY region",
    )
    make_service(world.other_vendor, "Annen Sky public service", description_nb="Public text")
