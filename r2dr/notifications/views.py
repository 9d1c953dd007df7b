"""The notification pages of one institution: the list (with mark-as-read), opening one, and the preferences.
Everything is the signed-in person's own, in the institution of the URL; another person's or institution's
notification id finds nothing (404)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from r2dr import permissions as scope
from r2dr.forms import add_service_errors
from r2dr.models import Notification
from r2dr.notifications import selectors, services
from r2dr.notifications.forms import NotificationPreferenceForm

PAGE_SIZE = 50


@scope.institution()
def notifications_list(request, institution_slug):
    page = Paginator(
        selectors.notifications_for(institution=request.institution, recipient=request.user), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    items = [{"notification": n, "kind": selectors.notification_kind_label(n.kind)} for n in page]
    unread = selectors.notifications_unread_count(institution=request.institution, recipient=request.user)
    return render(
        request,
        "r2dr/notifications/list.html",
        # The header's count is this one: asked once.
        {"page": page, "items": items, "unread": unread, "notifications_unread": unread},
    )


def _ids(values) -> list[int]:
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


@scope.institution()
@require_POST
def notifications_read(request, institution_slug):
    """Mark one notification read (the button's `notification`), or all of them (`all`)."""
    if request.POST.get("all") == "1":
        count = services.notifications_mark_read(institution=request.institution, recipient=request.user)
    else:
        ids = _ids(request.POST.getlist("notification"))
        if not ids:
            raise Http404
        try:
            count = services.notifications_mark_read(institution=request.institution, recipient=request.user, ids=ids)
        except Notification.DoesNotExist as exc:
            raise Http404 from exc
    if count:
        messages.success(request, _("Marked as read."))
    return redirect("notifications_list", institution_slug=request.institution.slug)


@scope.institution()
@require_POST
def notification_open(request, institution_slug, notification_id):
    """Mark a notification read and go to the page it points at."""
    try:
        notification = selectors.notification_get(
            institution=request.institution, recipient=request.user, notification_id=notification_id
        )
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    services.notifications_mark_read(institution=request.institution, recipient=request.user, ids=[notification.pk])
    if url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()}):
        return redirect(notification.link)
    return redirect("notifications_list", institution_slug=request.institution.slug)


@scope.institution()
def notification_preferences(request, institution_slug):
    institution = request.institution
    preference = selectors.notification_preference_of(institution=institution, user=request.user)
    kinds = selectors.notification_kinds_of(institution=institution, user=request.user)
    form = NotificationPreferenceForm(
        request.POST or None,
        kinds=kinds,
        preference=preference,
        language=selectors.language_of(preference, institution),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preference_save(
                institution=institution,
                user=request.user,
                deliveries=form.deliveries(),
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your notification choices were saved."))
            return redirect("notification_preferences", institution_slug=institution.slug)
    return render(
        request,
        "r2dr/notifications/preferences.html",
        {"form": form, "kinds": kinds, "digest_hour": f"{settings.R2DR_NOTIFICATION_DIGEST_HOUR:02d}:00"},
    )
