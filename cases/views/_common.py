"""What the cases views share: cache headers, the encrypting upload handler, the staff page frame, and the
decorators that load a case the officer may see and hand the view the unlocked institution key."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cases import intake, plaintext, selectors, unlock
from cases.intake_flow import Page
from cases.models import Case
from cases.services.keys import KEY_ROLES as KEY_ROLES  # the views check the roles the keys service grants to
from r2dr.roles import Role


def no_store(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, no_cache=True, must_revalidate=True, private=True, max_age=0)
        response["Pragma"] = "no-cache"
        response["Expires"] = "0"
        return response

    return wrapper


def encrypting_uploads(view):
    """Install the encrypting upload handler before anything parses the body; check CSRF afterwards (the
    CSRF middleware would otherwise read request.POST first, with Django's default handlers)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            request.upload_handlers = [intake.EncryptingUploadHandler(request)]
            boundary = (
                request.content_params.get("boundary", "") if request.content_type == "multipart/form-data" else ""
            )
            if boundary.isascii() and boundary and not hasattr(request, "_body"):
                # Before Django's parser reads the body: a long file name must not cost the defender the request.
                request._stream = intake.PartHeaderShortener(request._stream, boundary.encode("ascii"))
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def request_uploads(request, field="files"):
    """(accepted EncryptedFiles, error messages) from this request's upload field."""
    accepted, errors = [], []
    reasons = {
        "type": _("“%(name)s” was not accepted: only images (JPEG, PNG, GIF, WebP), PDF, audio and video files."),
        "size": _("“%(name)s” is larger than the limit of %(mb)d MB."),
        "empty": _("“%(name)s” is empty."),
        "image": _(
            "“%(name)s” could not be read as an image: it is damaged, incomplete, not really an image, or larger than "
            "%(megapixels)d megapixels. Please send another copy of it."
        ),
        "interrupted": _("“%(name)s” did not arrive completely."),
    }
    chosen = request.FILES.getlist(field)
    over = [f.name for f in chosen if isinstance(f, intake.EncryptedFile) and f.rejected == "count"]
    if over:
        errors.append(
            _("You chose %(count)d files, but at most %(n)d can be sent at a time. Not taken: %(names)s.")
            % {"count": len(chosen), "n": intake.max_files(), "names": ", ".join(f"“{name}”" for name in over)}
        )
    for f in chosen:
        if not isinstance(f, intake.EncryptedFile) or f.rejected == "count":  # never accept an unencrypted file
            continue
        if f.rejected:
            errors.append(
                reasons.get(f.rejected, reasons["type"])
                % {
                    "name": f.name,
                    "mb": intake.max_file_bytes() // (1024 * 1024),
                    "n": intake.max_files(),
                    "megapixels": intake.max_image_pixels() // 1_000_000,
                }
            )
        else:
            accepted.append(f)
    return accepted, errors


LOCKED_POST = gettext_lazy("Your case keys were locked, so this was not done. Unlock them, then do it again.")


def unlock_redirect(request: HttpRequest, *, back: str = "") -> HttpResponse:
    """Send a locked officer to unlock, then on to a page that can be shown. A GET comes back to itself. A POST
    is not replayed (nothing of it is kept while the keys are locked): the officer comes back to the page the form
    was on, `back` for a view that answers POST only (its own URL would be a 405 page), else the view's own URL."""
    if request.method in ("GET", "HEAD"):
        target = request.get_full_path()
    else:
        target = back or request.path
        messages.error(request, LOCKED_POST)
    url = reverse("cases_unlock", kwargs={"institution_slug": request.institution.slug})
    return redirect(f"{url}?{urlencode({'next': target})}")


def staff_render(request, template, context):
    context.setdefault("unlocked", unlock.is_unlocked(request, request.institution))
    return render(request, template, context)


def is_case_officer(request) -> bool:
    return request.access.has(request.institution, Role.CASE_OFFICER)


def case_or_404(request, case_id):
    """The case, if this member may open its pages (selectors.cases_readable_by); the same 404 as for a missing
    case otherwise."""
    readable = selectors.cases_readable_by(request.institution, request.user, case_officer=is_case_officer(request))
    return get_object_or_404(readable, pk=case_id)


def inbox_url(institution, query: str = "") -> str:
    url = reverse("cases_list", kwargs={"institution_slug": institution.slug})
    return f"{url}?{query}" if query else url


def inbox_filters(request, form) -> dict:
    if not form.is_valid():
        return {}
    c = form.cleaned_data
    filters = {
        "status": c["status"],
        "urgency": c["urgency"],
        "violation_type": c["violation_type"],
        "defender_group": c["defender_group"],
        "received_from": c["received_from"],
        "received_to": c["received_to"],
        "incident_from": c["incident_from"],
        "incident_to": c["incident_to"],
        "repeat_attack": c["repeat_attack"],
        "escalated": c["escalated"],
        "overdue": c["overdue"],
    }
    assigned = c["assigned"]
    if assigned == "none":
        filters["unassigned"] = True
    elif assigned == "me":
        filters["assigned_to"] = request.user.pk
    elif assigned:
        filters["assigned_to"] = int(assigned)
    return filters


def page_response(request: HttpRequest, page: Page) -> HttpResponse:
    return render(request, page.template, page.context, status=page.status)


def unlocked(view: Callable | None = None, *, back: str = "") -> Callable:
    """The view gets `private=` (the unlocked institution private key); a locked officer is sent to unlock first.
    A view that answers POST only names in `back` the URL (name, institution
    arguments only) of the page its form is on, where the officer returns after unlocking."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            private = unlock.private_key(request, request.institution)
            if private is None:
                target = reverse(back, kwargs={"institution_slug": request.institution.slug}) if back else ""
                return unlock_redirect(request, back=target)
            return view(request, *args, private=private, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def unlocked_case(view: Callable | None = None, *, back: str = "") -> Callable:
    """Load the case (`case_id`) among those this officer may see (404 otherwise, restricted cases included), then
    require the unlocked key: the view gets `case=`, `private=` (institution key) and `key=` (the case key). A view
    that answers POST only names in `back` the URL (name; institution and case arguments) of the page its form
    is on, where the officer returns after unlocking."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, case_id, **kwargs):
            case: Case = case_or_404(request, case_id)
            private = unlock.private_key(request, request.institution)
            if private is None:
                target = (
                    reverse(back, kwargs={"institution_slug": request.institution.slug, "case_id": case.pk})
                    if back
                    else ""
                )
                return unlock_redirect(request, back=target)
            key = plaintext.case_key_for_officer(case, private)
            return view(request, *args, case=case, private=private, key=key, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def submitter_followup_url(request: HttpRequest, case: Case) -> str:
    """Where an identified submitter reads an update (with their receipt code): the institution's follow-up page."""
    return request.build_absolute_uri(reverse("cases_followup", kwargs={"institution_slug": case.institution.slug}))
