from django import template

from reports import selectors

register = template.Library()


@register.filter
def cycle_label(cycle):
    return selectors.cycle_label(cycle)


@register.filter
def status_label(status):
    labels = selectors.status_labels()
    return labels.get(status or "nodata", labels["nodata"])


@register.filter
def change_label(indicator):
    return selectors.change_labels()[selectors.change_of(indicator.get("status"), indicator.get("previous_status"))]


@register.filter
def change_key(indicator):
    return selectors.change_of(indicator.get("status"), indicator.get("previous_status"))


@register.filter
def cell(cells, code):
    return (cells or {}).get(code) or {"status": "nodata"}


@register.filter
def percent(value):
    if value is None:
        return "–"
    return f"{round(value * 100)} %"


@register.filter
def is_number(value):
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
