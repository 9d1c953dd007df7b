"""The institution's workshop pages: free slots, booking, the institution's bookings, rescheduling, cancelling
and the invitation file. Institution admins and heads book; times show in the institution's zone (activated by
the permission layer) and the facilitator's."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from r2dr import permissions as scope
from r2dr.roles import Role
from training.workshops.forms import BookingForm
from training.workshops.invitations import booking_ics
from training.workshops.models import Availability, Booking
from training.workshops.selectors import bookings as selectors
from training.workshops.selectors.slots import free_slots, open_availabilities, open_availability, slot_at
from training.workshops.services import booking as services
from training.workshops.views._common import booking_page, parse_slot_key, refusal

BOOKERS = (Role.INSTITUTION_ADMIN, Role.INSTITUTION_HEAD)


def _own(request, booking_id) -> Booking:
    try:
        return selectors.institution_booking(institution=request.institution, booking_id=booking_id)
    except Booking.DoesNotExist as exc:
        raise Http404 from exc


@scope.institution(*BOOKERS)
def workshops_home(request, institution_slug):
    return render(
        request,
        "workshops/home.html",
        {
            "bookings": selectors.institution_bookings(institution=request.institution),
            "quotas": selectors.quota_use(institution=request.institution),
            "slots": free_slots(availabilities=open_availabilities(), limit=24),
        },
    )


@scope.institution(*BOOKERS)
def workshop_book(request, institution_slug):
    source = request.POST if request.method == "POST" else request.GET
    starts_at = parse_slot_key(source.get("start", ""))
    try:
        availability = open_availability(availability_id=int(source.get("availability", "")))
    except (ValueError, Availability.DoesNotExist):
        availability = None
    slot = slot_at(availability=availability, starts_at=starts_at) if availability and starts_at else None
    if slot is None:
        messages.error(request, _("This slot is not offered (any more): choose one of the slots listed."))
        return redirect("workshops_home", institution_slug=request.institution.slug)
    form = BookingForm(request.POST or None, initial={"language": request.LANGUAGE_CODE.split("-")[0]})
    next_slots: list = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(
                institution=request.institution,
                by=request.user,
                availability_id=availability.pk,
                starts_at=slot.starts_at,
                **form.cleaned_data,
            )
        except services.BookingRefused as exc:
            next_slots = refusal(request, exc)
            status = 409
        else:
            return redirect("workshops_booking", institution_slug=request.institution.slug, booking_id=booking.pk)
    context = {"availability": availability, "slot": slot, "form": form, "next_slots": next_slots}
    return render(request, "workshops/book.html", context, status=status)


@scope.institution(*BOOKERS)
def workshop_booking(request, institution_slug, booking_id):
    booking = _own(request, booking_id)
    return booking_page(request, booking, side="institution")


@scope.institution(*BOOKERS)
@require_POST
def workshop_reschedule(request, institution_slug, booking_id):
    booking = _own(request, booking_id)
    starts_at = parse_slot_key(request.POST.get("start", ""))
    try:
        if starts_at is None:
            raise services.BookingRefused(_("Choose a new time."))
        services.booking_reschedule(
            booking=booking, by=request.user, starts_at=starts_at, reason=request.POST.get("reason", "")
        )
    except services.BookingRefused as exc:
        refusal(request, exc)
    return redirect("workshops_booking", institution_slug=request.institution.slug, booking_id=booking.pk)


@scope.institution(*BOOKERS)
@require_POST
def workshop_cancel(request, institution_slug, booking_id):
    booking = _own(request, booking_id)
    try:
        services.booking_cancel(booking=booking, by=request.user, reason=request.POST.get("reason", ""))
    except services.BookingRefused as exc:
        refusal(request, exc)
    return redirect("workshops_booking", institution_slug=request.institution.slug, booking_id=booking.pk)


@scope.institution(*BOOKERS)
def workshop_ics(request, institution_slug, booking_id):
    booking = _own(request, booking_id)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workshop-{booking.pk}.ics"'
    return response
