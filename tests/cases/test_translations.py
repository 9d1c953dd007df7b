"""The defender-facing pages in Indonesian and Thai: the catalogues cover every public string, the compiled
catalogues in the repository match them, placeholders survive translation, and a defender who picks the language
sees the report form, the consent questions and the follow-up page in it, with the taxonomy terms translated.

Which strings are "public" is read from the sources themselves (the public templates, the step forms and the public
views), so a string added to a public page without a translation makes the completeness test fail."""

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from cases import demo
from cases.apps import PUBLIC_PYTHON
from cases.models import Consent, DefenderGroup, PerpetratorType, ProtectionMechanism, Right, ViolationType
from r2dr import languages
from tests.cases.helpers import receipt_of, state_of, step_data, submit_report, walk_report

BASE = Path(settings.BASE_DIR)

# Every language offered to the public is held to every public string; Indonesian and Thai always.
LANGUAGES = tuple(sorted({"id", "th"} | (set(languages.translated_languages()) - {settings.LANGUAGE_CODE})))
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")


# --- reading the catalogues and the sources ------------------------------------------------------------------


def _po_string(line):
    return ast.literal_eval(line.strip())


def read_po(language):
    """The entries of a .po file: {key: {"strs": [...], "flags": set(), "plural": bool}}, key being the msgid or,
    for plurals, (msgid, msgid_plural). A small reader: polib is not a dependency of the project."""
    text = (BASE / "locale" / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries, header = {}, None
    for block in text.split("\n\n"):
        fields, flags, current = {}, set(), None
        for line in block.splitlines():
            if line.startswith("#~"):
                fields = {}
                break
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[current] += _po_string(line)
            else:
                current, rest = line.split(" ", 1)
                fields[current] = _po_string(rest)
        if "msgid" not in fields:
            continue
        if fields["msgid"] == "":
            header = fields["msgstr"]
            continue
        plural = "msgid_plural" in fields
        key = (fields["msgid"], fields["msgid_plural"]) if plural else fields["msgid"]
        strs = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        entries[key] = {"strs": strs, "flags": flags, "plural": plural}
    return header, entries


def translated(entry):
    return entry is not None and "fuzzy" not in entry["flags"] and all(entry["strs"])


def public_msgids():
    """The public pages' strings, as r2dr.languages reads them from the sources the apps register."""
    return languages.public_msgids()


# --- the catalogues -----------------------------------------------------------------------------------------


def test_public_string_sources_are_found():
    for path, names in languages.public_python_sources().items():
        assert languages.python_msgids(path, names), f"no strings found in {path}: was a public name renamed?"
    assert set(PUBLIC_PYTHON) <= set(languages.public_python_sources())
    assert "cases/templates/cases/report_step.html" in languages.public_template_paths()
    msgids = public_msgids()
    # One string from each kind of source: a template, a step form, a consent answer, a view message, a model choice.
    for expected in (
        "Leave this site quickly",
        "Who was affected?",
        "Yes, but without names",
        "No report matches this code. Check the digits and try again.",
        "The institution has your report and will look at it soon.",
        "Prefer not to say",
        ("%(n)s file was attached.", "%(n)s files were attached."),
    ):
        assert expected in msgids
    assert len(msgids) > 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_string_is_translated(language):
    header, entries = read_po(language)
    assert f"Language: {language}\n" in header
    missing = sorted((m for m in public_msgids() if not translated(entries.get(m))), key=str)
    assert not missing, f"{len(missing)} public strings without a {language} translation: {missing[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_po(language):
    """The .mo in the repository is what Django reads: it must carry every translation of the .po."""
    _header, entries = read_po(language)
    with open(BASE / "locale" / language / "LC_MESSAGES" / "django.mo", "rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    stale = []
    for key, entry in entries.items():
        if not translated(entry):
            continue
        if entry["plural"]:
            if catalog.get((key[0], 0)) != entry["strs"][0]:
                stale.append(key)
        elif catalog.get(key) != entry["strs"][0]:
            stale.append(key)
    assert not stale, f"run `manage.py compilemessages`: {len(stale)} stale, e.g. {stale[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_plural_forms_are_preserved(language):
    header, entries = read_po(language)
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    checked = 0
    for key, entry in entries.items():
        if not translated(entry):
            continue
        if entry["plural"]:
            assert len(entry["strs"]) == 1, f"{language} has one plural form: {key}"
            # The single form is used for every number, so it needs the plural's placeholders.
            sources = key
        else:
            sources = (key,)
        for source in sources:
            expected = sorted(PLACEHOLDER.findall(source))
            got = sorted(PLACEHOLDER.findall(entry["strs"][0]))
            assert got == expected, f"{language}: placeholders of {source!r} became {entry['strs'][0]!r}"
        if "python-format" in entry["flags"]:
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_quoted_button_names_match_the_buttons(language):
    """Help texts that name a button (“Send report”, “Leave this site quickly”, “No”) name it as it is translated."""
    _header, entries = read_po(language)
    quoted = re.compile(r"“([^”]+)”")
    checked = 0
    for key, entry in entries.items():
        if entry["plural"] or not translated(entry):
            continue
        for name in quoted.findall(key):
            if "%(" in name or not translated(entries.get(name)):
                continue
            assert f"“{entries[name]['strs'][0]}”" in entry["strs"][0], (key, entry["strs"][0])
            checked += 1
    assert checked >= 4


# --- the pages a defender sees -----------------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """Text a person sees or hears (screen readers read alt and aria-label), without scripts and styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "aria-label", "title", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(response):
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def leftover_english(text, language):
    """Public English strings still shown although the catalogue translates them."""
    _header, entries = read_po(language)
    found = []
    for msgid in public_msgids():
        source = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = entries.get(msgid)
        if not translated(entry) or entry["strs"][0] == source:
            continue
        fragments = [f.strip() for f in PLACEHOLDER.split(source)]
        whole = len(fragments) == 1
        for fragment in fragments:
            if not re.search("[A-Za-z]", fragment) or not (whole or len(fragment) >= 4):
                continue  # numbers (an age range) read the same in every language; "of" is too short to tell
            if re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text):
                found.append(fragment)
    return sorted(set(found))


def tr(language, text):
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def ready(institution_a, keyed, taxonomy):
    keyed(institution_a)
    return institution_a


def choose_language(client, language, next_url):
    """The language switcher in the footer (django's set_language view), as a defender would use it."""
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def walk_form(client, institution):
    """The intro page and the four steps of the public form, as rendered."""
    url = f"/{institution.slug}/report/"
    pages = [client.get(url)]
    assert pages[0].status_code == 200
    walk_report(client, institution, pages=pages)
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_form_in_the_chosen_language(client, ready, language):
    choose_language(client, language, f"/{ready.slug}/report/")
    intro, who, what, since, consent = walk_form(client, ready)
    for page in (intro, who, what, since, consent):
        assert f'<html lang="{language}"' in page.content.decode()
        text = visible_text(page)
        assert not leftover_english(text, language), leftover_english(text, language)
        assert tr(language, "Leave this site quickly") in text
    assert tr(language, "Start my report") in visible_text(intro)
    assert tr(language, "Before you start: how your report is protected") in visible_text(intro)
    who_text = visible_text(who)
    for label in ("Who was affected?", "Are you the person affected?", "Prefer not to say", "Continue"):
        assert tr(language, label) in who_text
    assert "Step 1 of 4" not in who_text and tr(language, "Step %(n)s of %(count)s") % {"n": 1, "count": 4} in who_text
    assert tr(language, "Back") in visible_text(what)
    consent_text = visible_text(consent)
    for question in (
        "May the institution contact you about this report?",
        "May the institution share this report with UN Special Procedures (UN independent experts)?",
        "May the institution share this report with organisations that protect defenders at risk?",
        "May anonymised facts from this report (no names, no places smaller than a country) appear in statistics?",
        "Yes, with names (UN experts need names to raise a case with a government)",
        "Yes, but without names",
        "Send report",
        "Check your answers",
    ):
        assert tr(language, question) in consent_text, question
    # The review of earlier answers shows the choices in the same language.
    assert tr(language, "Woman") in consent_text and tr(language, "State actor") in consent_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_messages_in_the_chosen_language(client, ready, language):
    choose_language(client, language, f"/{ready.slug}/report/")
    url = f"/{ready.slug}/report/"
    data = step_data()
    response = walk_report(client, ready, data)
    unanswered = {k: v for k, v in data["consent"].items() if k != "consent_un"}
    response = client.post(url, {"state": state_of(response), "nav": "submit", **unanswered})
    text = visible_text(response)
    assert tr(language, "Please answer this question (“No” is a fine answer).") in text
    assert tr(language, "Please correct the fields marked below. Nothing you typed was lost.") in text
    assert not leftover_english(text, language), leftover_english(text, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_consent_wording_is_recorded_as_the_defender_read_it(client, ready, language):
    choose_language(client, language, f"/{ready.slug}/report/")
    assert submit_report(client, ready).status_code == 200
    consent = Consent.objects.for_institution(ready).get(kind="un")
    assert consent.language == language
    question = tr(
        language, "May the institution share this report with UN Special Procedures (UN independent experts)?"
    )
    assert consent.wording == f"{question} — {tr(language, 'Yes, but without names')}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_follow_up_in_the_browser_language(client, ready, language):
    """The follow-up page, with the language taken from the browser's Accept-Language (no switcher used)."""
    code = receipt_of(submit_report(client, ready))
    headers = {"HTTP_ACCEPT_LANGUAGE": f"{language},en;q=0.5"}
    url = f"/{ready.slug}/follow-up/"
    opened = client.get(url, **headers)
    assert tr(language, "Enter the receipt code you received when you sent your report.") in visible_text(opened)
    assert not leftover_english(visible_text(opened), language)
    page = client.post(url, {"receipt": code, "nav": "open"}, **headers)
    assert page.status_code == 200
    text = visible_text(page)
    for expected in (
        "Your report",
        "Received",
        "The institution has your report and will look at it soon.",
        "Your consents",
        "May the institution contact you about this report?",
        "Save this answer",
        "Reply or add information",
        "Check for new messages",
        "End this follow-up session",
    ):
        assert tr(language, expected) in text, expected
    assert not leftover_english(text, language), leftover_english(text, language)
    changed = client.post(
        url, {"state": state_of(page), "nav": "consent", "kind": "statistics", "answer": "no"}, **headers
    )
    assert tr(language, "Your choice was recorded.") in visible_text(changed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_pages_in_the_chosen_language(client, db, language):
    response = client.get("/no-such-institution/report/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert tr(language, "Page not found") in visible_text(response)
    assert not leftover_english(visible_text(response), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_taxonomy_terms_show_their_translated_labels(client, ready, language):
    choose_language(client, language, f"/{ready.slug}/report/")
    _intro, who, what, _since, _consent = walk_form(client, ready)
    who_text, what_text = visible_text(who), visible_text(what)
    for code, label, *_rest in demo.DEFENDER_GROUPS:
        assert demo.DEFENDER_GROUP_LABELS[code][language] in who_text
        assert label not in who_text
    for code, label, *_rest in demo.VIOLATION_TYPES:
        assert demo.VIOLATION_TYPE_LABELS[code][language] in what_text
        assert label not in what_text
    for code, label, *_rest in demo.PERPETRATOR_TYPES:
        assert demo.PERPETRATOR_TYPE_LABELS[code][language] in what_text
    for code, _label, articles in demo.RIGHTS:
        shown = tr(language, "%(label)s (art. %(articles)s)") % {
            "label": demo.RIGHT_LABELS[code][language],
            "articles": articles,
        }
        assert shown in what_text
    for _name, description, *_rest in demo.MECHANISMS:
        assert description not in what_text


def test_seeding_translates_every_term_and_keeps_other_languages(db):
    # A row from before the translations existed, with a label someone added in another language.
    ViolationType.objects.create(code="killing", label="Killing", translations={"km": {"label": "ការសម្លាប់"}})
    demo.seed_taxonomies()
    demo.seed_taxonomies()
    killing = ViolationType.objects.get(code="killing")
    assert killing.tr("label", "km") == "ការសម្លាប់"
    assert killing.tr("label", "id") == "Pembunuhan" and killing.tr("label", "th") == "การสังหาร"
    for model in (ViolationType, DefenderGroup, PerpetratorType, Right):
        rows = list(model.objects.all())
        assert rows
        for row in rows:
            for language in LANGUAGES:
                assert row.tr("label", language) not in ("", row.label), (model.__name__, row.code, language)
    for mechanism in ProtectionMechanism.objects.filter(institution=None):
        for language in LANGUAGES:
            assert mechanism.tr("description", language) != mechanism.description
    assert ViolationType.objects.count() == len(demo.VIOLATION_TYPES)


def test_month_names_follow_the_language(client, ready):
    choose_language(client, "id", f"/{ready.slug}/report/")
    _intro, _who, what, _since, _consent = walk_form(client, ready)
    assert "Maret" in visible_text(what) and "March" not in visible_text(what)
