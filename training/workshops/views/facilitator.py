"""The facilitator's workshop pages: their availability (rounds, weekly rules, one-off slots, exceptions) and every
institution's bookings, with rescheduling and cancelling. Times show in the availability's zone and the
institution's."""

from __future__ import annotations

import csv
import datetime
import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from r2dr import permissions as scope
from r2dr.roles import Role
from r2dr.selectors import institutions_in_service
from training.workshops.forms import (
    AvailabilityForm,
    DateExceptionForm,
    FollowUpForm,
    OneOffSlotForm,
    ProgrammeRoundForm,
    SessionRecordForm,
    WeeklyRuleForm,
)
from training.workshops.models import Availability, Booking, BookingStatus, FollowUpAction, Topic
from training.workshops.selectors import bookings as selectors
from training.workshops.selectors import reporting
from training.workshops.selectors import sessions as session_selectors
from training.workshops.services import availability as availability_services
from training.workshops.services import booking as services
from training.workshops.services import sessions as session_services
from training.workshops.views._common import booking_page, parse_slot_key, refusal


@scope.regional(Role.FACILITATOR)
def facilitator_home(request):
    """The facilitator's availabilities, with forms for a new one and a new programme round."""
    availability_form = AvailabilityForm(request.POST if request.POST.get("action") == "availability" else None)
    round_form = ProgrammeRoundForm(request.POST if request.POST.get("action") == "round" else None)
    if request.method == "POST":
        if round_form.is_bound and round_form.is_valid():
            availability_services.programme_round_create(
                title=round_form.cleaned_data["title"],
                starts_on=round_form.cleaned_data["starts_on"],
                ends_on=round_form.cleaned_data["ends_on"],
                quota=round_form.cleaned_data["workshop_quota"],
            )
            messages.success(request, _("The programme round is saved."))
            return redirect("workshops_facilitator")
        if availability_form.is_bound and availability_form.is_valid():
            availability = availability_services.availability_save(
                availability=availability_form.save(commit=False), by=request.user
            )
            return redirect("workshops_availability", availability_id=availability.pk)
    context = {
        "availabilities": selectors.facilitator_availabilities(facilitator=request.user),
        "availability_form": availability_form,
        "round_form": round_form,
        "rounds": selectors.programme_rounds(),
    }
    return render(request, "workshops/facilitator.html", context, status=400 if request.method == "POST" else 200)


@scope.regional(Role.FACILITATOR)
def availability_edit(request, availability_id):
    try:
        availability = selectors.availability_of(facilitator=request.user, availability_id=availability_id)
    except Availability.DoesNotExist as exc:
        raise Http404 from exc
    action = request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    forms = {
        "settings": AvailabilityForm(data if action == "settings" else None, instance=availability),
        "rule": WeeklyRuleForm(data if action == "rule" else None),
        "slot": OneOffSlotForm(data if action == "slot" else None),
        "exception": DateExceptionForm(data if action == "exception" else None),
    }
    if request.method == "POST":
        if action == "remove":
            try:
                part_id = int(request.POST.get("part_id", ""))
            except ValueError:
                part_id = 0
            availability_services.availability_part_remove(
                availability=availability, part=request.POST.get("part", ""), part_id=part_id
            )
            return redirect("workshops_availability", availability_id=availability.pk)
        form = forms.get(action)
        if form is not None and form.is_valid():
            if action == "settings":
                availability_services.availability_save(availability=form.save(commit=False), by=request.user)
            elif action == "rule":
                availability_services.weekly_rule_add(availability=availability, rule=form.save(commit=False))
            elif action == "slot":
                availability_services.one_off_slot_add(
                    availability=availability,
                    starts_at=form.starts_at(availability.zone),
                    minutes=form.cleaned_data["minutes"],
                )
            else:
                availability_services.date_exception_add(availability=availability, day=form.cleaned_data["day"])
            messages.success(request, _("Saved."))
            return redirect("workshops_availability", availability_id=availability.pk)
    context = {"availability": availability, "forms": forms}
    return render(request, "workshops/availability.html", context, status=400 if request.method == "POST" else 200)


@scope.regional(Role.FACILITATOR, tenant_data=True)
def facilitator_bookings(request):
    status = request.GET.get("status", BookingStatus.BOOKED)
    try:
        institution_id = int(request.GET.get("institution", ""))
    except ValueError:
        institution_id = None
    topic = request.GET.get("topic", "")
    since, until = _date(request.GET.get("since", "")), _date(request.GET.get("until", ""))
    bookings = selectors.facilitator_bookings(
        status=status, institution_id=institution_id, topic=topic, since=since, until=until
    )
    return render(
        request,
        "workshops/facilitator_bookings.html",
        {
            "bookings": list(bookings),
            "status": status,
            "statuses": BookingStatus.choices,
            "institution_id": institution_id,
            "institutions": list(institutions_in_service()),
            "topic": topic,
            "topics": Topic.choices,
            "since": since,
            "until": until,
        },
    )


def _any_booking(booking_id) -> Booking:
    try:
        return selectors.facilitator_booking(booking_id=booking_id)
    except Booking.DoesNotExist as exc:
        raise Http404 from exc


@scope.regional(Role.FACILITATOR, tenant_data=True)
def facilitator_booking(request, booking_id):
    booking = _any_booking(booking_id)
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            if request.POST.get("action") == "cancel":
                services.booking_cancel(booking=booking, by=request.user, reason=reason)
                messages.success(request, _("The workshop is cancelled; the institution is told."))
            else:
                starts_at = parse_slot_key(request.POST.get("start", ""))
                if starts_at is None:
                    raise services.BookingRefused(_("Choose a new time."))
                services.booking_reschedule(booking=booking, by=request.user, starts_at=starts_at, reason=reason)
                messages.success(request, _("The workshop is moved; the institution is told."))
        except services.BookingRefused as exc:
            refusal(request, exc)
        return redirect("workshops_facilitator_booking", booking_id=booking.pk)
    return booking_page(request, booking, side="facilitator")


@scope.regional(Role.FACILITATOR, tenant_data=True)
def facilitator_session(request, booking_id):
    """Record a held workshop (attendance, notes) and its follow-up actions; plain forms, no JavaScript."""
    booking = _any_booking(booking_id)
    record = session_selectors.session_record_of(booking=booking)
    members = session_selectors.institution_members(booking=booking)
    action = request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    initial = {}
    if record is not None:
        initial = {
            "attendees": [u.pk for u in record.attendees.all()],
            "other_attendees": record.other_attendees,
            "shared_note": record.shared_note,
            "private_note": record.private_note,
        }
    record_form = SessionRecordForm(data if action == "record" else None, members=members, initial=initial)
    follow_up_form = FollowUpForm(data if action == "follow_up" else None)
    if request.method == "POST":
        try:
            if action == "record" and record_form.is_valid():
                session_services.session_record_save(
                    booking=booking,
                    by=request.user,
                    attendee_ids=record_form.cleaned_data["attendees"],
                    other_attendees=record_form.cleaned_data["other_attendees"],
                    shared_note=record_form.cleaned_data["shared_note"],
                    private_note=record_form.cleaned_data["private_note"],
                )
                messages.success(request, _("The session is recorded."))
                return redirect("workshops_facilitator_session", booking_id=booking.pk)
            if action == "follow_up" and record is not None and follow_up_form.is_valid():
                session_services.follow_up_add(record=record, by=request.user, **follow_up_form.cleaned_data)
                messages.success(request, _("The follow-up action is added."))
                return redirect("workshops_facilitator_session", booking_id=booking.pk)
            if action == "done" and record is not None:
                try:
                    done = session_selectors.follow_up_of(record=record, action_id=int(request.POST.get("id", "")))
                except (ValueError, FollowUpAction.DoesNotExist) as exc:
                    raise Http404 from exc
                session_services.follow_up_done(action=done, by=request.user)
                return redirect("workshops_facilitator_session", booking_id=booking.pk)
        except session_services.SessionRefused as exc:
            messages.error(request, str(exc))
    context = {
        "booking": booking,
        "record": record,
        "record_form": record_form,
        "follow_up_form": follow_up_form,
        "zone": booking.availability.time_zone,
    }
    return render(request, "workshops/session.html", context, status=400 if request.method == "POST" else 200)


def _csv_cell(value) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (an institution's name is typed by people)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


@scope.regional(Role.FACILITATOR, tenant_data=True)
def sessions_held_csv(request):
    """APF programme reporting: workshops held per institution and topic (?since=/&until= start days, ISO)."""
    rows = reporting.sessions_held(since=_date(request.GET.get("since", "")), until=_date(request.GET.get("until", "")))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Institution"), _("Topic"), _("Workshops held"), _("Workshops recorded"), _("Attendance")])
    for row in rows:
        writer.writerow([_csv_cell(row[key]) for key in ("institution", "topic", "held", "recorded", "attendees")])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="workshops-held.csv"'
    return response
