"""URL-argument factories of the training app (see tests/url_args.py).

B's learner is the matrix's insider trainee (`insider-trainee@<B>.example`, whose account make_user then reuses),
so the positive control opens B's own enrolment; a second learner of B, named with the sentinel, is in the same
cohort: an admin page of A that showed another institution's learners would leak it."""

from tests.factories import UserFactory
from tests.training.helpers import enrol, fixture_course, open_cohort
from tests.url_args import World, url_arg
from training.models import Lesson, Module
from training.services import progress


def _b_training(world: World):
    def build():
        cohort = open_cohort(title="Matrix cohort")
        insider = UserFactory(username=f"insider-trainee@{world.b.slug}.example")
        enrolment = enrol(cohort, world.b, insider, membership=False)  # make_user gives the role
        other = UserFactory(username=f"learner@{world.b.slug}.example", first_name=world.sentinel, last_name="Learner")
        enrol(cohort, world.b, other)
        module = Module.objects.get(course=cohort.course, number=1)
        attempt = progress.attempt_start(enrolment=enrolment, module=module)
        return cohort, enrolment, attempt

    return world.once("training:b", build)


@url_arg("cohort_id")
def _cohort_id(world: World):
    return _b_training(world)[0].pk


@url_arg("enrolment_id", owned=True)
def _enrolment_id(world: World):
    return _b_training(world)[1].pk


@url_arg("attempt_id", owned=True)
def _attempt_id(world: World):
    return _b_training(world)[2].pk


@url_arg("lesson_id")
def _lesson_id(world: World):
    return Lesson.objects.filter(module__course=fixture_course()).order_by("module__number", "position").first().pk


@url_arg("module_id")
def _module_id(world: World):
    return Module.objects.get(course=fixture_course(), number=1).pk
