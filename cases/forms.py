"""Forms of the cases app: the steps of the public report, follow-up, and the staff side."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core import validators
from django.http import QueryDict
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cases import crypto
from cases.models import (
    UN_SECTION_MAX_CHARS,
    AffectedKind,
    AgeGroup,
    ConsentAnswer,
    DefenderGroup,
    Gender,
    Inadmissibility,
    InterventionKind,
    InterventionStatus,
    Origin,
    Outcome,
    PerpetratorKind,
    PerpetratorType,
    ProtectionMechanism,
    Reliability,
    RespondentType,
    Right,
    SourceKind,
    Status,
    Urgency,
    ViolationType,
)
from cases.selectors import mechanisms_for
from r2dr.selectors import institutions_in_service

TEXT_MAX = 20_000
SHORT_MAX = 300


# The largest primary key any supported database stores (a signed 64-bit integer): a bigger number is refused here,
# because SQLite raises OverflowError (a 500) when one reaches a query.
MAX_PK = 2**63 - 1


def _pk_in_range(value) -> bool:
    """False for a number no primary key can be (anything else is left to the field's own validation)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return True
    return -MAX_PK - 1 <= number <= MAX_PK


class BoundedModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _pk_in_range(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not _pk_in_range(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": str(pk)[:40]}
                )
        return super()._check_values(value)


class TaxonomyChoices(BoundedModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        label = obj.tr("label")
        articles = getattr(obj, "declaration_articles", "")
        if articles:
            return _("%(label)s (art. %(articles)s)") % {
                "label": label,
                "articles": articles,
            }
        return label


class _LengthLimit(validators.MaxLengthValidator):
    message = _(
        "This answer is too long: at most %(limit)s characters, and it has %(length)s. "
        "Please shorten it; what you typed is kept here."
    )

    def __call__(self, value):
        if len(value) > self.limit_value:
            raise forms.ValidationError(
                self.message,
                code="max_length",
                params={
                    "limit": number_format(self.limit_value, force_grouping=True),
                    "length": number_format(len(value), force_grouping=True),
                },
            )


class LimitedCharField(forms.CharField):
    """A text field whose limit is refused with both numbers, so a defender knows how much to cut."""

    def __init__(self, *, max_length, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)]
        self.validators.append(_LengthLimit(max_length))


def _text(label, *, required=False, help_text="", max_length=TEXT_MAX, rows=5):
    return LimitedCharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _line(label, *, required=False, help_text="", max_length=SHORT_MAX):
    return LimitedCharField(label=label, required=required, help_text=help_text, max_length=max_length)


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class StepForm(forms.Form):
    """A step of the public report. `private_fields` are encrypted; the others are stored in clear."""

    step = ""
    title = ""
    private_fields: tuple = ()

    def __init__(self, *args, institution=None, **kwargs):
        self.institution = institution
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea | forms.TextInput | forms.NumberInput | forms.DateInput):
                field.widget.attrs.setdefault("autocomplete", "off")


class AffectedStep(StepForm):
    step = "who"
    title = _("Who was affected")
    private_fields = ("affected_names", "organisation", "relationship")

    affected_kind = forms.ChoiceField(
        label=_("Who was affected?"), choices=AffectedKind.choices, widget=forms.RadioSelect, initial="individual"
    )
    affected_names = _line(
        _("Name(s) or alias(es)"),
        help_text=_("Optional. You may leave this empty or use an alias. Names are encrypted."),
        max_length=1000,
    )
    organisation = _line(_("Group, community or organisation"), help_text=_("Optional."))
    affected_count = forms.IntegerField(
        label=_("How many people were affected?"), min_value=1, max_value=1_000_000, initial=1
    )
    defender_groups = TaxonomyChoices(
        label=_("What kind of human rights defender(s)?"), queryset=DefenderGroup.objects.none(), required=False
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Gender.choices, initial="undisclosed", widget=forms.RadioSelect
    )
    age_group = forms.ChoiceField(label=_("Age group"), choices=AgeGroup.choices, initial="undisclosed")
    submitter_is_victim = forms.ChoiceField(
        label=_("Are you the person affected?"), choices=YES_NO, widget=forms.RadioSelect, initial="yes"
    )
    relationship = _line(
        _("If not, how do you know them?"), help_text=_("Optional. For example: colleague, family member, lawyer.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defender_groups"].queryset = DefenderGroup.objects.filter(is_active=True)


class IncidentStep(StepForm):
    step = "what"
    title = _("What happened")
    private_fields = ("activity", "narrative", "location_detail", "perpetrator_detail")

    violation_types = TaxonomyChoices(
        label=_("What happened? Choose all that apply."), queryset=ViolationType.objects.none()
    )
    narrative = _text(
        _("Describe what happened"),
        required=True,
        help_text=_("In your own words: what happened, the context, and anything that shows a pattern."),
        rows=8,
    )
    activity = _text(
        _("What human rights work was the person doing?"),
        help_text=_("For example: organising a protest, reporting on land seizures, representing clients."),
        rows=3,
    )
    date_precision = forms.ChoiceField(
        label=_("When did it happen?"),
        choices=[
            ("day", _("I know the date")),
            ("month", _("I know the month")),
            ("year", _("I know the year")),
            ("unknown", _("I don't know")),
        ],
        widget=forms.RadioSelect,
        initial="day",
    )
    incident_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    incident_month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(m, MONTHS[m]) for m in range(1, 13)],
    )
    incident_year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    country_code = forms.ChoiceField(label=_("Country where it happened"))
    location_detail = _line(
        _("Where, more precisely"),
        help_text=_("Optional. Give only as much detail as you are comfortable with (province, town, place)."),
    )
    perpetrator_kind = forms.ChoiceField(
        label=_("Who is believed to be responsible?"),
        choices=PerpetratorKind.choices,
        widget=forms.RadioSelect,
        initial="unknown",
    )
    perpetrator_types = TaxonomyChoices(
        label=_("Which kind of actor? Choose all that apply."), queryset=PerpetratorType.objects.none(), required=False
    )
    state_acquiescence = forms.BooleanField(
        label=_("The authorities tolerated it or failed to protect the person"), required=False
    )
    perpetrator_detail = _text(_("What do you know about them?"), help_text=_("Optional."), rows=3)
    rights = TaxonomyChoices(
        label=_("Which rights were affected?"),
        queryset=Right.objects.none(),
        required=False,
        help_text=_("Optional. Article numbers refer to the UN Declaration on Human Rights Defenders."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["violation_types"].queryset = ViolationType.objects.filter(is_active=True)
        self.fields["perpetrator_types"].queryset = PerpetratorType.objects.filter(is_active=True)
        self.fields["rights"].queryset = Right.objects.filter(is_active=True)

        countries = dict(institutions_in_service().values_list("country_code", "country"))
        choices = sorted(countries.items(), key=lambda c: c[1])
        self.fields["country_code"].choices = choices + [("ZZ", _("Another country"))]
        if self.institution is not None:
            self.fields["country_code"].initial = self.institution.country_code

    def clean(self):
        data = super().clean()
        precision = data.get("date_precision")
        today = timezone.localdate()
        date = None
        if precision == "day":
            date = data.get("incident_date")
            if not date:
                self.add_error("incident_date", _("Enter the date, or choose another option above."))
        elif precision in ("month", "year"):
            year = data.get("incident_year")
            month = data.get("incident_month") if precision == "month" else 1
            if not year:
                self.add_error("incident_year", _("Enter the year."))
            elif not month:
                self.add_error("incident_month", _("Choose the month."))
            else:
                date = datetime.date(year, month, 1)
        if date and date > today:
            self.add_error(None, _("The date cannot be in the future."))
        data["resolved_date"] = date
        return data


class SinceStep(StepForm):
    step = "since"
    title = _("What has happened since")
    private_fields = ("actions_taken", "authorities_response")

    actions_taken = _text(
        _("What has been done since?"),
        help_text=_("For example: complaint to the police, a court case, contact with other organisations."),
        rows=4,
    )
    authorities_response = _text(_("How did the authorities respond?"), rows=4)
    urgent = forms.ChoiceField(
        label=_("Is someone in danger right now?"),
        choices=[("no", _("No")), ("yes", _("Yes, this is urgent"))],
        widget=forms.RadioSelect,
        initial="no",
    )


CONSENT_QUESTIONS = {
    "contact": _("May the institution contact you about this report?"),
    "un": _("May the institution share this report with UN Special Procedures (UN independent experts)?"),
    "protection": _("May the institution share this report with organisations that protect defenders at risk?"),
    "statistics": _(
        "May anonymised facts from this report (no names, no places smaller than a country) appear in statistics?"
    ),
}
CONSENT_CHOICES = {
    "contact": [(ConsentAnswer.NO, _("No")), (ConsentAnswer.YES, _("Yes"))],
    "un": [
        (ConsentAnswer.NO, _("No")),
        (ConsentAnswer.YES_ANONYMISED, _("Yes, but without names")),
        (ConsentAnswer.YES_NAMED, _("Yes, with names (UN experts need names to raise a case with a government)")),
    ],
    "protection": [
        (ConsentAnswer.NO, _("No")),
        (ConsentAnswer.YES_ANONYMISED, _("Yes, but without names")),
        (ConsentAnswer.YES_NAMED, _("Yes, with names")),
    ],
    "statistics": [(ConsentAnswer.NO, _("No")), (ConsentAnswer.YES, _("Yes"))],
}


class ConsentStep(StepForm):
    step = "consent"
    title = _("Contact and consent")
    private_fields = ("contact_method", "contact_details", "submitter_email")

    contact_method = forms.ChoiceField(
        label=_("How can the institution reach you?"),
        choices=[
            ("receipt", _("Only through this website, with my receipt code (most anonymous)")),
            ("email", _("By e-mail")),
            ("phone", _("By phone or messaging app")),
            ("other", _("Another way")),
        ],
        widget=forms.RadioSelect,
        initial="receipt",
    )
    contact_details = _line(
        _("Contact details"), help_text=_("Optional. Only if you chose a way other than this website. Encrypted.")
    )
    submitter_email = forms.EmailField(
        label=_("E-mail for status notices (optional)"),
        required=False,
        help_text=_("We only send “your report has an update” without any content. Leave empty to stay anonymous."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, question in CONSENT_QUESTIONS.items():
            self.fields[f"consent_{kind}"] = forms.ChoiceField(
                label=question,
                choices=CONSENT_CHOICES[kind],
                widget=forms.RadioSelect,
                error_messages={"required": _("Please answer this question (“No” is a fine answer).")},
            )


STEPS = [AffectedStep, IncidentStep, SinceStep, ConsentStep]
STEP_NAMES = [s.step for s in STEPS]


class FollowUpOpenForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt code"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def clean_receipt(self):
        code = self.cleaned_data["receipt"]
        if crypto.normalise_receipt(code) is None:
            wanted = crypto.RECEIPT_GROUPS * crypto.RECEIPT_GROUP_DIGITS
            typed = sum(1 for ch in code.translate(crypto._DIGIT_MAP) if ch in "0123456789")
            raise forms.ValidationError(
                _("A receipt code has %(wanted)d digits; this one has %(typed)d.") % {"wanted": wanted, "typed": typed}
            )
        return code


class MessageForm(forms.Form):
    body = _text(_("Your message"), required=True, rows=5)


class OfficerPassphraseForm(forms.Form):
    passphrase = forms.CharField(
        label=_("New case passphrase"),
        min_length=16,
        max_length=500,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 16 characters; a few unrelated words work well. It is not your sign-in password."),
    )
    passphrase2 = forms.CharField(
        label=_("Repeat it"), max_length=500, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user, **kwargs):
        """`user` is the officer choosing the passphrase: it may not be their sign-in password."""
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_passphrase(self):
        passphrase = self.cleaned_data["passphrase"]
        # The sign-in password travels to the server at every login and sits in password managers and browsers;
        # reusing it as the passphrase would let whoever learns it also unlock every case.
        if self.user.check_password(passphrase):
            raise forms.ValidationError(_("Choose a passphrase different from your sign-in password."))
        try:
            CommonPasswordValidator().validate(passphrase)
        except forms.ValidationError:
            raise forms.ValidationError(_("This passphrase is too common; choose a few unrelated words.")) from None
        return passphrase

    def clean(self):
        data = super().clean()
        if data.get("passphrase") and data.get("passphrase") != data.get("passphrase2"):
            self.add_error("passphrase2", _("The two passphrases differ."))
        return data


class UnlockForm(forms.Form):
    passphrase = forms.CharField(
        label=_("Case passphrase"), max_length=500, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


class RecoverForm(forms.Form):
    kit = forms.CharField(
        label=_("Recovery kit"), max_length=500, widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"})
    )


class PassphraseChangeForm(OfficerPassphraseForm):
    current = forms.CharField(
        label=_("Current case passphrase"), max_length=500, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )
    field_order = ["current", "passphrase", "passphrase2"]


# --- staff: inbox and workflow ----------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any"))] + Status.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", _("Any"))] + Urgency.choices)
    violation_type = forms.ChoiceField(label=_("Violation"), required=False)
    defender_group = forms.ChoiceField(label=_("Defender group"), required=False)
    assigned = forms.ChoiceField(label=_("Assigned officer"), required=False)
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    incident_from = forms.DateField(
        label=_("Incident from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    incident_to = forms.DateField(
        label=_("Incident to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    repeat_attack = forms.BooleanField(label=_("Repeat attacks only"), required=False)
    escalated = forms.BooleanField(label=_("Escalated only"), required=False)
    overdue = forms.BooleanField(label=_("Response target missed only"), required=False)

    def clean(self):
        c = super().clean()
        for start, end in (("received_from", "received_to"), ("incident_from", "incident_to")):
            if c.get(start) and c.get(end) and c[start] > c[end]:
                self.add_error(end, _("This date is before the start date."))
        return c

    def query(self) -> str:
        """The filters as a normalised query string (only fields that are set): what a saved view stores."""

        q = QueryDict(mutable=True)
        for name in self.fields:
            value = self.data.get(name, "")
            if value not in ("", None):
                q[name] = value
        return q.urlencode()

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.fields["violation_type"].choices = any_ + [(v.code, v.tr("label")) for v in ViolationType.objects.all()]
        self.fields["defender_group"].choices = any_ + [(g.code, g.tr("label")) for g in DefenderGroup.objects.all()]
        self.fields["assigned"].choices = (
            any_
            + [("none", _("Nobody")), ("me", _("Me"))]
            + [(str(u.pk), u.email or u.get_username()) for u in officers]
        )


class AssignForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)
    officer = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, officers=(), case_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(pk, pk) for pk in case_ids]
        self.fields["officer"].choices = [("none", _("Nobody"))] + [
            (str(u.pk), u.email or u.get_username()) for u in officers
        ]


class TriageForm(forms.Form):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    repeat_attack = forms.BooleanField(
        label=_("The same defender or organisation has been attacked before"), required=False
    )


_YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


class _OwnIdsForm(forms.Form):
    """A form that shares the case page with others: its fields' ids carry its own prefix, so that two forms'
    fields of one name (`kind`, `outcome`) never give the page two equal ids."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class TransitionForm(_OwnIdsForm):
    id_prefix = "transition"
    to_status = forms.ChoiceField(label=_("Move the case to"), choices=Status.choices)
    reason = _text(_("Why (kept encrypted)"), required=True, rows=3)
    respondent_type = forms.ChoiceField(
        label=_("Respondent type"), required=False, choices=[("", "—")] + RespondentType.choices
    )
    within_time_limit = forms.ChoiceField(label=_("Within the time limit"), required=False, choices=_YES_NO)
    sub_judice = forms.ChoiceField(label=_("Before a court (sub judice)"), required=False, choices=_YES_NO)
    reasonable_grounds = forms.ChoiceField(
        label=_("Reasonable grounds to believe the facts alleged"), required=False, choices=_YES_NO
    )
    outcome = forms.ChoiceField(
        label=_("Outcome (when closing)"),
        required=False,
        choices=[("", "—")] + [c for c in Outcome.choices if c[0] != Outcome.MERGED],  # merging has its own action
    )
    inadmissibility = forms.ChoiceField(
        label=_("Why not admissible"), required=False, choices=[("", "—")] + Inadmissibility.choices
    )

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["to_status"].choices = [(v, lbl) for v, lbl in self.fields["to_status"].choices if v in allowed]

    def service_kwargs(self) -> dict:
        c = self.cleaned_data

        def yes_no(value):
            return {"yes": True, "no": False}.get(value)

        return {
            "to_status": c["to_status"],
            "reason": c["reason"],
            "respondent_type": c["respondent_type"],
            "within_time_limit": yes_no(c["within_time_limit"]),
            "sub_judice": yes_no(c["sub_judice"]),
            "reasonable_grounds": yes_no(c["reasonable_grounds"]),
            "outcome": c["outcome"],
            "inadmissibility": c["inadmissibility"],
        }


class SourceForm(_OwnIdsForm):
    id_prefix = "source"
    kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices)
    reliability = forms.ChoiceField(label=_("Reliability"), choices=Reliability.choices)
    description = _text(_("What the source says (kept encrypted)"), required=True, rows=3)


class RestrictForm(forms.Form):
    officers = BoundedModelMultipleChoiceField(
        label=_("Limit this case to these officers (none: every case officer)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = officers
        self.fields["officers"].label_from_instance = lambda u: u.email or u.get_username()


class InterventionForm(_OwnIdsForm):
    id_prefix = "intervention"
    kind = forms.ChoiceField(label=_("Kind"), choices=InterventionKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=InterventionStatus.choices)
    mechanism = BoundedModelChoiceField(
        label=_("Protection organisation (referrals)"), queryset=ProtectionMechanism.objects.none(), required=False
    )
    addressee = forms.CharField(label=_("Addressed to"), max_length=SHORT_MAX, required=False)
    date_sent = forms.DateField(
        label=_("Date sent or done"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    response_due = forms.DateField(
        label=_("Response due by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    response_received = forms.DateField(
        label=_("Response received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    details = _text(_("Details (kept encrypted)"), rows=3)
    response = _text(_("Response (kept encrypted)"), rows=3)
    outcome = _text(_("Outcome (kept encrypted)"), rows=2)

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["mechanism"].queryset = mechanisms_for(institution)


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of this view"), max_length=80)
    shared = forms.BooleanField(label=_("Share with every case officer of the institution"), required=False)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=600)


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search cases"),
        max_length=200,
        help_text=_(
            "A case reference (C-…), or words of the account: every word must appear. Words need the keys unlocked."
        ),
        widget=forms.SearchInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge this case into case (reference)"),
        max_length=12,
        help_text=_("The other case stays the main record and receives a copy of every source of this one."),
    )

    def clean_into(self):
        return self.cleaned_data["into"].strip().upper()


ORIGIN_CHOICES = [c for c in Origin.choices if c[0] != Origin.PUBLIC_FORM]  # staff cases never come from the form


class StaffRecordForm(forms.Form):
    """How staff learned of a case they record themselves, and the source behind it."""

    origin = forms.ChoiceField(label=_("How did the institution learn of this case?"), choices=ORIGIN_CHOICES)
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices, initial=SourceKind.MONITORING)
    reliability = forms.ChoiceField(label=_("Reliability of the source"), choices=Reliability.choices)
    source_description = _text(
        _("The source: who or what, when, and a reference or link (kept encrypted)"), required=True, rows=3
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE)


UN_SECTION_ROWS = (4, 4, 10, 14, 6)


class UnCommunicationForm(forms.Form):
    """The five sections of a draft communication to UN Special Procedures, as the officer edits them (the
    anonymised account is written into sections 3 and 4 when the consent is without names)."""

    def __init__(self, *args, titles=(), **kwargs):
        super().__init__(*args, **kwargs)
        for number, (title, rows) in enumerate(zip(titles, UN_SECTION_ROWS, strict=True), start=1):
            self.fields[f"section_{number}"] = forms.CharField(
                label=title,
                required=False,
                max_length=UN_SECTION_MAX_CHARS,
                strip=False,
                widget=forms.Textarea(attrs={"rows": rows}),
            )

    def sections(self) -> list[str]:
        return [self.cleaned_data[name].strip() for name in self.fields]
