import pytest

from cases.models import ProtectionMechanism, ViolationType
from r2dr.roles import Role
from tests.refusals import refused_request

pytestmark = pytest.mark.django_db


def test_institution_adds_mechanism_shown_on_form(client, institution_a, institution_b, keyed, taxonomy, make_member):
    officer, _ = keyed(institution_a)
    client.force_login(officer)
    r = client.post(
        f"/{institution_a.slug}/cases/directory/",
        {"name": "National lawyers' hotline", "description": "Free legal help", "url": "", "contact": "1234",
         "urgent": "on", "order": "1", "is_active": "on", "tr_id_name": "Hotline pengacara"},
    )  # fmt: skip
    assert r.status_code == 302
    m = ProtectionMechanism.objects.get(institution=institution_a)
    assert m.translations == {"id": {"name": "Hotline pengacara"}}
    client.logout()
    assert "National lawyers" in client.get(f"/{institution_a.slug}/report/").content.decode()
    assert "National lawyers" not in client.get(f"/{institution_b.slug}/report/").content.decode()
    # Another institution's staff cannot edit it.
    other = make_member(institution_b, Role.CASE_OFFICER, email="o@b.example")
    client.force_login(other)
    refused_request(client.get, f"/{institution_b.slug}/cases/directory/{m.pk}/", status=404)
    refused_request(
        client.post, f"/{institution_b.slug}/cases/directory/{m.pk}/", {"name": "Hijacked", "is_active": ""}, status=404
    )


def test_regional_admin_edits_taxonomy_with_translation(client, regional_admin, taxonomy):
    client.force_login(regional_admin)
    assert client.get("/regional/cases/taxonomies/").status_code == 200
    vt = ViolationType.objects.get(code="killing")
    r = client.post(
        f"/regional/cases/taxonomies/violation-types/{vt.pk}/",
        {"code": "killing", "label": "Killing", "description": "", "sdg_16101": "on", "order": "3", "is_active": "on",
         "tr_th_label": "การสังหาร"},
    )  # fmt: skip
    assert r.status_code == 302
    vt.refresh_from_db()
    assert vt.tr("label", "th") == "การสังหาร" and vt.tr("label", "en") == "Killing"
    r = client.post(
        "/regional/cases/taxonomies/violation-types/new/",
        {"code": "new-type", "label": "New type", "order": "50", "is_active": "on"},
    )
    assert ViolationType.objects.filter(code="new-type").exists()


def test_purge_orphans(settings, tmp_path):
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    name = default_storage.save("cases/orphan.r2dr", ContentFile(b"x"))
    os.utime(default_storage.path(name), (0, 0))
    call_command("cases_purge_orphans", hours=1)
    assert not default_storage.exists(name)


def test_perpetrator_kinds(taxonomy):
    from cases import selectors

    kinds = selectors.perpetrator_kinds()
    assert kinds["police"] == "state" and kinds["armed-groups"] == "non_state" and kinds["unknown"] == "unknown"
