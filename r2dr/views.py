import sys

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from kombu.exceptions import OperationalError as BrokerUnavailable

from r2dr import languages, selectors, services
from r2dr import permissions as scope
from r2dr.cache import REDIS_ERRORS
from r2dr.celery import broker_status
from r2dr.forms import AcceptInvitationForm, InstitutionForm, InstitutionSettingsForm, InviteForm, MyTimeZoneForm
from r2dr.middleware import user_has_totp
from r2dr.models import Invitation, Membership
from r2dr.permissions import Access
from r2dr.roles import Role
from r2dr.sessions import TIME_ZONE_KEY
from r2dr.workspaces import landing_url, workspaces_for

# A Redis that is down or hung (cache or broker; the cache itself falls back to the database, so this is what is
# left: a publish to the broker, a direct Redis client) and kombu's wrapper of a failed publish.
SERVICE_DOWN_ERRORS = (*REDIS_ERRORS, BrokerUnavailable)


@scope.public
def home(request):
    return render(request, "r2dr/home.html", {"institutions": request.access.institutions})


@scope.public
def set_language(request):
    """The switcher's form: Django's set_language, which keeps the earlier choice when the language asked for is
    not offered (it would only be ignored on the next page, see `r2dr.languages`)."""
    response = django_set_language(request)
    if request.method == "POST" and not languages.is_offered(request.POST.get("language")):
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    return response


@scope.public
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@scope.public
@never_cache
def readyz(request):
    problems = {}
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        problems["database"] = type(exc).__name__
    broker = broker_status(settings.CELERY_BROKER_URL or None)
    if broker != "ok" and broker != "in-process":
        problems["broker"] = broker
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "broker": broker})


@scope.institution()
def institution_home(request, institution_slug):
    roles = [Role(role).label for role in sorted(request.roles)]
    return render(request, "r2dr/institution_home.html", {"roles": roles})


@scope.institution(Role.INSTITUTION_ADMIN)
def institution_members(request, institution_slug):
    institution = request.institution
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                institution=institution,
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("institution_members", institution_slug=institution.slug)
    return render(
        request,
        "r2dr/members.html",
        {
            "members": selectors.institution_members(institution=institution),
            "invitations": selectors.institution_open_invitations(institution=institution),
            "form": form,
        },
    )


@scope.institution(Role.INSTITUTION_ADMIN)
def institution_settings(request, institution_slug):
    form = InstitutionSettingsForm(request.POST or None, instance=request.institution)
    if request.method == "POST" and form.is_valid():
        services.institution_update(institution=request.institution, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Settings saved."))
        return redirect("institution_settings", institution_slug=request.institution.slug)
    return render(request, "r2dr/institution_settings.html", {"form": form})


@scope.institution(Role.INSTITUTION_ADMIN)
@require_POST
def membership_remove(request, institution_slug, membership_id):
    try:
        membership = selectors.institution_membership(institution=request.institution, membership_id=membership_id)
    except Membership.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.membership_revoke(membership=membership, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role removed."))
    return redirect("institution_members", institution_slug=request.institution.slug)


@scope.institution(Role.INSTITUTION_ADMIN)
@require_POST
def invitation_revoke(request, institution_slug, invitation_id):
    try:
        invitation = selectors.institution_invitation(institution=request.institution, invitation_id=invitation_id)
    except Invitation.DoesNotExist as exc:
        raise Http404 from exc
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("Invitation revoked."))
    return redirect("institution_members", institution_slug=request.institution.slug)


# The session key holding the invitation a visitor obtained by opening its link.
INVITATION_SESSION_KEY = "r2dr_invitation"


@scope.public
@never_cache
def invitation_open(request, token):
    """Links sent before tokens moved to the query string (they carry the token in the path): exchanged the
    same way, so they die on first use."""
    return _invitation_exchange(request, token)


def _invitation_exchange(request, token):
    """Trade the link's token for this browser's session and move on to the token-free address. The token is then
    dead: a second opening (by a reader of a log, say) is refused with a page that says why."""
    invitation = services.invitation_exchange(token=token)
    if invitation is None:
        opened = selectors.invitation_link_was_opened(token=token)
        return render(request, "r2dr/invitation_invalid.html", {"opened": opened}, status=404)
    request.session[INVITATION_SESSION_KEY] = invitation.pk
    return redirect("invitation_accept")


@scope.public
@never_cache
def invitation_accept(request):
    """The e-mailed link is this page with `?token=`: the access logs (deploy/) record no query string, and the
    token is exchanged for the session at once."""
    if "token" in request.GET:
        return _invitation_exchange(request, request.GET["token"])
    invitation = selectors.invitation_pending(invitation_id=request.session.get(INVITATION_SESSION_KEY))
    if invitation is None:
        return render(request, "r2dr/invitation_invalid.html", status=404)
    User = get_user_model()
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        if not request.user.is_authenticated:
            messages.info(request, _("Sign in as %(email)s to accept the invitation.") % {"email": invitation.email})
            return redirect_to_login(request.get_full_path())
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                messages.success(request, _("Invitation accepted."))
                return redirect(landing_url(user=request.user, access=Access(request.user)))
        return render(request, "r2dr/invitation_accept.html", {"invitation": invitation, "form": None})
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = services.user_create_from_invitation(
            invitation=invitation, password=form.cleaned_data["password1"], name=form.cleaned_data["name"]
        )
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(request, _("Welcome to r2dr. Your account is ready."))
        return _sign_in_new_account(request, user)
    return render(request, "r2dr/invitation_accept.html", {"invitation": invitation, "form": form})


def _sign_in_new_account(request, user):
    """Sign in the invitee who has just set their password, through allauth's own login (its stages, signals and
    r2dr's device cookie), and land them where they work, by way of second-factor enrolment where their role
    needs it (r2dr.middleware.MFARequiredMiddleware).

    allauth asks for the password again before adding a second factor unless the session proved it within
    ACCOUNT_REAUTHENTICATION_TIMEOUT: the invitee proved it in this very request, by choosing it, so that is
    recorded as the proof; asking them to re-type it seconds later only teaches people to doubt the page."""
    record_authentication(request, user, method="password", email=user.email, reauthenticated=True)
    return perform_login(
        request,
        user,
        email=user.email,
        redirect_url=landing_url(user=user, access=Access(user)),
    )


@scope.regional()
def regional_home(request):
    return render(request, "r2dr/regional_home.html", {"institutions": selectors.regional_institutions()})


@scope.regional(Role.REGIONAL_ADMIN)
def institution_onboard(request):
    form = InstitutionForm(request.POST or None, initial={"languages": ["en"], "time_zone": "UTC"})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "admin_email"}
        try:
            institution, _invitation = services.institution_onboard(
                data=data, admin_email=form.cleaned_data["admin_email"], by=request.user, request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s was created and its first admin invited.") % {"name": institution.name},
            )
            return redirect("regional_home")
    return render(request, "r2dr/institution_form.html", {"form": form})


@scope.authenticated
@never_cache
def workspace_choose(request):
    """Where sign-in lands: straight on the user's one workspace, or a choice among several."""
    places = workspaces_for(user=request.user, access=request.access)
    if len(places) == 1:
        return redirect(places[0].url)
    return render(request, "r2dr/workspace_choose.html", {"workspaces": places})


@scope.authenticated
def my_account(request):
    current = selectors.user_time_zone_name(user=request.user)
    form = MyTimeZoneForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        zone = form.cleaned_data["time_zone"]
        services.user_time_zone_set(user=request.user, time_zone=zone)
        request.session[TIME_ZONE_KEY] = zone
        messages.success(request, _("Your time zone is saved."))
        return redirect("my_account")
    return render(
        request,
        "r2dr/my_account.html",
        {"memberships": request.access.memberships, "has_totp": user_has_totp(request.user), "zone_form": form},
    )


def error_400(request, exception=None):
    # Rendered without the request context: the body that caused this (say, a form declared in a charset other
    # than UTF-8) raises again whenever anything reads request.POST, and a context processor or template that
    # did would turn this page into a 500.
    return HttpResponseBadRequest(loader.get_template("400.html").render({}))


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # Rendered without the request context: the database may be the problem. Django calls this while handling
    # the exception, so it is still the current one: a service that is briefly down (Redis, the broker) gets the
    # 503 page that says so, not "something went wrong".
    if isinstance(sys.exc_info()[1], SERVICE_DOWN_ERRORS):
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render({}))
