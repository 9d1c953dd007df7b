"""The public follow-up with a receipt code: read the institution's replies, answer, change consents."""

from __future__ import annotations

from django.views.decorators.debug import sensitive_post_parameters

from cases import intake_flow
from cases.views._common import (
    encrypting_uploads,
    no_store,
    page_response,
    request_uploads,
)
from r2dr import permissions as scope


@scope.public
@sensitive_post_parameters()
@no_store
@encrypting_uploads
def followup(request, institution_slug=None):
    files, file_errors = request_uploads(request)
    try:
        return page_response(request, intake_flow.followup_post(request, files, file_errors))
    except BaseException:
        intake_flow.discard_files(files)
        raise
