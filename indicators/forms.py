from __future__ import annotations

import json

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from indicators import validation
from indicators.models import INDICATOR_EDITABLE_FIELDS, Attribute, Confidence, FrameworkVersion, Indicator, Source
from indicators.rating import NOT_AVAILABLE, YPN_CHOICES
from r2dr.roles import Role

VOCABULARY_LABELS = {
    "sex": _("sex"),
    "defender_group": _("group of defenders"),
    "violation_type": _("type of violation"),
}


class ValueForm(forms.Form):
    """One indicator's answer plus an optional new source.

    Each value field is checked as saving checks it (`validation.entry_errors`): a field that cannot be stored
    (`twelve` as a percentage) gets its error beside it and keeps what was typed, and `value_data` leaves it out,
    so the other fields are still saved. What a stored value still lacks (a source, a justification) is reported
    by the indicator's rules beside the answer, not here."""

    answer = forms.CharField(label=_("Answer"), required=False, max_length=200)
    not_available = forms.BooleanField(label=_("Data not available"), required=False)
    narrative = forms.CharField(label=_("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confidence = forms.ChoiceField(
        label=_("Confidence in this answer"), required=False, choices=[("", "—"), *Confidence.choices]
    )
    justification = forms.CharField(
        label=_("Why it changed since the previous cycle"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=500,
        help_text=_("Recorded in the value's history."),
    )
    src_kind = forms.ChoiceField(label=_("Kind of source"), required=False, choices=Source.Kind.choices)
    src_citation = forms.CharField(
        label=_("Source reference"),
        required=False,
        max_length=500,
        help_text=_("Title, law and article, interview (no names of people at risk)…"),
    )
    src_url = forms.URLField(label=_("Web address"), required=False, max_length=500, assume_scheme="https")
    src_date = forms.DateField(
        label=_("Date of the source"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    src_file = forms.FileField(
        label=_("File (optional)"), required=False, help_text=_("PDF, image, office document or text; at most 10 MB.")
    )
    src_confidential = forms.BooleanField(label=_("Confidential (never exported or shown regionally)"), required=False)

    def __init__(self, *args, indicator: Indicator, value=None, dimensions=(), **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if value is not None:
            initial.update(
                answer="" if value.answer == NOT_AVAILABLE else value.answer,
                not_available=value.answer == NOT_AVAILABLE,
                narrative=value.narrative,
                confidence=value.confidence,
                justification=value.justification,
            )
            for dim, cells in (value.disaggregation or {}).items():
                for term, number in cells.items():
                    initial[f"dis__{dim}__{term}"] = number
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, initial=initial, **kwargs)
        self.indicator = indicator
        vt = indicator.value_type
        if vt == "ypn":
            self.fields["answer"] = forms.ChoiceField(
                label=_("Answer"), required=False, choices=YPN_CHOICES, widget=forms.RadioSelect
            )
            del self.fields["not_available"]
            if value is not None:
                self.initial["answer"] = value.answer
        elif vt == "categorical":
            choices = [(c["code"], c["label"]) for c in indicator.categories] + [
                (NOT_AVAILABLE, _("Data not available"))
            ]
            self.fields["answer"] = forms.ChoiceField(
                label=_("Answer"), required=False, choices=choices, widget=forms.RadioSelect
            )
            del self.fields["not_available"]
            if value is not None:
                self.initial["answer"] = value.answer
        elif vt == "narrative":
            del self.fields["answer"]
            self.fields["narrative"].label = _("Answer")
            self.fields["narrative"].widget.attrs["rows"] = 5
        else:
            unit = "%" if vt == "percent" else ""
            self.fields["answer"].label = _("Answer (%(unit)s)") % {"unit": unit} if unit else _("Answer (number)")
            self.fields["answer"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        self.dimension_fields = []
        for dim, terms in dimensions:
            names = []
            for term in terms:
                name = f"dis__{dim}__{term.code}"
                self.fields[name] = forms.CharField(
                    label=term.tr("label"),
                    required=False,
                    max_length=20,
                    widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                )
                names.append(name)
            self.dimension_fields.append((VOCABULARY_LABELS.get(dim, dim.replace("_", " ")), [self[n] for n in names]))
        for bound in self.value_fields():
            # The error slot beside the field (`_field_error.html`), filled in place by an autosave's answer.
            bound.field.widget.attrs["aria-describedby"] = f"{bound.auto_id}-error"

    def _dis_field(self, dimension: str, term: str) -> str:
        return f"dis__{dimension}__{term}"

    def _candidate(self) -> dict:
        """The value fields as `value_save` takes them, from the fields that passed their own checks."""
        data = getattr(self, "cleaned_data", {}) or {}
        out = {name: data.get(name, "") for name in ("narrative", "confidence", "justification") if name in data}
        if "answer" in self.fields:
            if "not_available" in data and data["not_available"]:
                out["answer"] = NOT_AVAILABLE
            elif "answer" in data and "not_available" not in self.errors:
                out["answer"] = data.get("answer") or ""
        elif "not_available" in data:
            out["answer"] = NOT_AVAILABLE if data["not_available"] else ""
        else:
            out["answer"] = ""
        if self.dimension_fields:
            dis: dict = {}
            complete = True
            for _label, bound in self.dimension_fields:
                for b in bound:
                    _prefix, dim, term = b.name.split("__", 2)
                    if b.name not in data:
                        complete = False
                    dis.setdefault(dim, {})[term] = data.get(b.name, "")
            if complete:
                out["disaggregation"] = dis
        return out

    def clean(self):
        data = super().clean()
        for field, errors in validation.entry_errors(self.indicator, self._candidate()).items():
            if field.startswith("disaggregation:"):
                _kind, dimension, term = field.split(":", 2)
                name = self._dis_field(dimension, term)
            else:
                name = field if field in self.fields else None
            self.add_error(name, errors)
        return data

    VALUE_FIELD_NAMES = ("answer", "not_available", "confidence", "narrative", "justification", "change_reason")

    def value_fields(self) -> list:
        """The bound value fields (not the new source's), in page order: each has an error slot beside it."""
        names = [n for n in self.VALUE_FIELD_NAMES if n in self.fields]
        names += [b.name for _label, bound in self.dimension_fields for b in bound]
        return [self[n] for n in names]

    def value_error_list(self) -> list[tuple[str, list[str]]]:
        """(label, messages) of the value fields that were refused, for the save status line."""
        errors = self.errors if self.is_bound else {}
        return [(str(b.label), list(errors[b.name])) for b in self.value_fields() if b.name in errors]

    def value_data(self) -> dict:
        """The value fields that can be stored (those with an error are left out; the breakdown goes whole or not
        at all). Nothing at all when the reason for the change was refused: a change is stored with its reason."""
        if "change_reason" in self.errors:
            return {}
        out = self._candidate()
        if "answer" in self.errors or "not_available" in self.errors:
            out.pop("answer", None)
        if self.dimension_fields and any(
            b.name in self.errors for _label, bound in self.dimension_fields for b in bound
        ):
            out.pop("disaggregation", None)
        for name in ("narrative", "confidence", "justification"):
            if name in self.errors:
                out.pop(name, None)
        return out

    def reason_for(self, value) -> str:
        typed = (getattr(self, "cleaned_data", {}) or {}).get("change_reason", "").strip()
        if typed:
            return typed
        return _("In response to the reviewer: %(c)s") % {"c": value.review_comment} if value.review_comment else ""

    def source_data(self) -> dict | None:
        data = self.cleaned_data
        if not any(data.get(k) for k in ("src_citation", "src_url", "src_file")):
            return None
        return {
            "kind": data.get("src_kind") or Source.Kind.DOCUMENT,
            "citation": data.get("src_citation", ""),
            "url": data.get("src_url", ""),
            "date": data.get("src_date"),
            "upload": data.get("src_file"),
            "confidential": bool(data.get("src_confidential")),
        }


def _user_label(user):
    return user.get_full_name() or user.email or user.username


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _user_label(obj)


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _user_label(obj)


class CycleForm(forms.Form):
    """Open a cycle (or change its assignment: `assign_only`)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    monitoring_round = forms.ModelChoiceField(
        label=_("Monitoring round"), required=False, queryset=None, empty_label=_("None: an off-round national cycle")
    )
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    areas = forms.MultipleChoiceField(label=_("Areas this cycle covers"), widget=forms.CheckboxSelectMultiple)
    reviewer = UserChoiceField(label=_("Reviewer (not a respondent)"), queryset=None)

    def __init__(self, *args, areas, reviewers, staff, rounds=None, assign_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_list = areas
        self.fields["areas"].choices = [(a.code, f"{a.code}. {a.tr('title')}") for a in areas]
        self.fields["reviewer"].queryset = reviewers
        if assign_only:
            for name in ("title", "monitoring_round", "period_start", "period_end", "due_date", "areas"):
                del self.fields[name]
        else:
            self.fields["monitoring_round"].queryset = rounds
        self.respondent_fields = []
        for area in areas:
            name = f"respondents_{area.code.replace('.', '_')}"
            self.fields[name] = UsersChoiceField(
                label=_("Respondents for area %(code)s") % {"code": area.code},
                queryset=staff,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Data officers and co-respondents who enter this area's data."),
            )
            self.respondent_fields.append((area, name))

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("The period must end after it starts."))
        return data

    def respondents(self) -> dict:
        return {area.code: list(self.cleaned_data.get(name) or []) for area, name in self.respondent_fields}


def staff_querysets(institution):
    User = get_user_model()
    reviewers = (
        User.objects.filter(
            memberships__institution=institution, memberships__role__in=[Role.REVIEWER, Role.INSTITUTION_HEAD]
        )
        .distinct()
        .order_by("email")
    )
    staff = (
        User.objects.filter(
            memberships__institution=institution,
            memberships__role__in=[Role.DATA_OFFICER, Role.REVIEWER, Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN],
        )
        .distinct()
        .order_by("email")
    )
    return reviewers, staff


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 3}))


class ConclusionsForm(forms.Form):
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the data shows for this area; goes into the national report."),
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Filled sheet (CSV or XLSX)"),
        help_text=_("Use a file exported from this cycle. Nothing is saved if any row has an error."),
    )


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    version = forms.ModelChoiceField(label=_("Framework version"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED)


class JSONTextField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(err)s") % {"err": exc.msg})


class IndicatorForm(forms.ModelForm):
    rating_rule = JSONTextField(
        label=_("Rating rule (JSON)"),
        required=False,
        help_text=_(
            'e.g. {"kind": "map", "map": {"yes": "enabling", "partly": "partly", '
            '"no": "restrictive"}} or {"kind": "threshold", "higher_is_better": false, '
            '"enabling": 0, "partly": 5}'
        ),
    )
    categories = JSONTextField(label=_("Categories (JSON)"), required=False)
    disaggregation = JSONTextField(label=_("Disaggregation vocabularies (JSON list)"), required=False)

    class Meta:
        model = Indicator
        # The same fields the service copies and audits, in form order.
        fields = list(INDICATOR_EDITABLE_FIELDS)

    def clean(self):
        data = super().clean()
        for name, default in (("categories", []), ("disaggregation", []), ("rating_rule", {"kind": "none"})):
            if data.get(name) is None:
                data[name] = default
        return data


class NewIndicatorForm(IndicatorForm):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$",
        help_text=_("Stable code, kept across versions (e.g. 3.2.P3). Never reuse a retired code."),
    )
    attribute = forms.ModelChoiceField(label=_("Attribute"), queryset=None)

    field_order = ["code", "attribute"]

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attribute"].queryset = Attribute.objects.filter(version=version).select_related("area")


class AreaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    declaration_articles = forms.CharField(label=_("UN Declaration on HRDs articles"), required=False, max_length=120)


class AttributeTextForm(forms.Form):
    title = forms.CharField(label=_("Attribute title"), max_length=200)
    description = forms.CharField(
        label=_("Attribute description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
