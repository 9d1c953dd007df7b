"""Translatable *data*: framework texts, taxonomies, course content.

Mechanism (used by every model whose text users read): the source text lives
in ordinary fields, written in the platform's source language (English), and a
`translations` JSON field holds `{language_code: {field_name: text}}`. Reading
goes through `obj.tr("field")` (or the `|tr:"field"` template filter), which
returns the active language's text and falls back to the source. This needs no
extra tables or per-language columns, so adding a language is data, not a
migration, and translators can work on an exported JSON file.
"""

from django.db import models
from django.utils import translation


class TranslatableMixin(models.Model):
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def tr(self, field: str, language: str | None = None) -> str:
        language = (language or translation.get_language() or "en").split("-")[0]
        text = (self.translations or {}).get(language, {}).get(field)
        return text if text else getattr(self, field)

    def set_translation(self, language: str, field: str, text: str) -> None:
        data = dict(self.translations or {})
        data.setdefault(language, {})[field] = text
        self.translations = data
