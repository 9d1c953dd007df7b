"""Editing the data behind the form: regional taxonomies and the protection directory (regional admins), and an
institution's own protection mechanisms (its staff). Translations are edited next to the source text."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import services
from cases.models import (
    DefenderGroup,
    PerpetratorType,
    ProtectionMechanism,
    Right,
    ViolationType,
)
from r2dr import permissions as scope
from r2dr.roles import Role

TAXONOMIES = {
    "violation-types": (
        ViolationType,
        gettext_lazy("Violation types"),
        ["code", "label", "description", "sdg_16101", "sdg_16101_act"],
    ),
    "defender-groups": (DefenderGroup, gettext_lazy("Defender groups"), ["code", "label", "description"]),
    "perpetrator-types": (PerpetratorType, gettext_lazy("Perpetrator types"), ["code", "label", "kind", "description"]),
    "rights": (Right, gettext_lazy("Rights concerned"), ["code", "label", "declaration_articles", "description"]),
    "mechanisms": (
        ProtectionMechanism,
        gettext_lazy("Protection mechanisms"),
        ["name", "description", "url", "contact", "urgent"],
    ),
}


TRANSLATED = {"label", "description", "name"}


DIRECTORY_ROLES = (Role.CASE_OFFICER, Role.INSTITUTION_ADMIN, Role.INSTITUTION_HEAD)


def _form_class(model, fields):
    base = forms.modelform_factory(model, fields=[*fields, "order", "is_active"])

    class TermForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.translated = [f for f in fields if f in TRANSLATED]
            for code, name in settings.LANGUAGES:
                if code == "en":
                    continue
                for field in self.translated:
                    initial = (self.instance.translations or {}).get(code, {}).get(field, "")
                    self.fields[f"tr_{code}_{field}"] = forms.CharField(
                        label=f"{self.fields[field].label} ({name})",
                        required=False,
                        initial=initial,
                        max_length=5000,
                        widget=forms.Textarea(attrs={"rows": 2}) if field == "description" else forms.TextInput,
                    )

        def save(self, commit=True):
            obj = super().save(commit=False)
            data = {}
            for code, _name in settings.LANGUAGES:
                for field in self.translated:
                    value = self.cleaned_data.get(f"tr_{code}_{field}")
                    if value:
                        data.setdefault(code, {})[field] = value
            obj.translations = data
            if commit:
                obj.save()
            return obj

    return TermForm


@scope.regional(Role.REGIONAL_ADMIN)
def taxonomy_index(request):
    groups = []
    for slug, (model, title, _fields) in TAXONOMIES.items():
        qs = model.objects.all()
        if model is ProtectionMechanism:
            qs = qs.filter(institution__isnull=True)
        groups.append({"slug": slug, "title": title, "items": qs})
    return render(request, "cases/taxonomy_index.html", {"groups": groups})


@scope.regional(Role.REGIONAL_ADMIN)
def taxonomy_edit(request, taxonomy, term_id=None):
    if taxonomy not in TAXONOMIES:
        raise Http404
    model, title, fields = TAXONOMIES[taxonomy]
    instance = None
    if term_id is not None:
        qs = model.objects.all()
        if model is ProtectionMechanism:
            qs = qs.filter(institution__isnull=True)
        instance = get_object_or_404(qs, pk=term_id)
    form = _form_class(model, fields)(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.taxonomy_term_save(term=form.save(commit=False))
        messages.success(request, _("Saved."))
        return redirect("cases_taxonomy_index")
    return render(request, "cases/taxonomy_edit.html", {"form": form, "title": title, "instance": instance})


@scope.regional(Role.REGIONAL_ADMIN)
def taxonomy_new(request, taxonomy):
    return taxonomy_edit(request, taxonomy)


taxonomy_new.r2dr_scope = taxonomy_edit.r2dr_scope


@scope.institution(*DIRECTORY_ROLES)
def directory(request, institution_slug, mechanism_id=None):
    institution = request.institution
    own = ProtectionMechanism.objects.filter(institution=institution)
    instance = get_object_or_404(own, pk=mechanism_id) if mechanism_id is not None else None
    _model, _title, fields = TAXONOMIES["mechanisms"]
    form = _form_class(ProtectionMechanism, fields)(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.protection_mechanism_save(mechanism=form.save(commit=False), institution=institution)
        messages.success(request, _("Saved."))
        return redirect("cases_directory", institution_slug=institution.slug)
    return render(
        request,
        "cases/directory.html",
        {
            "form": form,
            "instance": instance,
            "own": own,
            "regional": ProtectionMechanism.objects.filter(institution__isnull=True, is_active=True),
        },
    )


@scope.institution(*DIRECTORY_ROLES)
def directory_edit(request, institution_slug, mechanism_id):
    return directory(request, institution_slug, mechanism_id)
