import os
import random

import pytest
from hypothesis import HealthCheck, core
from hypothesis import settings as hypothesis_settings

from r2dr.roles import Role
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory, enrol_totp

# Fixtures of a throwaway redis-server (its own port) for the tests that stop or restart Redis.
pytest_plugins = ["tests.redis_server"]

# CI sets R2DR_REQUIRE_SERVICES=1: tests that need PostgreSQL, Redis or a
# Celery worker must then run, never skip.
REQUIRE_SERVICES = os.environ.get("R2DR_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str, *, module_level: bool = False):
    """Skip locally, fail in CI; `module_level=True` to skip a whole module from its top level."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing in CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=module_level)


# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (or --hypothesis-profile):
# - ci (the default, so `make test` is reproducible): every run draws the same examples, derived from each
#   test's name, and no local example database changes that; a failure prints the blob that replays it.
# - dev: fresh examples each run, the seed printed in the header so a failure replays with
#   HYPOTHESIS_SEED=<seed> (or --hypothesis-seed); found failures are kept in .hypothesis/ and retried first.
# - fuzz (`make fuzz`): many examples, R2DR_FUZZ_EXAMPLES (default 2000), otherwise as dev.
# Tests that set max_examples themselves (tests/*/test_*fuzz.py read R2DR_FUZZ_EXAMPLES) keep their own count.
FUZZ_EXAMPLES = int(os.environ.get("R2DR_FUZZ_EXAMPLES", "2000"))
hypothesis_settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    max_examples=50,
    # Two cores shared with other jobs: a slow draw is the machine, not the strategy.
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile("dev", print_blob=True, deadline=None)
hypothesis_settings.register_profile("fuzz", print_blob=True, deadline=None, max_examples=FUZZ_EXAMPLES)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
hypothesis_settings.load_profile(HYPOTHESIS_PROFILE)
HYPOTHESIS_SEED = None
if HYPOTHESIS_PROFILE != "ci":
    HYPOTHESIS_SEED = int(os.environ.get("HYPOTHESIS_SEED") or random.SystemRandom().randrange(2**32))  # noqa: S311
    # --hypothesis-seed, when given, still wins: the plugin sets it after this module is imported.
    core.global_force_seed = HYPOTHESIS_SEED


def pytest_report_header(config):
    if hypothesis_settings.default.derandomize:
        return "hypothesis: derandomized, the same examples every run"
    if HYPOTHESIS_SEED is not None:
        return f"hypothesis: seed {HYPOTHESIS_SEED} (replay with HYPOTHESIS_SEED={HYPOTHESIS_SEED})"
    return None


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def institution_a(db):
    return InstitutionFactory(slug="inst-a", name="Institution A", country="Aland")


@pytest.fixture
def institution_b(db):
    return InstitutionFactory(slug="inst-b", name="Institution B", country="Beland")


@pytest.fixture
def make_member(db):
    """make_member(institution, role) -> user holding that role (MFA enrolled when required)."""
    from r2dr.roles import MFA_REQUIRED_ROLES, REGIONAL_ROLES

    def make(institution, role, *, email=None, mfa=True):
        user = UserFactory(username=email or f"{role}.{getattr(institution, 'slug', 'regional')}@test.example")
        MembershipFactory(user=user, institution=None if role in REGIONAL_ROLES else institution, role=role)
        if mfa and role in MFA_REQUIRED_ROLES:
            enrol_totp(user)
        return user

    return make


@pytest.fixture
def member_client(client, make_member):
    """member_client(institution, role) -> a logged-in Django test client."""

    def make(institution, role, **kwargs):
        user = make_member(institution, role, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def regional_admin(make_member):
    return make_member(None, Role.REGIONAL_ADMIN)


@pytest.fixture(autouse=True)
def _preview_languages(settings):
    """Every language of LANGUAGES is selectable in tests, translated or not, so right-to-left pages are tested
    before Arabic is translated (tests/r2dr/test_languages.py turns it off to test the public switcher)."""
    settings.R2DR_PREVIEW_LANGUAGES = True


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in the default language: a request in Indonesian or Thai (LocaleMiddleware activates it
    for the thread) must not leak into code a later test calls directly."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _celery_eager_by_default():
    """Unit tests run tasks in-process; tests that ask for `celery_worker` use the real one."""
    from r2dr.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker subprocess, consuming from Redis, reading the test database.

    Needs CELERY_BROKER_URL and a PostgreSQL DATABASE_URL (the worker must see
    the rows the test commits, so tests using it need `transactional_db`).
    """
    import subprocess
    import sys
    import time
    import uuid
    from pathlib import Path
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    broker = os.environ.get("CELERY_BROKER_URL")
    database_url = os.environ.get("DATABASE_URL", "")
    if not broker or not database_url.startswith(("postgres", "postgresql")):
        skip_or_fail("a real Celery worker needs CELERY_BROKER_URL and a PostgreSQL DATABASE_URL")
    parts = urlsplit(database_url)
    test_url = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    name = f"r2dr-test-{uuid.uuid4().hex[:8]}@%h"
    env = {**os.environ, "DATABASE_URL": test_url}
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "r2dr",
            "worker",
            "-Q",
            "default,reports",
            "--pool=solo",
            "--loglevel=WARNING",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=root,
    )
    from r2dr.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Celery worker exited with {process.returncode}")
        if app.control.ping(timeout=1):
            break
    else:
        process.terminate()
        pytest.fail("Celery worker did not answer a ping within 60 s")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def celery_worker(celery_worker_process):
    """Send tasks to the real worker for the duration of one test."""
    from r2dr.celery import app

    app.conf.task_always_eager = False
    yield celery_worker_process
    app.conf.task_always_eager = True
