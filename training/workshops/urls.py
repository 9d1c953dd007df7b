"""URLs of workshops, wired in r2dr/urls.py like an app's: the facilitator's pages under training/workshops/, the
institution's under /<institution-slug>/training/workshops/."""

from django.urls import path

from training.workshops.views import assistance, facilitator, feeds, institution

urlpatterns = [
    # The token travels in the query string (?token=), which the access logs leave out: never in the path.
    path("training/workshops/calendar.ics", feeds.calendar_feed, name="workshops_calendar_feed"),
    path("training/workshops/facilitator/feed/", feeds.facilitator_feed, name="workshops_facilitator_feed"),
    path("training/workshops/facilitator/", facilitator.facilitator_home, name="workshops_facilitator"),
    path(
        "training/workshops/availability/<int:availability_id>/",
        facilitator.availability_edit,
        name="workshops_availability",
    ),
    path("training/workshops/bookings/", facilitator.facilitator_bookings, name="workshops_facilitator_bookings"),
    path(
        "training/workshops/bookings/<int:booking_id>/",
        facilitator.facilitator_booking,
        name="workshops_facilitator_booking",
    ),
    path(
        "training/workshops/bookings/<int:booking_id>/session/",
        facilitator.facilitator_session,
        name="workshops_facilitator_session",
    ),
    path("training/workshops/report/sessions.csv", facilitator.sessions_held_csv, name="workshops_sessions_csv"),
    path("training/workshops/requests/", assistance.facilitator_assistance_list, name="workshops_facilitator_requests"),
    path(
        "training/workshops/requests/<int:assistance_id>/",
        assistance.facilitator_assistance,
        name="workshops_facilitator_assistance",
    ),
]
institution_urlpatterns = [
    path("training/workshops/", institution.workshops_home, name="workshops_home"),
    path("training/workshops/book/", institution.workshop_book, name="workshops_book"),
    path("training/workshops/feed/", feeds.institution_feed, name="workshops_feed"),
    path("training/workshops/requests/", assistance.assistance_home, name="workshops_requests"),
    path("training/workshops/requests/<int:assistance_id>/", assistance.assistance_detail, name="workshops_assistance"),
    path("training/workshops/<int:booking_id>/", institution.workshop_booking, name="workshops_booking"),
    path(
        "training/workshops/<int:booking_id>/reschedule/",
        institution.workshop_reschedule,
        name="workshops_reschedule",
    ),
    path("training/workshops/<int:booking_id>/cancel/", institution.workshop_cancel, name="workshops_cancel"),
    path("training/workshops/<int:booking_id>/invite.ics", institution.workshop_ics, name="workshops_ics"),
]
