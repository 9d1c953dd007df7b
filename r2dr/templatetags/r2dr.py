from django import template

from r2dr import languages

register = template.Library()


@register.filter
def tr(obj, field):
    """The active language's text of a translatable field (falls back to the source)."""
    if obj is None:
        return ""
    return obj.tr(field)


@register.simple_tag(takes_context=True)
def has_role(context, *roles):
    request = context["request"]
    institution = getattr(request, "institution", None)
    return request.access.has(institution, *roles) if institution else False


@register.simple_tag
def switcher_languages():
    """The languages the switcher offers, each by its own name (see r2dr.languages)."""
    return languages.switcher_languages()


@register.filter
def language_name(code):
    """A language by its own name ("ไทย"): how its readers find it in a list."""
    return languages.ENDONYMS.get(code, code)
