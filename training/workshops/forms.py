import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from training.workshops.models import Availability, ProgrammeRound, Topic, WeeklyRule


def zone_choices() -> list[tuple[str, str]]:
    return [
        (name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name and not name.startswith("Etc/")
    ]


class ProgrammeRoundForm(forms.ModelForm):
    class Meta:
        model = ProgrammeRound
        fields = ["title", "starts_on", "ends_on", "workshop_quota"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }


class AvailabilityForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Your time zone"), choices=zone_choices)

    class Meta:
        model = Availability
        fields = [
            "title",
            "programme_round",
            "time_zone",
            "capacity",
            "mode",
            "meeting_link",
            "place",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "minimum_notice_hours",
            "horizon_weeks",
            "change_cutoff_hours",
            "is_active",
        ]
        help_texts = {
            "meeting_link": _("Only what you paste here is sent; no video service is called."),
            "capacity": _("1 for a one-on-one workshop (counted against the round's quota); more for a group clinic."),
        }


class WeeklyRuleForm(forms.ModelForm):
    class Meta:
        model = WeeklyRule
        fields = ["weekday", "start", "end", "slot_minutes"]
        widgets = {"start": forms.TimeInput(attrs={"type": "time"}), "end": forms.TimeInput(attrs={"type": "time"})}


class OneOffSlotForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Starts (your time zone)"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480, initial=60)

    def starts_at(self, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
        return datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["start"], tzinfo=zone)


class DateExceptionForm(forms.Form):
    day = forms.DateField(label=_("No slots on"), widget=forms.DateInput(attrs={"type": "date"}))


class BookingForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    description = forms.CharField(
        label=_("What would you like to work on?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A few lines on the question or the work. Do not put case files, case details or the names of "
            "defenders here: this request is read by facilitators outside your institution."
        ),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)


class SessionRecordForm(forms.Form):
    attendees = forms.TypedMultipleChoiceField(
        label=_("Who attended"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    other_attendees = forms.IntegerField(label=_("Other people who attended"), min_value=0, max_value=500, initial=0)
    shared_note = forms.CharField(
        label=_("Note shared with the institution"), required=False, max_length=5000, widget=forms.Textarea
    )
    private_note = forms.CharField(
        label=_("Private note (only facilitators read it)"), required=False, max_length=5000, widget=forms.Textarea
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [(m.pk, m.get_full_name() or m.email) for m in members]


class FollowUpForm(forms.Form):
    what = forms.CharField(label=_("What"), max_length=300)
    who = forms.CharField(label=_("Who"), max_length=200)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class AssistanceRequestForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    description = forms.CharField(
        label=_("What you need (a question, a document to review)"),
        max_length=4000,
        widget=forms.Textarea,
        help_text=_("Case files and the names of defenders do not belong here."),
    )


class AssistanceMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(statuses)
