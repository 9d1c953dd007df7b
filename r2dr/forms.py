import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from r2dr.models import Institution
from r2dr.moments import validate_time_zone
from r2dr.roles import FLEXIBLE_ROLES, INSTITUTION_ROLES, Role

# The IANA areas of present-day places, in the order the list shows them (Asia and the Pacific first); the rest of
# the database (US/..., Etc/GMT+7, old country aliases) stays valid for a value already saved, but is not offered.
TIME_ZONE_AREAS = (
    "Asia",
    "Pacific",
    "Australia",
    "Indian",
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Atlantic",
    "Europe",
)


@cache
def _offered_time_zones() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """(area, ((zone, label), ...)) for each area of TIME_ZONE_AREAS: "Asia/Jakarta" is "Jakarta" under "Asia"."""
    zones = zoneinfo.available_timezones()
    return tuple(
        (area, tuple((z, z.split("/", 1)[1].replace("_", " ")) for z in sorted(zones) if z.startswith(f"{area}/")))
        for area in TIME_ZONE_AREAS
    )


def time_zone_valid(value: str) -> bool:
    try:
        validate_time_zone(value)
    except ValidationError:
        return False
    return True


class TimeZoneField(forms.ChoiceField):
    """A choice from the IANA time zone list, grouped by area; the value is the zone's name ("Asia/Jakarta")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("error_messages", {"invalid_choice": _("Unknown time zone: choose one from the list.")})
        super().__init__(choices=self._choices_with(None), **kwargs)

    @staticmethod
    def _choices_with(current: str | None) -> list:
        groups = _offered_time_zones()
        offered = {"UTC"} | {zone for _area, options in groups for zone, _label in options}
        # A valid zone saved before the list existed (an alias such as "US/Eastern") stays selectable, so saving
        # the form does not change it.
        kept = [(current, current)] if current and current not in offered and time_zone_valid(current) else []
        return [("UTC", "UTC"), *kept, *((area, list(options)) for area, options in groups)]

    def keep(self, current: str | None) -> None:
        """Offer `current` as well, if it is a valid zone outside the list."""
        self.choices = self._choices_with(current)


class MyTimeZoneForm(forms.Form):
    time_zone = TimeZoneField(
        label=_("My time zone"),
        required=False,
        help_text=_(
            "Every time on every page, and the hour of your reminders, follows it. Leave it empty to see "
            "each institution's own time on its pages."
        ),
    )

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, initial={"time_zone": current}, **kwargs)
        field = self.fields["time_zone"]
        field.keep(current or None)
        field.choices = [("", _("The institution's time zone")), *field.choices]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, r.label) for r in Role if r in INSTITUTION_ROLES | FLEXIBLE_ROLES]
    )


class InstitutionForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    admin_email = forms.EmailField(
        label=_("E-mail of the institution's first admin"),
        help_text=_("They receive an invitation link, valid for 7 days."),
    )

    class Meta:
        model = Institution
        fields = [
            "name",
            "short_name",
            "slug",
            "country",
            "country_code",
            "subregion",
            "languages",
            "time_zone",
            "contact_email",
            "website",
        ]
        help_texts = {"slug": _("Used in addresses: /<URL name>/. Lower-case letters, digits and hyphens.")}

    time_zone = TimeZoneField(help_text=_("Due dates and times are shown in this zone."))

    def clean_country_code(self):
        return self.cleaned_data["country_code"].upper()


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            probe = get_user_model()(email=self.email or "", username=self.email or "")
            try:
                password_validation.validate_password(data["password1"], probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class InstitutionSettingsForm(forms.ModelForm):
    """What an institution's own admin may change (name, URL and country stay with APF)."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    time_zone = TimeZoneField(help_text=_("Due dates and times are shown in this zone."))

    class Meta:
        model = Institution
        fields = ["short_name", "languages", "time_zone", "contact_email", "website"]
        help_texts = {
            "languages": _("The public case form and notices are offered in these languages."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].keep(self.instance.time_zone)


def add_service_errors(form, exc) -> None:
    """Show a service's ValidationError on the form: per field where the form has that field, else on top.

    Services validate the whole model, so they may name fields a form does not show; Django's own
    `add_error(None, exc)` refuses those.
    """
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
