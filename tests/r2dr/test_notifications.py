"""The platform's notifications: kinds registered by apps, content-free rows for entitled members only, the header's
count, the list and mark-as-read (one's own, one institution's), immediate and daily e-mails, preferences, and
offboarding. A test kind stands in for an app's (the cases app's own kinds are tested in tests/cases/)."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from r2dr import notifications as registry
from r2dr import services as core_services
from r2dr.models import Membership, Notification, NotificationPreference
from r2dr.notifications import Delivery, NotificationKind, delivery, selectors, services, tasks
from r2dr.roles import Role
from r2dr.tenancy import UnscopedQueryError, scopes_disabled

pytestmark = pytest.mark.django_db

KIND = "test.event"
OTHER_KIND = "test.reviewed"


@pytest.fixture(autouse=True)
def kinds(monkeypatch):
    """The registry with two test kinds next to the apps' own (restored afterwards)."""
    kinds = dict(registry._kinds)
    kinds[KIND] = NotificationKind(
        key=KIND,
        label="Something happened",
        description="When something happens",
        roles=frozenset({Role.DATA_OFFICER}),
        deliveries=(Delivery.IMMEDIATE, Delivery.DIGEST, Delivery.OFF),
    )
    kinds[OTHER_KIND] = NotificationKind(
        key=OTHER_KIND,
        label="Something was reviewed",
        description="When something is reviewed",
        roles=frozenset({Role.REVIEWER}),
        default=Delivery.DIGEST,
    )
    monkeypatch.setattr(registry, "_kinds", kinds)
    return kinds


@pytest.fixture
def people(institution_a, institution_b, make_member):
    data_a = make_member(institution_a, Role.DATA_OFFICER, email="data@a.example")
    other_a = make_member(institution_a, Role.DATA_OFFICER, email="other-data@a.example")
    reviewer_a = make_member(institution_a, Role.REVIEWER, email="reviewer@a.example")
    data_b = make_member(institution_b, Role.DATA_OFFICER, email="data@b.example")
    return data_a, other_a, reviewer_a, data_b


def notify(institution, recipients, *, link="/inst-a/thing/1/", reference="T-1", kind=KIND):
    return services.notifications_create(
        institution=institution, kind=kind, recipients=recipients, link=link, reference=reference
    )


def rows(institution, **filters):
    return list(Notification.objects.for_institution(institution).filter(**filters))


def test_only_members_holding_the_kinds_role_in_the_institution_are_notified(institution_a, people):
    data_a, other_a, reviewer_a, data_b = people
    made = notify(institution_a, [data_a, other_a, reviewer_a, data_b])
    assert sorted(n.recipient_id for n in made) == sorted([data_a.pk, other_a.pk])
    with scopes_disabled():
        assert not Notification.objects.filter(recipient__in=[reviewer_a, data_b]).exists()


def test_the_model_refuses_unscoped_queries():
    with pytest.raises(UnscopedQueryError):
        list(Notification.objects.all())


def test_a_notification_stores_kind_reference_and_link_only(institution_a, people):
    (notification,) = notify(institution_a, [people[0]])
    stored = {f.attname for f in Notification._meta.concrete_fields}
    assert stored == {
        "id",
        "institution_id",
        "recipient_id",
        "kind",
        "reference",
        "link",
        "events",
        "created_at",
        "occurred_at",
        "delivery",
        "emailed_at",
        "read_at",
    }
    assert (notification.kind, notification.reference, notification.link) == (KIND, "T-1", "/inst-a/thing/1/")


def test_links_stay_on_this_site(institution_a, people):
    for link in ("https://elsewhere.example/x", "//elsewhere.example/x", "relative/x"):
        with pytest.raises(ValueError):
            notify(institution_a, [people[0]], link=link)
    with pytest.raises(ValueError):
        notify(institution_a, [people[0]], kind="never.registered")


def test_immediate_e_mail_leaves_after_commit_with_kind_institution_reference_and_link(
    institution_a, people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.R2DR_SITE_URL = "https://r2dr.example"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(institution_a, [people[0]])
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    (message,) = mailoutbox
    assert message.to == ["data@a.example"]
    assert "Something happened" in message.subject and "T-1" in message.subject
    assert "Institution A" in message.body and "https://r2dr.example/inst-a/thing/1/" in message.body
    assert "https://r2dr.example/inst-a/notifications/preferences/" in message.body
    (row,) = rows(institution_a)
    assert row.emailed_at is not None
    # Safe to run twice: a retry of the task sends nothing more.
    assert delivery.notification_emails_send(institution=institution_a, ids=[row.pk]) == 0
    assert len(mailoutbox) == 1


def test_a_burst_of_events_is_one_unread_notification_and_one_e_mail(
    institution_a, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            notify(institution_a, [people[0]])
    (row,) = rows(institution_a)
    assert row.events == 3
    assert len(mailoutbox) == 1
    services.notifications_mark_read(institution=institution_a, recipient=people[0])
    with django_capture_on_commit_callbacks(execute=True):
        notify(institution_a, [people[0]])
    assert len(rows(institution_a)) == 2  # read ones stay; a new event after reading is a new notification
    assert len(mailoutbox) == 2


def test_off_sends_nothing_and_still_counts(institution_a, people, mailoutbox, django_capture_on_commit_callbacks):
    services.notification_preference_save(institution=institution_a, user=people[0], deliveries={KIND: Delivery.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        notify(institution_a, [people[0]])
    assert mailoutbox == []
    assert selectors.notifications_unread_count(institution=institution_a, recipient=people[0]) == 1


def test_a_choice_a_kind_does_not_offer_or_a_kind_ones_roles_do_not_receive_is_refused(institution_a, people):
    data_a, _other, reviewer_a, _b = people
    with pytest.raises(ValidationError):
        services.notification_preference_save(
            institution=institution_a, user=reviewer_a, deliveries={OTHER_KIND: Delivery.OFF}
        )
    with pytest.raises(ValidationError):
        services.notification_preference_save(institution=institution_a, user=data_a, deliveries={OTHER_KIND: "digest"})
    with pytest.raises(ValidationError):
        services.notification_preference_save(institution=institution_a, user=data_a, deliveries={}, language="xx")


def test_digest_cutoff_is_the_latest_digest_hour_in_the_institutions_zone(institution_a, settings):
    settings.R2DR_NOTIFICATION_DIGEST_HOUR = 7
    institution_a.time_zone = "Asia/Jakarta"  # UTC+7
    bangkok = zoneinfo.ZoneInfo("Asia/Jakarta")
    before = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)  # 06:30 on the 11th in Jakarta
    after = datetime.datetime(2026, 3, 11, 0, 30, tzinfo=datetime.UTC)  # 07:30 on the 11th
    assert delivery.digest_cutoff(institution=institution_a, now=before) == datetime.datetime(
        2026, 3, 10, 7, tzinfo=bangkok
    )
    assert delivery.digest_cutoff(institution=institution_a, now=after) == datetime.datetime(
        2026, 3, 11, 7, tzinfo=bangkok
    )


def test_the_daily_digest_lists_what_is_unread_once(
    institution_a, people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.R2DR_NOTIFICATION_DIGEST_HOUR = 7
    data_a, other_a, _reviewer, _b = people
    services.notification_preference_save(institution=institution_a, user=data_a, deliveries={KIND: Delivery.DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        notify(institution_a, [data_a, other_a], link="/inst-a/thing/1/", reference="T-1")
        notify(institution_a, [data_a, other_a], link="/inst-a/thing/2/", reference="T-2")
        notify(institution_a, [data_a], link="/inst-a/thing/3/", reference="T-3")
    # The immediate ones went to the other officer; the digest officer got nothing yet.
    assert sorted(m.to[0] for m in mailoutbox) == ["other-data@a.example"] * 2
    mailoutbox.clear()
    read = Notification.objects.for_institution(institution_a).get(recipient=data_a, reference="T-3")
    services.notifications_mark_read(institution=institution_a, recipient=data_a, ids=[read.pk])
    now = timezone.now()
    assert delivery.notification_digests_send(institution=institution_a, now=now) == 0  # not before the hour
    tomorrow = now + datetime.timedelta(days=1, hours=1)
    assert delivery.notification_digests_send(institution=institution_a, now=tomorrow) == 1
    (digest,) = mailoutbox
    assert digest.to == ["data@a.example"]
    assert "2 unread" in digest.subject
    assert "T-1" in digest.body and "T-2" in digest.body and "T-3" not in digest.body  # read in the app already
    assert "/inst-a/thing/1/" in digest.body
    assert delivery.notification_digests_send(institution=institution_a, now=tomorrow) == 0  # once
    # A new event on a notification still unread puts it in the next digest.
    notify(institution_a, [data_a], link="/inst-a/thing/1/", reference="T-1")
    assert delivery.notification_digests_send(institution=institution_a, now=tomorrow + datetime.timedelta(1)) == 1
    assert "T-1" in mailoutbox[-1].body and "T-2" not in mailoutbox[-1].body


def test_the_hourly_task_runs_every_institutions_digest(institution_a, institution_b, people, mailoutbox):
    services.notification_preference_save(institution=institution_a, user=people[0], deliveries={KIND: Delivery.DIGEST})
    notify(institution_a, [people[0]])
    Notification.objects.for_institution(institution_a).update(occurred_at=timezone.now() - datetime.timedelta(days=2))
    assert tasks.notification_digests_everywhere.delay().get() >= 2
    assert [m.to for m in mailoutbox] == [["data@a.example"]]
    from r2dr.celery import app

    entry = app.conf.beat_schedule[tasks.DIGEST_SCHEDULE_NAME]
    assert entry["task"] == "r2dr.notifications.tasks.notification_digests_everywhere"


def test_e_mails_are_in_the_recipients_language(institution_a, people, mailoutbox, django_capture_on_commit_callbacks):
    institution_a.set_translation("id", "name", "Lembaga A")
    institution_a.save()
    services.notification_preference_save(institution=institution_a, user=people[0], deliveries={}, language="id")
    with django_capture_on_commit_callbacks(execute=True):
        notify(institution_a, [people[0], people[1]])
    by_person = {m.to[0]: m for m in mailoutbox}
    assert "Lembaga A" in by_person["data@a.example"].body
    assert "Institution A" in by_person["other-data@a.example"].body


def test_ending_a_membership_ends_its_notifications_and_preferences_there_only(
    institution_a, institution_b, people, make_member
):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    data_a = people[0]
    Membership.objects.create(user=data_a, institution=institution_b, role=Role.DATA_OFFICER)
    Membership.objects.create(user=data_a, institution=institution_a, role=Role.REVIEWER)
    notify(institution_a, [data_a])
    notify(institution_a, [data_a], kind=OTHER_KIND, link="/inst-a/review/1/")
    notify(institution_b, [data_a], link="/inst-b/thing/1/")
    services.notification_preference_save(
        institution=institution_a, user=data_a, deliveries={KIND: Delivery.OFF, OTHER_KIND: Delivery.IMMEDIATE}
    )
    # Losing one role ends what that role received, in the same transaction.
    core_services.membership_revoke(
        membership=Membership.objects.get(user=data_a, institution=institution_a, role=Role.DATA_OFFICER), by=admin
    )
    assert [n.kind for n in rows(institution_a, recipient=data_a)] == [OTHER_KIND]
    assert NotificationPreference.objects.for_institution(institution_a).get(user=data_a).deliveries == {
        OTHER_KIND: Delivery.IMMEDIATE
    }
    # Losing the last role there ends everything there, and nothing elsewhere.
    core_services.membership_revoke(
        membership=Membership.objects.get(user=data_a, institution=institution_a, role=Role.REVIEWER), by=admin
    )
    assert rows(institution_a, recipient=data_a) == []
    assert not NotificationPreference.objects.for_institution(institution_a).filter(user=data_a).exists()
    assert len(rows(institution_b, recipient=data_a)) == 1


def test_the_platform_registers_its_offboarding_step():
    from r2dr import offboarding

    assert "r2dr.notifications" in dict(offboarding.offboarding_steps())


# --- pages -------------------------------------------------------------------------------------------------------


def test_the_header_counts_unread_notifications_of_this_institution(client, institution_a, institution_b, people):
    data_a = people[0]
    Membership.objects.create(user=data_a, institution=institution_b, role=Role.DATA_OFFICER)
    notify(institution_a, [data_a], link="/inst-a/thing/1/")
    notify(institution_a, [data_a], link="/inst-a/thing/2/")
    notify(institution_b, [data_a], link="/inst-b/thing/1/", reference="B-ONLY")
    client.force_login(data_a)
    page = client.get("/inst-a/").content.decode()
    assert 'href="/inst-a/notifications/"' in page
    assert '<span class="count">2<span class="visually-hidden"> unread</span></span>' in page
    assert '<span class="count">1<span' in client.get("/inst-b/").content.decode()
    listing = client.get("/inst-a/notifications/").content.decode()
    assert "Something happened" in listing and "T-1" in listing and "B-ONLY" not in listing
    client.post("/inst-a/notifications/read/", {"all": "1"})
    assert 'class="count"' not in client.get("/inst-a/").content.decode()
    assert '<span class="count">1<span' in client.get("/inst-b/").content.decode()  # B's are B's


def test_the_header_shows_no_notifications_outside_an_institution(client, people):
    client.force_login(people[0])
    assert "/notifications/" not in client.get("/me/").content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, institution_a, people):
    (notification,) = notify(institution_a, [people[0]], link="/inst-a/")
    client.force_login(people[0])
    assert client.get(f"/inst-a/notifications/{notification.pk}/open/").status_code == 405  # a read is a POST
    response = client.post(f"/inst-a/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/inst-a/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_institutions_or_persons_notification_is_refused(client, institution_a, institution_b, people):
    data_a, other_a, _reviewer, data_b = people
    (theirs_b,) = notify(institution_b, [data_b], link="/inst-b/thing/1/")
    (colleague,) = notify(institution_a, [other_a], link="/inst-a/thing/1/")
    (mine,) = notify(institution_a, [data_a], link="/inst-a/thing/1/")
    client.force_login(data_a)
    for foreign in (theirs_b, colleague):
        assert client.post("/inst-a/notifications/read/", {"notification": [foreign.pk]}).status_code == 404
        assert client.post("/inst-a/notifications/read/", {"notification": [mine.pk, foreign.pk]}).status_code == 404
        assert client.post(f"/inst-a/notifications/{foreign.pk}/open/").status_code == 404
    assert client.post("/inst-a/notifications/read/", {"notification": ["x"]}).status_code == 404
    with scopes_disabled():
        assert not Notification.objects.filter(read_at__isnull=False).exists()  # mine too: all or nothing
    with pytest.raises(Notification.DoesNotExist):
        services.notifications_mark_read(institution=institution_a, recipient=data_a, ids=[theirs_b.pk])
    assert client.post("/inst-a/notifications/read/", {"notification": [mine.pk]}).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_the_preferences_page_saves_a_choice_per_kind_and_the_language(client, institution_a, people):
    data_a = people[0]
    client.force_login(data_a)
    page = client.get("/inst-a/notifications/preferences/").content.decode()
    assert "When something happens" in page and "When something is reviewed" not in page  # not a reviewer
    response = client.post(
        "/inst-a/notifications/preferences/", {"delivery__test__event": Delivery.DIGEST, "language": "th"}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.for_institution(institution_a).get(user=data_a)
    assert preference.deliveries == {KIND: Delivery.DIGEST} and preference.language == "th"
    (notification,) = notify(institution_a, [data_a])
    assert notification.delivery == Delivery.DIGEST
    refused = client.post("/inst-a/notifications/preferences/", {"delivery__test__event": "weekly", "language": "th"})
    assert refused.status_code == 200 and "weekly" not in str(
        NotificationPreference.objects.for_institution(institution_a).get(user=data_a).deliveries
    )


def test_the_list_page_query_count_does_not_grow(client, institution_a, people, django_assert_max_num_queries):
    data_a = people[0]
    client.force_login(data_a)
    notify(institution_a, [data_a], link="/inst-a/thing/0/")
    with django_assert_max_num_queries(20) as small:
        assert client.get("/inst-a/notifications/").status_code == 200
    for i in range(1, 80):
        notify(institution_a, [data_a], link=f"/inst-a/thing/{i}/", reference=f"T-{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get("/inst-a/notifications/").content.decode()
    assert "T-79" in page and "Page 1 of 2" in page


def test_a_broker_outage_fails_no_request_and_the_hourly_run_sends_the_e_mail_later(
    institution_a, people, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.notification_emails_send, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            notify(institution_a, [people[0]])  # the event's own request does not fail
    assert mailoutbox == []
    (row,) = rows(institution_a)
    assert delivery.notification_emails_catch_up(institution=institution_a) == 0  # still within the queueing window
    later = timezone.now() + delivery.CATCH_UP_AFTER + datetime.timedelta(minutes=1)
    assert delivery.notification_emails_catch_up(institution=institution_a, now=later) == 1
    assert [m.to for m in mailoutbox] == [["data@a.example"]]
    assert delivery.notification_emails_catch_up(institution=institution_a, now=later) == 0
