from django import forms
from django.utils.translation import gettext_lazy as _

from r2dr.models import Institution
from training.models import QuestionKind


class BulkEnrolForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.filter(is_active=True).order_by("name"),
        help_text=_("Every trainee of this institution is enrolled; those already enrolled are left as they are."),
    )


class StaffEnrolForm(forms.Form):
    users = forms.MultipleChoiceField(label=_("Staff to enrol"), widget=forms.CheckboxSelectMultiple, choices=())

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = [(m.pk, f"{m.get_full_name() or m.email} ({m.email})") for m in members]


class LessonEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 24}))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)


def quiz_form(questions, data=None):
    """A form with one field per drawn question (`q<id>`), options in the attempt's frozen order."""
    form = forms.Form(data)
    for number, item in enumerate(questions, start=1):
        choices = [(o.option.pk, o.option.tr("text")) for o in item.options]
        label = f"{number}. {item.question.tr('text')}"
        if item.question.kind == QuestionKind.MULTIPLE:
            field = forms.MultipleChoiceField(
                label=label,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=_("Choose every answer that applies."),
            )
        else:
            field = forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, required=False)
        form.fields[f"q{item.question.pk}"] = field
    return form
