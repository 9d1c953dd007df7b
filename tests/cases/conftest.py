import pytest

from cases import crypto

PASSPHRASE = "a long case passphrase for tests"


@pytest.fixture(autouse=True)
def _fast_kdf(settings, tmp_path):
    settings.R2DR_KDF_OPSLIMIT = 1
    settings.R2DR_KDF_MEMLIMIT = 8192 * 8
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.R2DR_INTAKE_LIMITS = {}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def taxonomy(db):
    from cases.demo import seed_taxonomies

    seed_taxonomies()


@pytest.fixture
def keyed(db, make_member):
    """keyed(institution) -> (officer user, recovery kit text) with keys set up."""
    from cases import services
    from r2dr.roles import Role

    def make(institution, email=None):
        officer = make_member(institution, Role.CASE_OFFICER, email=email)
        okey = services.officer_key_create(institution=institution, user=officer, passphrase=PASSPHRASE)
        kit = services.keyring_setup(institution=institution, by=officer, officer_key=okey)
        return officer, kit

    return make


def _unused():
    return crypto
