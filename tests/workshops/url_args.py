"""URL-argument factories of workshops (see tests/url_args.py).

B's booking, made by a member of B named with the sentinel, describes its request with the sentinel too: a page of A's, or an outsider's, that showed it leaks. The
availability belongs to a facilitator who is not the matrix's: another facilitator's availability editor must
not open it (it is no institution's row, so not `owned`)."""

from r2dr.models import Membership
from r2dr.roles import Role
from tests.factories import UserFactory
from tests.url_args import World, url_arg
from tests.workshops.helpers import availability, book, facilitator, soon


def _b_booking(world: World):
    def build():
        start = soon(days=5)
        offered = availability(
            by=facilitator(email=f"facilitator-of-{world.b.slug}@apf.example"), slots=[start, soon(days=6)]
        )
        booker = UserFactory(username=f"booker@{world.b.slug}.example", first_name=world.sentinel)
        Membership.objects.create(user=booker, institution=world.b, role=Role.INSTITUTION_ADMIN)
        return book(world.b, booker, offered, start, description=f"{world.sentinel} would like to work on data entry")

    return world.once("workshops:b", build)


@url_arg("booking_id", owned=True)
def _booking_id(world: World):
    return _b_booking(world).pk


@url_arg("availability_id")
def _availability_id(world: World):
    return _b_booking(world).availability_id


@url_arg("assistance_id", owned=True)
def _assistance_id(world: World):
    from training.workshops.services.assistance import assistance_request_open

    def build():
        member = UserFactory(username=f"asker@{world.b.slug}.example", first_name=world.sentinel)
        Membership.objects.create(user=member, institution=world.b, role=Role.DATA_OFFICER)
        return assistance_request_open(
            institution=world.b, by=member, topic="platform", description=f"{world.sentinel} asks for a review"
        ).pk

    return world.once("workshops:b-assistance", build)
