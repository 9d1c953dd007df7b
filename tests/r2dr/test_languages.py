"""The language switcher offers a language to the public only where its public pages are translated (measured in
the compiled catalogues), names every language in its own script, and a language chosen earlier that is not offered
falls back cleanly. R2DR_PREVIEW_LANGUAGES (on in the rest of the suite) offers all of them."""

import re
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from r2dr import languages

BASE = Path(settings.BASE_DIR)
UNTRANSLATED = ["ar", "km", "mn", "my", "ne"]


@pytest.fixture
def public(settings):
    """The switcher as the public sees it in production: no preview."""
    settings.R2DR_PREVIEW_LANGUAGES = False
    return settings


class _Options(HTMLParser):
    def __init__(self):
        super().__init__()
        self.options, self._current, self.html = [], None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html = attrs
        if tag == "option":
            self._current = {**attrs, "text": ""}
            self.options.append(self._current)

    def handle_endtag(self, tag):
        if tag == "option":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"] += data


def switcher(response):
    parser = _Options()
    parser.feed(response.content.decode())
    return parser


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A compiled catalogue (GNU .mo) with these messages and a header (gettext needs no msgfmt for this)."""
    entries = {"": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n", **messages}
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    start = 7 * 4 + 16 * len(keys)
    id_table, str_table, blob = [], [], b""
    for data, table in [(d, id_table) for d in ids] + [(d, str_table) for d in strs]:
        table.append((len(data), start + len(blob)))
        blob += data + b"\0"
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    tables = b"".join(struct.pack("ii", *entry) for entry in id_table + str_table)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + tables + blob)


def test_every_language_has_its_own_name_in_its_own_script():
    assert set(languages.ENDONYMS) == {code for code, _name in settings.LANGUAGES}
    for code, _name in settings.LANGUAGES:
        if code not in ("en", "id"):
            # "Khmer" and "Mongolian" were shown in English: a Khmer reader must find "ខ្មែរ".
            assert not re.search("[A-Za-z]", languages.ENDONYMS[code]), code
    assert languages.ENDONYMS["km"] == "ខ្មែរ" and languages.ENDONYMS["mn"] == "Монгол"


def test_the_catalogues_decide_which_languages_are_offered(public):
    assert languages.coverage("id") == languages.coverage("th") == 1.0
    for code in UNTRANSLATED:
        assert languages.coverage(code) < languages.OFFERED_COVERAGE, code
    assert languages.offered_languages() == ["en", "id", "th"]
    public.R2DR_PREVIEW_LANGUAGES = True
    assert languages.offered_languages() == [code for code, _name in settings.LANGUAGES]


def test_a_new_catalogue_is_offered_once_it_translates_the_public_pages(public, tmp_path):
    """No list to update: a Khmer catalogue joins the switcher when it translates the public pages, not before."""
    locale = tmp_path / "locale"
    shutil.copytree(BASE / "locale", locale)
    public.LOCALE_PATHS = [locale]
    msgids = sorted(languages.public_msgids(), key=str)
    # A plural is stored as "singular NUL plural".
    keys = [m if isinstance(m, str) else "\0".join(m) for m in msgids]
    catalogue = tmp_path / "locale" / "km" / "LC_MESSAGES" / "django.mo"

    write_mo(catalogue, {k: f"ខ្មែរ {i}" for i, k in enumerate(keys[: len(keys) // 2])})
    languages.measurements_forget()
    assert 0.4 < languages.coverage("km") < 0.6
    assert "km" not in languages.offered_languages()

    write_mo(catalogue, {k: f"ខ្មែរ {i}" for i, k in enumerate(keys)})
    languages.measurements_forget()
    assert languages.coverage("km") == 1.0
    assert languages.offered_languages() == ["en", "id", "km", "th"]


def test_public_switcher_lists_translated_languages_by_their_own_names(client, db, public):
    page = switcher(client.get("/"))
    options = {o["value"]: o for o in page.options if "value" in o and o.get("lang")}
    assert list(options) == ["en", "id", "th"]
    assert options["th"]["text"] == "ไทย" and options["th"]["lang"] == "th"
    assert options["id"]["text"] == "Bahasa Indonesia" and options["id"]["lang"] == "id"
    for code in UNTRANSLATED:
        assert code not in options


def test_preview_switcher_lists_every_language_with_lang_and_direction(client, db):
    page = switcher(client.get("/"))
    options = {o["value"]: o for o in page.options if o.get("lang")}
    assert list(options) == [code for code, _name in settings.LANGUAGES]
    for code, option in options.items():
        assert option["lang"] == code and option["text"] == languages.ENDONYMS[code]
    assert options["ar"]["dir"] == "rtl" and options["km"]["dir"] == "ltr"


def test_choosing_a_language_that_is_not_offered_keeps_the_page_readable(client, db, public):
    client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    # The earlier choice stands.
    assert switcher(client.get("/")).html == {"lang": "th", "dir": "ltr"}


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        ("ar", "", "en"),  # an old cookie from the preview
        ("km", "km,th;q=0.8", "th"),  # the browser's next preference that is offered
        ("", "ar-EG,ar;q=0.9", "en"),
        ("", "th-TH", "th"),
    ],
)
def test_a_language_that_is_not_offered_falls_back(client, db, public, cookie, accept, expected):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert switcher(response).html == {"lang": expected, "dir": "ltr"}
    assert response["Content-Language"] == expected


def test_preview_serves_arabic_right_to_left(client, db):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    page = switcher(client.get("/"))
    assert page.html == {"lang": "ar", "dir": "rtl"}
    selected = [o for o in page.options if "selected" in o]
    assert [o["value"] for o in selected] == ["ar"]


def test_data_texts_are_kept_in_every_known_language(public):
    """The switcher's offer does not narrow what institutions and data texts may use."""
    from r2dr.models import validate_languages

    validate_languages(["km", "mn"])
    with translation.override("km"):
        assert translation.get_language() == "km"


def test_report_form_offers_the_institutions_languages_that_are_translated(client, db, public):
    from tests.factories import InstitutionFactory

    institution = InstitutionFactory(slug="nhri-kh", languages=["km", "th", "en"])
    buttons = re.findall(
        r'<button[^>]*name="language" value="(\w+)"[^>]*lang="(\w+)">([^<]+)<',
        client.get(f"/{institution.slug}/report/").content.decode(),
    )
    assert buttons == [("th", "th", "ไทย"), ("en", "en", "English")]
    public.R2DR_PREVIEW_LANGUAGES = True
    page = client.get(f"/{institution.slug}/report/").content.decode()
    assert 'value="km" class="secondary" lang="km">ខ្មែរ<' in page
