from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    if not hasattr(mapping, "get"):
        return None
    return mapping.get(key)


@register.filter
def percent(fraction):
    """0.456 -> 46"""
    try:
        return round(float(fraction) * 100)
    except (TypeError, ValueError):
        return 0


@register.filter
def number(value):
    """Decimal without trailing zeros."""
    if value is None:
        return ""
    try:
        return format(value.normalize(), "f")
    except AttributeError:
        return value
