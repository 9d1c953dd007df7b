"""The page an escalation e-mail links to: why a case was escalated and what the reader can do about it, with no
case content, so everyone the e-mail reaches can open it (the institution head included, with or without a key)."""

from __future__ import annotations

from django.http import Http404

from cases import selectors, services, unlock
from cases.views._common import case_or_404, is_case_officer, no_store, staff_render
from r2dr import permissions as scope
from r2dr.roles import Role


@scope.institution(Role.CASE_OFFICER, Role.INSTITUTION_HEAD)
@no_store
def case_escalation(request, institution_slug, case_id):
    """Reference, when and why, the workflow state and who is assigned: clear fields only, nothing decrypted. The
    head sees escalated cases only, never a restricted one (the same 404 as a missing case otherwise), and is
    told whether they can read the case itself: with their own grant of the case key, unlocked."""
    institution = request.institution
    case = case_or_404(request, case_id)
    officer = is_case_officer(request)
    if not officer and case.escalated_at is None:  # cases_readable_by refuses it already: fail closed regardless
        raise Http404
    my_key = selectors.officer_key_for(institution, request.user)
    granted = selectors.active_grant(institution, my_key) is not None
    services.access_log_append(institution=institution, user=request.user, action="escalation_viewed", case=case)
    reasons = [str(services.ESCALATION_WHY.get(code, code)) for code in selectors.case_escalation_reasons(case)]
    return staff_render(
        request,
        "cases/staff_escalation.html",
        {
            "case": case,
            "reasons": reasons,
            "can_read": granted,
            "has_key": my_key is not None,
            "is_officer": officer,
            "unlocked": unlock.is_unlocked(request, institution),
        },
    )
