"""URL-argument factories of the cases app for the access matrix: B's objects, with the sentinel inside their
encrypted private text."""

from django.test import override_settings

from cases import plaintext
from tests.url_args import World, url_arg

FAST_KDF = {"R2DR_KDF_OPSLIMIT": 1, "R2DR_KDF_MEMLIMIT": 8192 * 8}


def _b_keys(world: World):
    def build():
        from cases import services
        from r2dr.models import Membership
        from tests.factories import UserFactory

        with override_settings(**FAST_KDF):
            officer = UserFactory(username=f"cases-keyholder@{world.b.slug}.example")
            Membership.objects.get_or_create(user=officer, institution=world.b, role="case_officer")
            okey = services.officer_key_create(institution=world.b, user=officer, passphrase="matrix passphrase")
            services.keyring_setup(institution=world.b, by=officer, officer_key=okey)
        return officer, okey

    return world.once("cases:b-keys", build)


def b_keyholder(world: World):
    """B's case officer holding B's key (a person of B for the matrix's request bodies)."""
    return _b_keys(world)[0]


def _b_case(world: World):
    def build():
        from tests.cases.helpers import CaseFactory

        _b_keys(world)
        from django.utils import timezone

        from cases.models import Case

        with override_settings(**FAST_KDF):
            case = CaseFactory(
                institution=world.b,
                names=world.sentinel,
                narrative=f"narrative {world.sentinel}",
                consent_wording__statistics="matrix",
            )
        # Escalated, so the head's case pages would show it: only the tenant check may keep it from A's head.
        Case.objects.for_institution(world.b).filter(pk=case.pk).update(escalated_at=timezone.now())
        case.refresh_from_db()
        return case

    return world.once("cases:b-case", build)


@url_arg("case_id", owned=True)
def _case_id(world: World):
    return _b_case(world).pk


@url_arg("attachment_id", owned=True)
def _attachment_id(world: World):
    from cases import crypto, services
    from cases.models import CaseAttachment

    case = _b_case(world)
    key = crypto.new_key()
    enc = crypto.StreamEncryptor(key)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save(
        "cases/matrix.r2dr", ContentFile(enc.update(b"%PDF-1.4 " + world.sentinel.encode()) + enc.finalize())
    )
    _officer, _okey = _b_keys(world)
    # The attachment's key is wrapped with the case key; the factory opens the case key through the receipt-free
    # officer path is not needed: re-create a case key wrap by sealing via the service helper.
    with override_settings(**FAST_KDF):
        _kr, private = services.keyring_unlock(institution=world.b, user=_officer, passphrase="matrix passphrase")
    case_key = plaintext.case_key_for_officer(case, private)
    services.attachments_add(
        case=case,
        case_key=case_key,
        uploads=[services.EncryptedUpload(name, key, f"{world.sentinel}.pdf", "application/pdf", "pdf", 20, "0" * 64)],
    )
    return CaseAttachment.objects.for_institution(world.b).filter(case=case).latest("pk").pk


@url_arg("grant_id", owned=True)
def _grant_id(world: World):
    from cases.models import KeyGrant

    _b_keys(world)
    return KeyGrant.objects.for_institution(world.b).first().pk


@url_arg("mechanism_id", owned=True)
def _mechanism_id(world: World):
    from cases.models import ProtectionMechanism

    return ProtectionMechanism.objects.create(
        institution=world.b, name="B's helpline", description=f"private note {world.sentinel}", is_active=False
    ).pk


@url_arg("taxonomy")
def _taxonomy(world: World):
    return "violation-types"


@url_arg("term_id")
def _term_id(world: World):
    from cases.models import ViolationType

    return ViolationType.objects.get_or_create(code="matrix-term", defaults={"label": "Matrix term"})[0].pk


@url_arg("intervention_id", owned=True)
def _intervention_id(world: World):
    from cases import services

    case = _b_case(world)
    officer, _okey = _b_keys(world)
    with override_settings(**FAST_KDF):
        _kr, private = services.keyring_unlock(institution=world.b, user=officer, passphrase="matrix passphrase")
    return services.intervention_save(
        case=case,
        case_key=plaintext.case_key_for_officer(case, private),
        by=officer,
        kind="letter",
        status="sent",
        addressee=f"Chief {world.sentinel}",
        details=f"details {world.sentinel}",
    ).pk


@url_arg("saved_view_id", owned=True)
def _saved_view_id(world: World):
    from cases.models import SavedInboxView

    officer, _okey = _b_keys(world)
    view = SavedInboxView.objects.for_institution(world.b).create(
        institution=world.b, user=officer, name=f"view {world.sentinel}", query="status=received", shared=True
    )
    return view.pk
