from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from r2dr.models import NotificationDelivery
from r2dr.notifications import NotificationKind
from r2dr.notifications.selectors import delivery_of


def delivery_field_name(kind: NotificationKind) -> str:
    return "delivery__" + kind.key.replace(".", "__")


class NotificationPreferenceForm(forms.Form):
    """One radio group per kind the person receives here (the choices the kind allows), and the e-mail language."""

    language = forms.ChoiceField(
        label=_("Language of notification e-mails"), choices=settings.LANGUAGES, widget=forms.Select
    )

    def __init__(self, *args, kinds: list[NotificationKind], preference, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["language"].initial = language
        labels = dict(NotificationDelivery.choices)
        for kind in kinds:
            self.fields[delivery_field_name(kind)] = forms.ChoiceField(
                label=kind.description,
                choices=[(d, labels[d]) for d in kind.deliveries],
                initial=delivery_of(preference, kind),
                widget=forms.RadioSelect,
            )

    def deliveries(self) -> dict[str, str]:
        return {kind.key: self.cleaned_data[delivery_field_name(kind)] for kind in self.kinds}
