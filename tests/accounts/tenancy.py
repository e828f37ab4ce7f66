"""Private objects of the victim organisations for the tenancy walk."""

from mps.accounts.actions import do_create_token


def victim_objects(world):
    do_create_token(world.bob, "CANARY token of Annen kommune", "write")
    do_create_token(world.viktor, "CANARY token of Annen Sky", "read")
