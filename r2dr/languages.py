"""Which interface languages the platform offers, and the name each goes by.

`settings.LANGUAGES` lists every language the platform knows: institutions declare theirs from it, data texts
(`r2dr.i18n`) are written in them and reports are built in them. The language switcher offers fewer: a language
whose public pages are not translated would show a defender English pages under a foreign `lang`. Which languages
qualify is measured, never declared, so no list can fall out of step with the catalogues: a language is offered
when its compiled catalogue (`locale/<code>/LC_MESSAGES/django.mo`, what Django serves) translates at least
`OFFERED_COVERAGE` of the public pages' messages. The public messages are read from the sources that apps register
with `public_messages_register` (the same extraction the catalogue tests use), once per process.

`R2DR_PREVIEW_LANGUAGES` offers every language anyway, so right-to-left layout can be tested before Arabic is
translated. A language chosen earlier (a cookie, the browser's Accept-Language) that is not offered falls back to
the next acceptable offered one, then to `LANGUAGE_CODE`.
"""

from __future__ import annotations

import ast
import functools
import gettext
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.template import templatize
from django.utils.translation.trans_real import parse_accept_lang_header

logger = logging.getLogger(__name__)

# Every language by its own name (CLDR's), in its own script: a reader who cannot read the page's language must
# still find theirs. `tests/r2dr/test_languages.py` requires one for every code in settings.LANGUAGES.
ENDONYMS = {
    "en": "English",
    "ar": "العربية",
    "id": "Bahasa Indonesia",
    "km": "ខ្មែរ",
    "mn": "Монгол",
    "my": "မြန်မာ",
    "ne": "नेपाली",
    "th": "ไทย",
}

# Below every string so that one new public string, not yet translated, does not take a language away from the
# defenders who read it; the catalogue tests (tests/cases/test_translations.py) hold every offered language to
# all of them.
OFFERED_COVERAGE = 0.9

Msgid = str | tuple[str, str]

_template_sources: dict[str, None] = {}  # a dict keeps registration order and drops repeats
_python_sources: dict[str, frozenset[str]] = {}


def public_messages_register(*, templates: Iterable[str] = (), python: Mapping[str, Iterable[str]] | None = None):
    """Declare where public (defender-facing) strings live: template paths or globs relative to BASE_DIR, and
    Python modules (path relative to BASE_DIR) with the top-level names whose gettext calls a defender reads."""
    for pattern in templates:
        _template_sources[pattern] = None
    for path, names in (python or {}).items():
        _python_sources[path] = _python_sources.get(path, frozenset()) | frozenset(names)
    measurements_forget()


# --- reading the sources ---------------------------------------------------------------------------------------

_TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:\s*u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*,?)+)")
_LITERAL = re.compile(r"u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
_GETTEXT_NAMES = {"_", "_lazy", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}


def template_msgids(path: str) -> set[Msgid]:
    """What makemessages would extract from one template (the same templatize step it runs)."""
    base = Path(settings.BASE_DIR)
    out: set[Msgid] = set()
    for call in _TEMPLATE_CALL.finditer(templatize((base / path).read_text(encoding="utf-8"), origin=path)):
        literals = [ast.literal_eval(x) for x in _LITERAL.findall(call.group(2))]
        name = call.group(1)
        if name.startswith("np"):
            out.add((literals[1], literals[2]))
        elif name.startswith("p"):
            out.add(literals[1])
        elif name.startswith("n"):
            out.add((literals[0], literals[1]))
        else:
            out.add(literals[0])
    return out


def python_msgids(path: str, names: Iterable[str]) -> set[Msgid]:
    """The gettext strings inside the named top-level definitions of one module."""
    wanted = set(names)
    out: set[Msgid] = set()
    for node in ast.parse((Path(settings.BASE_DIR) / path).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            name = getattr(node.targets[0], "id", None)
        elif isinstance(node, ast.AnnAssign):
            name = getattr(node.target, "id", None)
        else:
            name = getattr(node, "name", None)
        if name not in wanted:
            continue
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in _GETTEXT_NAMES:
                args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if call.func.id.startswith("n") and len(args) >= 2:
                    out.add((args[0], args[1]))
                elif args:
                    out.add(args[0])
    return out


def public_python_sources() -> dict[str, frozenset[str]]:
    return dict(_python_sources)


def public_template_paths() -> list[str]:
    base = Path(settings.BASE_DIR)
    paths: list[str] = []
    for pattern in _template_sources:
        if any(ch in pattern for ch in "*?["):
            paths += sorted(str(p.relative_to(base)) for p in base.glob(pattern))
        else:
            paths.append(pattern)
    return paths


@functools.cache
def public_msgids() -> frozenset[Msgid]:
    """Every string of the public pages, as msgids (a (singular, plural) pair for plurals)."""
    from r2dr import navigation

    out: set[Msgid] = set()
    for path in public_template_paths():
        out |= template_msgids(path)
    for path, names in _python_sources.items():
        found = python_msgids(path, names)
        if not found:
            # The catalogue tests fail on this; a page must not.
            logger.warning("no public strings found in %s: was a registered name renamed?", path)
        out |= found
    navigation._load()
    with translation.override(None):
        out |= {str(e.label) for e in navigation._registry if e.kind == navigation.PUBLIC}
    return frozenset(out)


# --- measuring the catalogues ----------------------------------------------------------------------------------


def compiled_catalogue(language: str) -> dict:
    """The project's own compiled messages in one language (Django's bundled catalogues left out: they
    translate Django's strings, not r2dr's pages)."""
    catalogue: dict = {}
    for root in settings.LOCALE_PATHS:
        path = Path(root) / language / "LC_MESSAGES" / "django.mo"
        if path.is_file():
            with path.open("rb") as fh:
                catalogue.update(gettext.GNUTranslations(fh)._catalog)  # type: ignore[attr-defined]
    return catalogue


def _translated(catalogue: dict, msgid: Msgid) -> bool:
    if isinstance(msgid, tuple):
        return bool(catalogue.get((msgid[0], 0)))
    return bool(catalogue.get(msgid))


@functools.cache
def _coverage(language: str) -> float:
    if language == settings.LANGUAGE_CODE:
        return 1.0
    msgids = public_msgids()
    catalogue = compiled_catalogue(language)
    return sum(_translated(catalogue, m) for m in msgids) / len(msgids) if msgids else 0.0


def measurements_forget(**_kwargs) -> None:
    """Measure again at the next request (after a catalogue or a registration changed)."""
    public_msgids.cache_clear()
    _coverage.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs) -> None:
    if setting in ("LOCALE_PATHS", "LANGUAGES", "LANGUAGE_CODE"):
        measurements_forget()


def coverage(language: str) -> float:
    """Share of the public pages' strings that `language`'s compiled catalogue translates (1.0 for the source)."""
    return _coverage(language)


def untranslated_public_msgids(language: str) -> list[Msgid]:
    catalogue = compiled_catalogue(language)
    return sorted((m for m in public_msgids() if not _translated(catalogue, m)), key=str)


def translated_languages() -> list[str]:
    """The codes whose public pages are translated, in settings.LANGUAGES order."""
    return [code for code, _name in settings.LANGUAGES if coverage(code) >= OFFERED_COVERAGE]


def offered_languages() -> list[str]:
    """The codes the switcher offers and requests may use: the translated ones, or all with the preview on."""
    if getattr(settings, "R2DR_PREVIEW_LANGUAGES", False):
        return [code for code, _name in settings.LANGUAGES]
    return translated_languages()


def is_offered(code: str | None) -> bool:
    return bool(code) and code in offered_languages()


def switcher_languages() -> list[dict]:
    """The switcher's options: code, own name, direction."""
    return [
        {"code": code, "name": ENDONYMS.get(code, code), "bidi": translation.get_language_info(code)["bidi"]}
        for code in offered_languages()
    ]


def language_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, own name) of those of `codes` that are offered, in their order (an institution's languages)."""
    return [(code, ENDONYMS.get(code, code)) for code in codes if is_offered(code)]


def language_from_request(request: HttpRequest) -> str:
    """The language to serve: the cookie's, then the browser's preferences in order, each only if offered."""
    offered = set(offered_languages())
    candidates = [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or ""]
    candidates += [code for code, _q in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))]
    for candidate in candidates:
        if not candidate or candidate == "*":
            continue
        try:
            code = translation.get_supported_language_variant(candidate)
        except LookupError:
            continue
        if code in offered:
            return code
    return settings.LANGUAGE_CODE


# r2dr's own public pages; apps register theirs in their AppConfig.ready().
public_messages_register(
    templates=[
        "templates/base.html",
        "templates/403.html",
        "templates/404.html",
        "templates/500.html",
        "templates/503.html",
        "templates/r2dr/_form.html",
        "templates/r2dr/_challenge.html",
        "templates/r2dr/home.html",
    ],
    python={"r2dr/challenge.py": {"_question"}},
)
