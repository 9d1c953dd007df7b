from django.contrib import admin
from django.contrib.auth.views import redirect_to_login

from r2dr import permissions as scope
from r2dr.middleware import user_has_totp
from r2dr.models import Institution, Invitation, Membership


def _superuser_with_mfa(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser and user_has_totp(user))


# The admin is for superusers who have enrolled TOTP (MFARequiredMiddleware
# enforces enrolment; allauth then asks for the code at login).


@scope.public
def _login_through_allauth(request, extra_context=None):
    """The admin has no login form of its own: allauth's login asks for the TOTP code."""
    return redirect_to_login(request.get_full_path())


admin.site.has_permission = _superuser_with_mfa
admin.site.login = _login_through_allauth


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "subregion", "slug", "is_active"]
    list_filter = ["subregion", "is_active"]
    search_fields = ["name", "country"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "role"]
    list_filter = ["role", "institution"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "institution", "role", "created_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]
