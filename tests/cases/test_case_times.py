"""Case pages write a moment the one way every page does (r2dr.moments): "1 Dec 2026, 15:04 WIB", in the
institution's zone and named, and days as "1 Dec 2026" (issue 11: four formats, three zone conventions)."""

import datetime
import pathlib
import re

import pytest

from cases.models import Case
from tests.cases.helpers import CaseFactory, unlock_client

pytestmark = pytest.mark.django_db

RECEIVED = datetime.datetime(2026, 12, 1, 8, 4, tzinfo=datetime.UTC)  # 15:04 in Jakarta


def test_inbox_case_page_and_access_log_show_the_institutions_time_and_zone(client, institution_a, keyed, taxonomy):
    institution_a.time_zone = "Asia/Jakarta"
    institution_a.save()
    officer, _kit = keyed(institution_a)
    case = CaseFactory(institution=institution_a)
    Case.objects.for_institution(institution_a).filter(pk=case.pk).update(received_at=RECEIVED)
    client.force_login(officer)
    unlock_client(client, institution_a)

    inbox = client.get(f"/{institution_a.slug}/cases/").content.decode()
    assert '<time datetime="2026-12-01">1 Dec 2026</time>' in inbox
    detail = client.get(f"/{institution_a.slug}/cases/{case.pk}/").content.decode()
    assert ">1 Dec 2026, 15:04 WIB</time>" in detail
    log = client.get(f"/{institution_a.slug}/cases/access-log/").content.decode()
    moments = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", log)
    assert moments and all(m.endswith(" WIB") for m in moments), moments
    for page in (inbox, detail, log):
        assert not re.search(r"\d{1,2}/\d{1,2}/\d{4}|\b[ap]\.m\.|\d{4}-\d\d-\d\d \d", page)


def test_no_web_template_formats_a_date_by_hand():
    """Later pages use |when and |day too; only the PDFs (printed documents) spell dates out in full."""
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/templates/**/*.html")
        if "/pdf" not in str(path) and not path.name.endswith("_pdf.html") and "|date:" in path.read_text("utf-8")
    ]
    offenders += [
        str(p.relative_to(root)) for p in (root / "templates").glob("**/*.html") if "|date:" in p.read_text("utf-8")
    ]
    assert not offenders, offenders
