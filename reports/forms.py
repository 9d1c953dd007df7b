from django import forms
from django.utils.translation import gettext_lazy as _

from r2dr.models import SubRegion


class RegionalFilterForm(forms.Form):
    round = forms.ChoiceField(label=_("Monitoring round"), required=False)
    subregion = forms.ChoiceField(
        label=_("Sub-region"), required=False, choices=[("", _("All sub-regions")), *SubRegion.choices]
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    area = forms.ChoiceField(label=_("Thematic area"), required=False)

    def __init__(self, *args, rounds=(), countries=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [
            ("", _("Latest published cycle of each institution")),
            *[(str(pk), label) for pk, label in rounds],
        ]
        self.fields["country"].choices = [("", _("All countries")), *countries]
        self.fields["area"].choices = [("", _("All areas")), *[(a["code"], f"{a['code']} {a['title']}") for a in areas]]


class RegionalReportForm(forms.Form):
    round = forms.CharField(required=False, widget=forms.HiddenInput)
    subregion = forms.ChoiceField(required=False, choices=[("", ""), *SubRegion.choices], widget=forms.HiddenInput)
    country = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)


class NationalReportForm(forms.Form):
    cycle = forms.ChoiceField(label=_("Cycle"))
    # Not required: a form from before the field existed builds in the institution's first language.
    language = forms.ChoiceField(
        label=_("Language of the report"),
        required=False,
        help_text=_(
            "The institution's texts appear in this language where they have been translated; "
            "headings and labels as far as the platform is translated."
        ),
    )

    def __init__(self, *args, cycles=(), languages=(), **kwargs):
        """`languages`: (code, name) of the languages the institution uses, the first the default."""
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = cycles
        self.fields["language"].choices = list(languages)
        self.default_language = languages[0][0] if languages else ""
        self.fields["language"].initial = self.default_language

    def clean_language(self):
        return self.cleaned_data.get("language") or self.default_language


class ResultsPageForm(forms.Form):
    is_public = forms.BooleanField(
        label=_("Publish our results page"),
        required=False,
        help_text=_("Anyone can then read the results, findings and recommendations of the published cycle below."),
    )
    cycle = forms.ChoiceField(label=_("Cycle shown"), required=False)
    introduction = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea, max_length=4000)

    def __init__(self, *args, cycles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [("", _("The latest published cycle")), *cycles]
