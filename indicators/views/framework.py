"""The public framework page and its downloads."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from indicators import selectors, tabular
from indicators.rating import STATUS_LABELS
from r2dr import permissions as scope


@scope.public
def framework_public(request):
    version = selectors.published_version()
    return render(
        request,
        "indicators/framework.html",
        {
            "version": version,
            "areas": selectors.framework_areas(version=version) if version else [],
            "status_labels": STATUS_LABELS,
        },
    )


@scope.public
def framework_download_json(request):
    version = selectors.published_version()
    if version is None:
        raise Http404 from None
    payload = {
        "framework": version.title,
        "version": version.number,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "indicators": selectors.framework_rows(version=version),
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="r2dr-framework-v{version.number}.json"'
    return response


@scope.public
def framework_download_csv(request):
    version = selectors.published_version()
    if version is None:
        raise Http404 from None
    rows = selectors.framework_rows(version=version)
    for row in rows:
        for key in ("categories", "disaggregation", "rating_rule"):
            row[key] = json.dumps(row[key], ensure_ascii=False)
    columns = list(rows[0].keys()) if rows else ["code"]
    response = HttpResponse(tabular.write_csv(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="r2dr-framework-v{version.number}.csv"'
    return response
