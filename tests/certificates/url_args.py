"""URL-argument factories of certificates (see tests/url_args.py).

B's certificate is the matrix's insider trainee's (whose enrolment tests/training/url_args.py builds), completed
through the course engine; its public verification page shows that learner's name, which is not the sentinel:
the sentinel-named learner of B has no certificate, so no page may show it."""

from tests.certificates.helpers import complete
from tests.url_args import FACTORIES, World, url_arg
from training.certificates.models import Certificate
from training.certificates.services import certificate_issue
from training.models import Enrolment


def _b_certificate(world: World) -> Certificate:
    def build():
        enrolment = Enrolment.objects.for_institution(world.b).get(pk=FACTORIES["enrolment_id"](world))
        complete(enrolment)  # its completion hook runs on commit, which a test never reaches: issue directly
        return certificate_issue(institution=world.b, enrolment_id=enrolment.pk)

    return world.once("certificates:b", build)


@url_arg("certificate_id", owned=True)
def _certificate_id(world: World):
    return _b_certificate(world).pk


@url_arg("code")
def _code(world: World):
    return _b_certificate(world).code
