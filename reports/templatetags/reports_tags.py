from django import template

from reports import charts, selectors

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


# The text width of a portrait A4 page in print.css (210 mm less 18 mm margins either side).
PDF_TEXT_WIDTH_MM = 174


@register.filter
def pdf_chart(svg, width_mm=PDF_TEXT_WIDTH_MM):
    """A chart as the PDF draws it: its labels as shaped HTML text over the drawing (charts.with_html_labels)."""
    return charts.with_html_labels(svg, width_mm=float(width_mm)) if svg else svg
