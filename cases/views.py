"""Views of the cases app: the public report form and follow-up (no account, no JavaScript needed), and the
minimal staff side (keys, unlock, read a case, reply, grant/revoke officers, access log)."""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from cases import crypto, forms, intake, plaintext, selectors, services, unlock
from cases.models import (
    AUDIT_PREFIX,
    AccessAction,
    Case,
    CaseAttachment,
    ConsentAnswer,
    ConsentKind,
    Direction,
    Intervention,
    KeyGrant,
    OfficerKey,
    Status,
)
from r2dr import permissions as scope
from r2dr.models import Institution
from r2dr.roles import Role

logger = logging.getLogger(__name__)

STEP_BY_NAME = {cls.step: cls for cls in forms.STEPS}
STATUS_HELP = {
    Status.RECEIVED: gettext_lazy("The institution has your report and will look at it soon."),
    Status.ASSESSMENT: gettext_lazy("The institution is assessing whether and how it can act."),
    Status.VERIFICATION: gettext_lazy("The institution is checking the facts with other reliable sources."),
    Status.ACTION: gettext_lazy("The institution is acting on your report (for example, contacting the authorities)."),
    Status.CLOSED: gettext_lazy("The institution has closed this case. You can still send messages."),
}
HONEYPOT = "website"
KEY_ROLES = (Role.CASE_OFFICER, Role.INSTITUTION_HEAD)


def no_store(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, no_cache=True, must_revalidate=True, private=True, max_age=0)
        response["Pragma"] = "no-cache"
        response["Expires"] = "0"
        return response

    return wrapper


def encrypting_uploads(view):
    """Install the encrypting upload handler before anything parses the body; check CSRF afterwards (the
    CSRF middleware would otherwise read request.POST first, with Django's default handlers)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            request.upload_handlers = [intake.EncryptingUploadHandler(request)]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def _uploads(request, field="files"):
    """(accepted EncryptedFiles, error messages) from this request's upload field."""
    accepted, errors = [], []
    reasons = {
        "type": _("“%(name)s” was not accepted: only images (JPEG, PNG, GIF, WebP), PDF, audio and video files."),
        "size": _("“%(name)s” is larger than the limit of %(mb)d MB."),
        "count": _("“%(name)s” was not accepted: at most %(n)d files at a time."),
        "empty": _("“%(name)s” is empty."),
        "interrupted": _("“%(name)s” did not arrive completely."),
    }
    for f in request.FILES.getlist(field):
        if not isinstance(f, intake.EncryptedFile):  # never accept a file that bypassed encryption
            continue
        if f.rejected:
            errors.append(
                reasons.get(f.rejected, reasons["type"])
                % {"name": f.name, "mb": intake.max_file_bytes() // (1024 * 1024), "n": intake.max_files()}
            )
        else:
            accepted.append(f)
    return accepted, errors


def _discard(files):
    for f in files:
        f.discard()


def _as_upload(f) -> services.EncryptedUpload:
    return services.EncryptedUpload(
        storage_name=f.storage_name,
        file_key=f.file_key,
        name=f.name,
        content_type=f.content_type,
        kind=f.kind,
        size=f.size,
        sha256=f.sha256,
    )


def _querydict(data: dict) -> QueryDict:
    qd = QueryDict(mutable=True)
    for key, values in (data or {}).items():
        qd.setlist(key, [str(v) for v in values][:200])
    return qd


def _raw(post, form) -> dict:
    return {name: [v[: forms.TEXT_MAX] for v in post.getlist(name)][:200] for name in form.fields}


def _quick_exit_url():
    return getattr(settings, "R2DR_QUICK_EXIT_URL", "https://www.google.com/search?q=weather+today")


def _public_context(institution, **extra):
    return {
        "institution": institution,
        "mechanisms": selectors.mechanisms_for(institution),
        "quick_exit_url": _quick_exit_url(),
        "platform_host": settings.R2DR_PLATFORM_HOST,
        "max_file_mb": intake.max_file_bytes() // (1024 * 1024),
        "max_files": intake.max_files(),
        **extra,
    }


# --- public: choose an institution -------------------------------------------------------------------------


@scope.public
@no_store
def report_choose(request):
    institutions = Institution.objects.filter(is_active=True).order_by("country", "name")
    return render(
        request,
        "cases/report_choose.html",
        {
            "institutions": institutions,
            "accepting": selectors.accepting_institution_ids(),
            "quick_exit_url": _quick_exit_url(),
            "mechanisms": selectors.mechanisms_for(None),
        },
    )


# --- public: the report form -----------------------------------------------------------------------------


def _accepting(institution) -> bool:
    return (
        selectors.active_keyring(institution) is not None
        and selectors.case_settings_get(institution=institution).intake_open
    )


def _render_step(request, institution, state, *, form=None, notice=None, extra_errors=(), challenge=None):
    step = state["step"]
    cls = STEP_BY_NAME[step]
    if form is None:
        data = state["data"].get(step)
        form = cls(data=_querydict(data), institution=institution) if data else cls(institution=institution)
        if data:
            form._errors = {}  # show the typed values, without errors, when revisiting a step
    index = forms.STEP_NAMES.index(step)
    summary = None
    if step == forms.STEP_NAMES[-1]:
        summary = _summary(institution, state)
    context = _public_context(
        institution,
        form=form,
        step=step,
        step_title=cls.title,
        step_number=index + 1,
        step_count=len(forms.STEP_NAMES),
        steps=[(s.step, s.title) for s in forms.STEPS],
        visited=state.get("max", 0),
        is_last=step == forms.STEP_NAMES[-1],
        state=intake.pack_state(state),
        notice=notice,
        extra_errors=list(extra_errors),
        challenge=challenge,
        summary=summary,
        honeypot=HONEYPOT,
    )
    return render(request, "cases/report_step.html", context)


def _summary(institution, state):
    """The answers of earlier steps, as the submitter will review them."""
    out = []
    for cls in forms.STEPS[:-1]:
        data = state["data"].get(cls.step)
        if not data:
            continue
        form = cls(data=_querydict(data), institution=institution)
        form.is_valid()
        rows = []
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
            if value in (None, "", [], False) or (hasattr(value, "exists") and not value.exists()):
                continue
            if hasattr(value, "__iter__") and not isinstance(value, str):
                text = ", ".join(field.label_from_instance(v) for v in value)
            elif hasattr(field, "choices") and not isinstance(field, forms.TaxonomyChoices):
                text = dict((str(k), v) for k, v in field.choices).get(str(value), value)
            elif value is True:
                text = _("Yes")
            else:
                text = value
            rows.append((field.label, text))
        out.append({"step": cls.step, "title": cls.title, "rows": rows})
    return out


def _clean_all(institution, state):
    cleaned, first_invalid = {}, None
    for cls in forms.STEPS:
        form = cls(data=_querydict(state["data"].get(cls.step, {})), institution=institution)
        if not form.is_valid():
            first_invalid = first_invalid or (cls.step, form)
        else:
            cleaned[cls.step] = form.cleaned_data
    return cleaned, first_invalid


@sensitive_variables("cleaned", "c", "private")
def _split(cleaned):
    who, what, since, consent = (cleaned[s] for s in forms.STEP_NAMES)
    clear = {
        "affected_kind": who["affected_kind"],
        "affected_count": who["affected_count"] or 1,
        "gender": who["gender"],
        "age_group": who["age_group"],
        "defender_groups": list(who["defender_groups"]),
        "violation_types": list(what["violation_types"]),
        "perpetrator_types": list(what["perpetrator_types"]),
        "rights": list(what["rights"]),
        "perpetrator_kind": what["perpetrator_kind"],
        "state_acquiescence": bool(what["state_acquiescence"]),
        "incident_date": what["resolved_date"],
        "incident_date_precision": what["date_precision"] if what["date_precision"] != "unknown" else "year",
        "country_code": what["country_code"],
        "urgent": since.get("urgent") == "yes",
    }
    private = {"submitter_is_victim": who["submitter_is_victim"] == "yes"}
    for cls in forms.STEPS:
        for name in cls.private_fields:
            private[name] = cleaned[cls.step].get(name) or ""
    consents = {kind: consent[f"consent_{kind}"] for kind in forms.CONSENT_QUESTIONS}
    choice_labels = {kind: dict(forms.CONSENT_CHOICES[kind]) for kind in forms.CONSENT_QUESTIONS}
    wording = {kind: f"{forms.CONSENT_QUESTIONS[kind]} — {choice_labels[kind][consents[kind]]}" for kind in consents}
    return clear, private, consents, wording


@scope.public
@sensitive_post_parameters()
@no_store
@encrypting_uploads
def report_form(request, institution_slug):
    institution = request.institution
    if request.method != "POST":
        from django.utils.translation import get_language_info

        languages = [(code, get_language_info(code)["name_local"]) for code in institution.languages or []]
        return render(
            request,
            "cases/report_intro.html",
            _public_context(institution, accepting=_accepting(institution), languages=languages),
        )
    files, file_errors = _uploads(request)
    try:
        return _report_post(request, institution, files, file_errors)
    except BaseException:
        _discard(files)
        raise


def _report_post(request, institution, files, file_errors):
    if not _accepting(institution):
        _discard(files)
        return render(request, "cases/report_intro.html", _public_context(institution, accepting=False))
    raw_state = request.POST.get("state")
    state = intake.unpack_state(raw_state)
    nav = request.POST.get("nav", "next")[:40]
    if state is None or state.get("i") != institution.pk:
        _discard(files)
        state = intake.new_state(institution.pk, step=forms.STEP_NAMES[0], max=0)
        notice = _("This form had expired, so it starts again. Nothing had been sent.") if raw_state else None
        return _render_step(request, institution, state, notice=notice)
    if state.get("done"):
        _discard(files)
        return _receipt_confirm(request, institution, state)
    under_token_limit = intake.count_token_post(state["t"])
    step = state["step"]
    cls = STEP_BY_NAME[step]
    state["data"][step] = _raw(request.POST, cls(institution=institution))
    index = forms.STEP_NAMES.index(step)
    if step != forms.STEP_NAMES[-1] or nav != "submit":
        _discard(files)  # files are only taken with the final submit
    if nav == "back" and index > 0:
        state["step"] = forms.STEP_NAMES[index - 1]
        return _render_step(request, institution, state)
    if nav.startswith("goto:") and nav[5:] in forms.STEP_NAMES:
        target = forms.STEP_NAMES.index(nav[5:])
        if target <= state.get("max", 0):
            state["step"] = nav[5:]
            return _render_step(request, institution, state)
    form = cls(data=_querydict(state["data"][step]), institution=institution)
    if not form.is_valid():
        _discard(files)
        lost = [_("Files are never kept after an error: please choose them again.")] if files or file_errors else []
        return _render_step(request, institution, state, form=form, extra_errors=file_errors + lost)
    if step != forms.STEP_NAMES[-1]:
        state["step"] = forms.STEP_NAMES[index + 1]
        state["max"] = max(state.get("max", 0), index + 1)
        return _render_step(request, institution, state)
    if nav != "submit":
        return _render_step(request, institution, state)
    # Final submit.
    cleaned, invalid = _clean_all(institution, state)
    if invalid:
        _discard(files)
        state["step"] = invalid[0]
        return _render_step(
            request, institution, state, form=invalid[1], notice=_("Please check this step before sending.")
        )
    if file_errors:
        _discard(files)
        return _render_step(
            request,
            institution,
            state,
            form=form,
            extra_errors=file_errors + [_("Files are never kept after an error: please choose them again.")],
        )
    needs_challenge = (
        not under_token_limit
        or bool(request.POST.get(HONEYPOT))
        or intake.submissions_over_limit(institution.pk)
        or bool(state.get("ch"))
    )
    if needs_challenge and not intake.check_challenge(state, request.POST.get("challenge", "")):
        _discard(files)
        had = bool(state.get("ch"))
        image = intake.new_challenge(state)
        errors = [
            _(
                "One more check before sending: type the five digits in the picture next to the “Send report” button. Your answers are kept."
            )
        ]
        if had:
            errors.append(_("The numbers did not match; here is a new picture."))
        if files:
            errors.append(_("Files are never kept after an error: please choose them again."))
        return _render_step(request, institution, state, form=form, challenge=image, extra_errors=errors)
    if not intake.mark_token_used(state["t"]):
        _discard(files)
        return render(request, "cases/report_duplicate.html", _public_context(institution), status=409)
    clear, private, consents, wording = _split(cleaned)
    try:
        case, code = services.case_submit(
            institution=institution,
            clear=clear,
            private=private,
            consents=consents,
            consent_wording=wording,
            language=translation.get_language() or "en",
            uploads=[_as_upload(f) for f in files],
        )
    except BaseException:
        intake.unmark_token(state["t"])  # nothing was stored: the same form may be sent again
        raise
    # case_submit has committed: only now does the page say "received".
    intake.count_submission(institution.pk)
    receipt_state = {
        "v": 1,
        "t": state["t"],
        "i": institution.pk,
        "done": True,
        "code": code,
        "ref": case.reference,
        "at": timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M %Z"),
    }
    return _render_receipt(request, institution, receipt_state, files=len(files))


def _render_receipt(request, institution, state, *, error=None, files=0):
    return render(
        request,
        "cases/report_receipt.html",
        _public_context(
            institution,
            code=state["code"],
            state=intake.pack_state(state),
            error=error,
            files=files,
        ),
    )


def _receipt_confirm(request, institution, state):
    if request.POST.get("nav") == "saved" and request.POST.get("saved_confirm"):
        proof = _(
            "Proof of submission\n\nA report was submitted to %(institution)s through r2dr on %(at)s.\n"
            "Reference: %(ref)s\n\nThis proof contains no content of the report and no receipt code."
        ) % {"institution": institution, "at": state["at"], "ref": state["ref"]}
        import base64

        proof_uri = "data:text/plain;charset=utf-8;base64," + base64.b64encode(proof.encode()).decode()
        return render(
            request,
            "cases/report_done.html",
            _public_context(institution, ref=state["ref"], at=state["at"], proof_uri=proof_uri),
        )
    return _render_receipt(request, institution, state, error=_("Please tick the box once you have saved your code."))


# --- public: follow-up -------------------------------------------------------------------------------------


def _followup_context(institution, **extra):
    ctx = _public_context(institution, **extra)
    ctx["institutions"] = Institution.objects.filter(is_active=True).order_by("country", "name")
    return ctx


@scope.public
@sensitive_post_parameters()
@no_store
@encrypting_uploads
def followup(request, institution_slug=None):
    files, file_errors = _uploads(request)
    try:
        return _followup(request, files, file_errors)
    except BaseException:
        _discard(files)
        raise


def _followup(request, files, file_errors):
    institution = request.institution
    if request.method != "POST":
        return render(
            request, "cases/followup_open.html", _followup_context(institution, form=forms.FollowUpOpenForm())
        )
    state = intake.unpack_state(request.POST.get("state"))
    if state and state.get("fu"):
        institution = Institution.objects.filter(pk=state["i"], is_active=True).first()
        if institution is None or (request.institution and request.institution.pk != institution.pk):
            raise Http404
        found = plaintext.case_for_receipt(institution=institution, code=state["code"])
        if found is None:
            _discard(files)
            return render(
                request, "cases/followup_open.html", _followup_context(institution, form=forms.FollowUpOpenForm())
            )
        return _followup_action(request, institution, state, found, files, file_errors)
    _discard(files)
    if institution is None:
        institution = Institution.objects.filter(slug=request.POST.get("institution", "")[:60], is_active=True).first()
    form = forms.FollowUpOpenForm(request.POST)
    if institution is None or not form.is_valid():
        if institution is None:
            form.add_error(None, _("Choose the institution you reported to."))
        return render(request, "cases/followup_open.html", _followup_context(institution, form=form), status=200)
    lim = intake.limits()
    failures = intake.followup_failures(institution.pk)
    if failures >= lim["followup_failures_hard_per_hour"]:
        form.add_error(None, _("Too many wrong codes were tried for this institution. Please try again in an hour."))
        return render(request, "cases/followup_open.html", _followup_context(institution, form=form), status=429)
    state = state if state and state.get("i") == institution.pk else intake.new_state(institution.pk)
    if failures >= lim["followup_failures_per_hour"] and not intake.check_challenge(
        state, request.POST.get("challenge", "")
    ):
        image = intake.new_challenge(state)
        return render(
            request,
            "cases/followup_open.html",
            _followup_context(institution, form=form, challenge=image, state=intake.pack_state(state)),
        )
    found = plaintext.case_for_receipt(institution=institution, code=form.cleaned_data["receipt"])
    if found is None:
        intake.count_followup_failure(institution.pk)
        form.add_error("receipt", _("No report matches this code. Check the digits and try again."))
        state.pop("ch", None)
        return render(
            request,
            "cases/followup_open.html",
            _followup_context(institution, form=form, state=intake.pack_state(state)),
        )
    fu_state = {
        "v": 1,
        "t": state["t"],
        "i": institution.pk,
        "fu": 1,
        "code": crypto.normalise_receipt(form.cleaned_data["receipt"]),
    }
    return _render_followup_case(request, institution, fu_state, found)


def _render_followup_case(request, institution, state, found, *, message_form=None, errors=(), notice=None):
    case, key = found
    thread = [
        {"direction": m.direction, "at": m.created_at, "text": plaintext.message_text(case, key, m)}
        for m in case.messages.all()
    ]
    consents = selectors.current_consents(case)
    consent_rows = [
        {
            "kind": kind,
            "question": forms.CONSENT_QUESTIONS[kind],
            "answer": consents[kind].get_answer_display() if kind in consents else _("No"),
            "value": consents[kind].answer if kind in consents else ConsentAnswer.NO,
            "choices": forms.CONSENT_CHOICES[kind],
        }
        for kind in forms.CONSENT_QUESTIONS
    ]
    return render(
        request,
        "cases/followup_case.html",
        _public_context(
            institution,
            case=case,
            status_help=STATUS_HELP.get(case.status, ""),
            thread=thread,
            consent_rows=consent_rows,
            files=case.attachments.count(),
            message_form=message_form or forms.MessageForm(),
            state=intake.pack_state(state),
            errors=list(errors),
            notice=notice,
        ),
    )


def _followup_action(request, institution, state, found, files, file_errors):
    case, key = found
    nav = request.POST.get("nav", "")
    if nav == "reply":
        form = forms.MessageForm(request.POST)
        if file_errors or not form.is_valid():
            _discard(files)
            errors = file_errors + (
                [_("Files are never kept after an error: please choose them again.")] if files or file_errors else []
            )
            return _render_followup_case(request, institution, state, found, message_form=form, errors=errors)
        services.message_add(
            case=case, case_key=key, direction=Direction.SUBMITTER, body=form.cleaned_data["body"],
            uploads=[_as_upload(f) for f in files],
        )  # fmt: skip
        found = (Case.objects.for_institution(institution).get(pk=case.pk), key)
        return _render_followup_case(request, institution, state, found, notice=_("Your message was sent."))
    _discard(files)
    if nav == "consent":
        kind = request.POST.get("kind", "")
        answer = request.POST.get("answer", "")
        if kind in forms.CONSENT_QUESTIONS and answer in dict(forms.CONSENT_CHOICES[kind]):
            label = dict(forms.CONSENT_CHOICES[kind])[answer]
            services.consent_change(
                case=case,
                kind=kind,
                answer=answer,
                wording=f"{forms.CONSENT_QUESTIONS[kind]} — {label}",
                language=translation.get_language() or "en",
            )
            return _render_followup_case(request, institution, state, found, notice=_("Your choice was recorded."))
    if nav == "leave":
        return render(request, "cases/followup_left.html", _public_context(institution))
    return _render_followup_case(request, institution, state, found)


# --- staff ----------------------------------------------------------------------------------------------------


def _unlock_redirect(request):
    url = reverse("cases_unlock", kwargs={"institution_slug": request.institution.slug})
    return redirect(f"{url}?next={request.path}")


def _staff_render(request, template, context):
    context.setdefault("unlocked", unlock.is_unlocked(request, request.institution))
    return render(request, template, context)


INBOX_PAGE = 100


def _inbox_filters(request, form) -> dict:
    if not form.is_valid():
        return {}
    c = form.cleaned_data
    filters = {
        "status": c["status"],
        "urgency": c["urgency"],
        "violation_type": c["violation_type"],
        "defender_group": c["defender_group"],
        "received_from": c["received_from"],
        "received_to": c["received_to"],
        "incident_from": c["incident_from"],
        "incident_to": c["incident_to"],
        "repeat_attack": c["repeat_attack"],
        "escalated": c["escalated"],
        "overdue": c["overdue"],
    }
    assigned = c["assigned"]
    if assigned == "none":
        filters["unassigned"] = True
    elif assigned == "me":
        filters["assigned_to"] = request.user.pk
    elif assigned:
        filters["assigned_to"] = int(assigned)
    return filters


@scope.institution(Role.CASE_OFFICER)
@no_store
def case_list(request, institution_slug):
    from django.core.paginator import Paginator

    institution = request.institution
    officers = list(selectors.case_officers(institution))
    form = forms.InboxFilterForm(request.GET or None, officers=officers)
    cases = selectors.case_inbox(institution=institution, user=request.user, **_inbox_filters(request, form))
    page = Paginator(cases, INBOX_PAGE).get_page(request.GET.get("page"))
    current_query = form.query() if form.is_bound and form.is_valid() else ""
    query = request.GET.copy()
    query.pop("page", None)
    # The list shows only clear fields, but who looked at which slice of the caseload is still audited.
    services.access_log_append(
        institution=institution,
        user=request.user,
        action="inbox_viewed",
        object_type="case_list",
        detail=f"{current_query} page={page.number}",
    )
    return _staff_render(
        request,
        "cases/staff_list.html",
        {
            "form": form,
            "page": page,
            "cases": page.object_list,
            "query": query.urlencode(),
            "officers": officers,
            "keys_ready": selectors.active_keyring(institution) is not None,
            "open_urgent": selectors.open_urgent_case_count(institution=institution),
            "overdue": selectors.interventions_due(institution=institution, user=request.user),
            "saved_views": selectors.saved_inbox_views(institution, request.user),
            "save_form": forms.SavedViewForm(initial={"query": current_query}),
            "current_query": current_query,
        },
    )


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_assign(request, institution_slug):
    institution = request.institution
    officers = list(selectors.case_officers(institution))
    ids = [int(v) for v in request.POST.getlist("cases") if v.isdigit()]
    form = forms.AssignForm(request.POST, officers=officers, case_ids=ids)
    if form.is_valid() and form.cleaned_data["cases"]:
        chosen = form.cleaned_data["officer"]
        officer = None if chosen == "none" else next(u for u in officers if str(u.pk) == chosen)
        n = services.cases_assign(
            institution=institution, case_ids=form.cleaned_data["cases"], officer=officer, by=request.user
        )
        messages.success(request, _("%(n)d case(s) assigned.") % {"n": n})
    else:
        messages.error(request, _("Tick at least one case and choose an officer."))
    url = reverse("cases_list", kwargs={"institution_slug": institution.slug})
    back = request.POST.get("next", "")
    if back.startswith("?"):
        url += back
    return redirect(url)


def _case_or_404(request, case_id):
    return get_object_or_404(selectors.cases_visible_to(request.institution, request.user), pk=case_id)


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_triage(request, institution_slug, case_id):
    case = _case_or_404(request, case_id)
    form = forms.TriageForm(request.POST)
    if form.is_valid():
        services.case_triage(
            case=case,
            by=request.user,
            urgency=form.cleaned_data["urgency"],
            repeat_attack=form.cleaned_data["repeat_attack"],
        )
        messages.success(request, _("Urgency and flags saved."))
    else:
        messages.error(request, _("Choose an urgency level."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@no_store
@require_POST
def case_transition(request, institution_slug, case_id):
    case = _case_or_404(request, case_id)
    private = unlock.private_key(request, request.institution)
    if private is None:
        return _unlock_redirect(request)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next step and say why."))
    else:
        key = plaintext.case_key_for_officer(case, private)
        try:
            services.case_transition(case=case, case_key=key, by=request.user, **form.service_kwargs())
        except services.TransitionRefused as refused:
            messages.error(request, str(refused))
        else:
            _notify_submitter(request, case, key)  # a status e-mail without content, to identified submitters
            messages.success(
                request, _("Case moved to “%(status)s”.") % {"status": Status(form.cleaned_data["to_status"]).label}
            )
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@no_store
@require_POST
def case_source_add(request, institution_slug, case_id):
    case = _case_or_404(request, case_id)
    private = unlock.private_key(request, request.institution)
    if private is None:
        return _unlock_redirect(request)
    form = forms.SourceForm(request.POST)
    if form.is_valid():
        services.source_add(
            case=case, case_key=plaintext.case_key_for_officer(case, private), by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Source recorded."))
    else:
        messages.error(request, _("Describe the source and its reliability."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@no_store
def case_detail(request, institution_slug, case_id):
    institution = request.institution
    case = get_object_or_404(selectors.cases_visible_to(institution, request.user), pk=case_id)
    private = unlock.private_key(request, institution)
    if private is None:
        return _unlock_redirect(request)
    key = plaintext.case_key_for_officer(case, private)
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.message_add(
            case=case,
            case_key=key,
            direction=Direction.INSTITUTION,
            body=form.cleaned_data["body"],
            author=request.user,
        )
        services.access_log_append(institution=institution, user=request.user, action=AccessAction.REPLY, case=case)
        _notify_submitter(request, case, key)
        messages.success(request, _("Reply sent. The person who reported can read it with their receipt code."))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    services.access_log_append(institution=institution, user=request.user, action=AccessAction.VIEW, case=case)
    try:
        data = plaintext.case_private(case, key)
        thread = [
            {
                "direction": m.direction,
                "at": m.created_at,
                "text": plaintext.message_text(case, key, m),
                "author": m.author,
            }
            for m in case.messages.select_related("author")
        ]
        attachments = [{"obj": a, "meta": plaintext.attachment_meta(case, key, a)} for a in case.attachments.all()]
        history = [
            {"step": t, "reason": plaintext.transition_reason(case, key, t)}
            for t in case.transitions.select_related("by")
        ]
        sources = [{"obj": x, "text": plaintext.source_text(case, key, x)} for x in case.sources.all()]
        interventions = [
            {"obj": i, "text": plaintext.intervention_text(case, key, i)}
            for i in case.interventions.select_related("mechanism")
        ]
        services.case_index_names(case=case, case_key=key, institution_private=private)
        services.case_repeat_attack_detect(case=case, by=request.user)
        possible = _possible_duplicates(request, case, data, private)
    except crypto.DecryptionError:
        # Benchmark rows share one payload, or the data was damaged: say so instead of failing.
        logger.warning("case %s: content does not decrypt", case.pk)
        messages.error(request, _("This case's content cannot be decrypted (benchmark data, or damaged)."))
        data, thread, attachments, history, sources, interventions, possible = {}, [], [], [], [], [], []
    return _staff_render(
        request,
        "cases/staff_detail.html",
        {
            "case": case,
            "data": data,
            "thread": thread,
            "attachments": attachments,
            "consents": selectors.current_consents(case).values(),
            "form": form,
            "violation_types": case.violation_types.all(),
            "defender_groups": case.defender_groups.all(),
            "perpetrator_types": case.perpetrator_types.all(),
            "rights": case.rights.all(),
            "history": history,
            "sources": sources,
            "transition_form": forms.TransitionForm(allowed=selectors.allowed_transitions(case)),
            "can_move": bool(selectors.allowed_transitions(case)),
            "source_form": forms.SourceForm(),
            "interventions": interventions,
            "possible_duplicates": possible,
            "links": selectors.case_links(case),
            "intervention_form": forms.InterventionForm(institution=institution),
            "restrict_form": forms.RestrictForm(
                officers=selectors.case_officers(institution),
                initial={"officers": [a.user_id for a in case.named_officers.all()]},
            ),
            "merge_form": forms.MergeForm(),
            "triage_form": forms.TriageForm(initial={"urgency": case.urgency, "repeat_attack": case.repeat_attack}),
        },
    )


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_restrict(request, institution_slug, case_id):
    case = _case_or_404(request, case_id)
    form = forms.RestrictForm(request.POST, officers=selectors.case_officers(request.institution))
    if form.is_valid():
        services.case_restrict(case=case, by=request.user, officers=form.cleaned_data["officers"])
        if case.restricted:
            messages.success(request, _("Only the named officers can now see this case."))
        else:
            messages.success(request, _("Every case officer can see this case again."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


def _intervention_fields(form) -> dict:
    return dict(form.cleaned_data)


@scope.institution(Role.CASE_OFFICER)
@sensitive_post_parameters()
@no_store
def case_intervention(request, institution_slug, case_id, intervention_id=None):
    """Add (no intervention_id, POST only) or edit one intervention."""
    institution = request.institution
    case = _case_or_404(request, case_id)
    intervention = None
    if intervention_id is not None:
        intervention = get_object_or_404(
            Intervention.objects.for_institution(institution), pk=intervention_id, case=case
        )
    elif request.method != "POST":
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    private = unlock.private_key(request, institution)
    if private is None:
        return _unlock_redirect(request)
    key = plaintext.case_key_for_officer(case, private)
    initial = None
    if intervention is not None:
        initial = {
            **plaintext.intervention_text(case, key, intervention),
            "kind": intervention.kind,
            "status": intervention.status,
            "mechanism": intervention.mechanism_id,
            "date_sent": intervention.date_sent,
            "response_due": intervention.response_due,
            "response_received": intervention.response_received,
        }
    form = forms.InterventionForm(request.POST or None, initial=initial, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_save(
                case=case, case_key=key, by=request.user, intervention=intervention, **_intervention_fields(form)
            )
        except services.InterventionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Intervention saved."))
            return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    if intervention is None:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    services.access_log_append(institution=institution, user=request.user, action=AccessAction.VIEW, case=case)
    return _staff_render(
        request, "cases/staff_intervention.html", {"case": case, "form": form, "intervention": intervention}
    )


def _possible_duplicates(request, case, data, private) -> list[dict]:
    """Candidates narrowed by clear fields and keyed name digests, then fuzzy-matched on decrypted names."""
    from cases import duplicates

    names = "\n".join(filter(None, [data.get("affected_names", ""), data.get("organisation", "")]))
    out = []
    for row in selectors.duplicate_candidates(case=case, user=request.user):
        other = row["case"]
        similar = row["same_name"]
        if not similar and names:
            try:
                theirs = plaintext.case_private(other, plaintext.case_key_for_officer(other, private))
            except crypto.DecryptionError:
                theirs = {}
            other_names = "\n".join(filter(None, [theirs.get("affected_names", ""), theirs.get("organisation", "")]))
            similar = duplicates.similar(names, other_names)
        out.append({"case": other, "same_name": row["same_name"], "similar_name": similar})
    if out:
        services.access_log_append(
            institution=case.institution, user=request.user, action="duplicate_check", case=case, detail=str(len(out))
        )
    out.sort(key=lambda r: (not r["same_name"], not r["similar_name"]))
    return out


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_link(request, institution_slug, case_id):
    from cases.models import CaseLink

    case = _case_or_404(request, case_id)
    other = (
        selectors.cases_visible_to(request.institution, request.user)
        .filter(reference=request.POST.get("other", "").strip().upper())
        .exclude(pk=case.pk)
        .first()
    )
    kind = request.POST.get("kind")
    if other is None or kind not in CaseLink.Kind.values:
        messages.error(request, _("Choose a case of this institution and how it is linked."))
    else:
        services.case_link(case=case, other=other, kind=kind, by=request.user)
        messages.success(request, _("Cases linked."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)


def _notify_submitter(request, case, key):
    """Status e-mail to an identified submitter: no case content, sent inside the officer's request (Celery never
    sees the address)."""
    email = plaintext.case_private(case, key).get("submitter_email")
    if not email:
        return
    url = request.build_absolute_uri(reverse("cases_followup", kwargs={"institution_slug": case.institution.slug}))
    with translation.override(case.language or None):  # the language the defender reported in
        subject = _("Update on your report")
        body = _("There is an update on a report you made. To read it, open %(url)s and enter your receipt code.") % {
            "url": url
        }
    send_mail(subject, body, None, [email], fail_silently=True)


@scope.institution(Role.CASE_OFFICER)
@no_store
def case_attachment(request, institution_slug, case_id, attachment_id, original=False):
    institution = request.institution
    case = get_object_or_404(selectors.cases_visible_to(institution, request.user), pk=case_id)
    attachment = get_object_or_404(CaseAttachment.objects.for_institution(institution), pk=attachment_id, case=case)
    private = unlock.private_key(request, institution)
    if private is None:
        return _unlock_redirect(request)
    key = plaintext.case_key_for_officer(case, private)
    meta = plaintext.attachment_meta(case, key, attachment)
    name = "".join(ch for ch in meta.get("name", "file") if ch.isalnum() or ch in "._- ")[:100] or "file"
    if attachment.kind == "image" and not original:
        services.access_log_append(institution=institution, user=request.user, action=AccessAction.FILE, case=case)
        data = intake.strip_image_metadata(
            plaintext.attachment_plaintext(case, key, attachment), attachment.content_type
        )
        response = HttpResponse(data, content_type=attachment.content_type)
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    services.access_log_append(
        institution=institution,
        user=request.user,
        action=AccessAction.FILE_ORIGINAL,
        case=case,
        detail=str(attachment.pk),
    )
    file_key = plaintext.attachment_key(case, key, attachment)
    from django.core.files.storage import default_storage

    fh = default_storage.open(attachment.storage_name, "rb")
    response = StreamingHttpResponse(crypto.stream_decrypt(file_key, fh), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@scope.institution(Role.CASE_OFFICER)
@no_store
def case_attachment_original(request, institution_slug, case_id, attachment_id):
    return case_attachment(request, institution_slug, case_id, attachment_id, original=True)


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
def unlock_view(request, institution_slug):
    institution = request.institution
    form = forms.UnlockForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) or not next_url.startswith(
        "/"
    ):
        next_url = reverse("cases_list", kwargs={"institution_slug": institution.slug})
    if (
        request.method == "POST"
        and intake.unlock_failures(request.user.pk) >= intake.limits()["unlock_failures_per_hour"]
    ):
        form = forms.UnlockForm()
        messages.error(request, _("Too many wrong passphrases. Try again in an hour."))
    elif request.method == "POST" and form.is_valid():
        try:
            keyring_id, private = services.keyring_unlock(
                institution=institution, user=request.user, passphrase=form.cleaned_data["passphrase"]
            )
        except crypto.DecryptionError:
            intake.count_unlock_failure(request.user.pk)
            form.add_error("passphrase", _("This passphrase does not unlock your case key, or you have no access yet."))
        else:
            response = redirect(next_url)
            unlock.store(request, response, institution, keyring_id, private)
            # New reports get their keyed name digests now, and repeat attacks are flagged without waiting.
            services.case_names_index_pending(institution=institution, institution_private=private, by=request.user)
            messages.success(request, _("Case keys unlocked for 15 minutes of activity."))
            return response
    return _staff_render(
        request,
        "cases/staff_unlock.html",
        {"form": form, "next": next_url, "has_key": selectors.officer_key_for(institution, request.user) is not None},
    )


@scope.institution(*KEY_ROLES)
@require_POST
def lock_view(request, institution_slug):
    response = redirect("cases_keys", institution_slug=request.institution.slug)
    unlock.clear(request, response, request.institution)
    messages.success(request, _("Case keys locked."))
    return response


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
def keys_view(request, institution_slug):
    institution = request.institution
    keyring = selectors.active_keyring(institution)
    my_key = selectors.officer_key_for(institution, request.user)
    officer_keys = OfficerKey.objects.for_institution(institution).select_related("user").order_by("created_at")
    grants = (
        KeyGrant.objects.for_institution(institution)
        .filter(keyring=keyring, revoked_at__isnull=True)
        .select_related("officer_key__user", "granted_by")
        if keyring
        else []
    )
    granted_ids = {g.officer_key_id for g in grants}
    from r2dr.models import Membership

    entitled = set(
        Membership.objects.filter(institution=institution, role__in=KEY_ROLES).values_list("user_id", flat=True)
    )
    for g in grants:
        g.stale = g.officer_key.user_id not in entitled
    return _staff_render(
        request,
        "cases/staff_keys.html",
        {
            "keyring": keyring,
            "my_key": my_key,
            "my_grant": my_key and my_key.pk in granted_ids,
            "grants": grants,
            "ungranted": [k for k in officer_keys if k.pk not in granted_ids and k.user_id in entitled],
            "passphrase_form": forms.OfficerPassphraseForm(),
        },
    )


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
@require_POST
def my_key_create(request, institution_slug):
    institution = request.institution
    form = forms.OfficerPassphraseForm(request.POST)
    if selectors.officer_key_for(institution, request.user):
        messages.info(request, _("You already have a case key."))
    elif form.is_valid():
        services.officer_key_create(
            institution=institution, user=request.user, passphrase=form.cleaned_data["passphrase"]
        )
        messages.success(request, _("Your case key was created. A colleague who is unlocked can now grant you access."))
    else:
        for error in form.errors.values():
            messages.error(request, error[0])
    return redirect("cases_keys", institution_slug=institution.slug)


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
def my_key_passphrase(request, institution_slug):
    """Change the case passphrase, or (when it is lost) replace the officer's key."""
    institution = request.institution
    my_key = selectors.officer_key_for(institution, request.user)
    if my_key is None:
        return redirect("cases_keys", institution_slug=institution.slug)
    form = forms.PassphraseChangeForm(request.POST if request.POST.get("action") == "change" else None)
    if request.method == "POST" and request.POST.get("action") == "replace":
        if request.POST.get("confirm_replace"):
            services.officer_key_replace(institution=institution, user=request.user)
            response = redirect("cases_keys", institution_slug=institution.slug)
            unlock.clear(request, response, institution)
            messages.success(
                request, _("Your old key was removed. Create a new one; a colleague must grant it access.")
            )
            return response
        messages.error(request, _("Tick the box to confirm."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.officer_passphrase_change(
                officer_key=my_key, old=form.cleaned_data["current"], new=form.cleaned_data["passphrase"]
            )
        except crypto.DecryptionError:
            form.add_error("current", _("This is not your current case passphrase."))
        else:
            services.access_log_append(institution=institution, user=request.user, action=AccessAction.PASSPHRASE)
            messages.success(request, _("Your case passphrase was changed."))
            return redirect("cases_keys", institution_slug=institution.slug)
    return _staff_render(request, "cases/staff_passphrase.html", {"form": form})


@scope.institution(*KEY_ROLES)
@no_store
@require_POST
def keys_setup(request, institution_slug):
    institution = request.institution
    my_key = selectors.officer_key_for(institution, request.user)
    if selectors.active_keyring(institution) is not None or my_key is None:
        messages.error(request, _("Create your own case key first; institution keys can be set up only once."))
        return redirect("cases_keys", institution_slug=institution.slug)
    kit = services.keyring_setup(institution=institution, by=request.user, officer_key=my_key)
    import base64

    kit_file = _(
        "r2dr recovery kit for %(institution)s\n\n%(kit)s\n\nKeep this offline (printed, in a safe). Anyone holding "
        "it can open every case of the institution. It is not stored anywhere else and cannot be shown again.\n"
    ) % {"institution": institution, "kit": kit}
    uri = "data:text/plain;charset=utf-8;base64," + base64.b64encode(kit_file.encode()).decode()
    return _staff_render(request, "cases/staff_kit.html", {"kit": kit, "kit_uri": uri})


def _require_private(request):
    private = unlock.private_key(request, request.institution)
    if private is None:
        messages.error(request, _("Unlock your case key first."))
    return private


@scope.institution(*KEY_ROLES)
@no_store
@require_POST
def grant_create(request, institution_slug):
    institution = request.institution
    private = _require_private(request)
    if private is None:
        return _unlock_redirect(request)
    okey = OfficerKey.objects.for_institution(institution).filter(pk=request.POST.get("officer_key_id") or 0).first()
    if (
        okey is None
        or not request.access.has(institution, *KEY_ROLES)
        or not okey.user.memberships.filter(institution=institution, role__in=KEY_ROLES).exists()
    ):
        messages.error(request, _("This person cannot be given access."))
    else:
        services.key_grant_create(
            institution=institution, by=request.user, institution_private=private, officer_key=okey
        )
        messages.success(request, _("Access granted to %(email)s.") % {"email": okey.user.email})
    return redirect("cases_keys", institution_slug=institution.slug)


@scope.institution(*KEY_ROLES)
@no_store
def grant_revoke(request, institution_slug, grant_id):
    institution = request.institution
    grant = get_object_or_404(
        KeyGrant.objects.for_institution(institution).select_related("officer_key__user"), pk=grant_id
    )
    if request.method != "POST":
        return _staff_render(request, "cases/staff_revoke.html", {"grant": grant})
    private = _require_private(request)
    if private is None:
        return _unlock_redirect(request)
    if grant.revoked_at is None:
        new_keyring, new_private = services.key_grant_revoke(
            institution=institution, by=request.user, institution_private=private, grant=grant
        )
        response = redirect("cases_keys", institution_slug=institution.slug)
        if grant.officer_key.user_id == request.user.pk:
            unlock.clear(request, response, institution)
        else:
            unlock.store(request, response, institution, new_keyring.pk, new_private)
        messages.success(request, _("Access revoked; the institution key was rotated and every case key re-sealed."))
        return response
    return redirect("cases_keys", institution_slug=institution.slug)


@scope.institution(*KEY_ROLES)
@sensitive_post_parameters()
@no_store
def recover_view(request, institution_slug):
    institution = request.institution
    form = forms.RecoverForm(request.POST or None)
    my_key = selectors.officer_key_for(institution, request.user)
    if request.method == "POST" and form.is_valid():
        if my_key is None:
            form.add_error(None, _("Create your own case key first."))
        else:
            try:
                services.key_grant_recover(
                    institution=institution, by=request.user, kit_text=form.cleaned_data["kit"], officer_key=my_key
                )
            except (crypto.DecryptionError, services.KeysNotReady):
                form.add_error("kit", _("This is not the recovery kit of this institution's keys."))
            else:
                messages.success(request, _("Access restored with the recovery kit. Unlock with your case passphrase."))
                return redirect("cases_unlock", institution_slug=institution.slug)
    return _staff_render(request, "cases/staff_recover.html", {"form": form, "my_key": my_key})


@scope.institution(*KEY_ROLES)
@no_store
def access_log(request, institution_slug):
    institution = request.institution
    labels = dict(AccessAction.choices)
    entries = [
        {"at": e.at, "who": e.actor_label, "what": labels.get(e.action[len(AUDIT_PREFIX) :], e.action),
         "case": e.object_ref, "note": (e.detail or {}).get("note", "")}
        for e in selectors.access_entries(institution)[:500]
    ]  # fmt: skip
    return _staff_render(
        request,
        "cases/staff_access_log.html",
        {"entries": entries, "chain_ok": selectors.verify_access_log(institution)},
    )


__all__ = ["ConsentKind", "Status"]


@scope.institution(Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN)
@no_store
def statistics_sharing(request, institution_slug):
    """The explicit "share case statistics for this period" decision, one incident year at a time."""
    institution = request.institution
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = 0
        if 1900 < year <= timezone.now().year:
            share = request.POST.get("action") != "unshare"
            services.statistics_share(institution=institution, year=year, by=request.user, share=share)
            if share:
                messages.success(
                    request, _("Case statistics for %(year)d are now shared with the region.") % {"year": year}
                )
            else:
                messages.success(request, _("Case statistics for %(year)d are no longer shared.") % {"year": year})
        return redirect("cases_statistics_sharing", institution_slug=institution.slug)
    per_year = selectors.case_statistics(institution=institution, group_by="year")
    shares = {s.year: s for s in selectors.statistics_shares(institution)}
    years = sorted({r["year"] for r in per_year} | set(shares) | {timezone.now().year}, reverse=True)
    counts = {r["year"]: r["count"] for r in per_year}
    return render(
        request,
        "cases/statistics_sharing.html",
        {
            "rows": [{"year": y, "count": counts.get(y), "share": shares.get(y)} for y in years],
            "every_year": selectors.case_settings_get(institution=institution).share_regional_statistics,
        },
    )


@scope.institution(Role.CASE_OFFICER)
@no_store
def case_un_communication(request, institution_slug, case_id):
    """The draft communication to UN Special Procedures, as text and (?format=pdf) as PDF, made in this request."""
    from cases import exports

    institution = request.institution
    case = _case_or_404(request, case_id)
    private = unlock.private_key(request, institution)
    if private is None:
        return _unlock_redirect(request)
    try:
        draft = exports.un_communication(case=case, case_key=plaintext.case_key_for_officer(case, private))
    except exports.NotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("cases_detail", institution_slug=institution.slug, case_id=case.pk)
    as_pdf = request.GET.get("format") == "pdf"
    services.access_log_append(
        institution=institution,
        user=request.user,
        action="export.un_communication" + (".pdf" if as_pdf else ""),
        case=case,
    )
    if as_pdf:
        pdf = exports.un_communication_pdf(case=case, draft=draft, institution=institution)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="un-communication-{case.reference}.pdf"'
        return response
    return _staff_render(request, "cases/staff_un_communication.html", {"case": case, "draft": draft})


@scope.institution(Role.CASE_OFFICER)
@no_store
def cases_export_csv(request, institution_slug):
    """CSV of the inbox (same filters), made in this request; names only where consented and unlocked."""
    from cases import exports

    institution = request.institution
    form = forms.InboxFilterForm(request.GET or None, officers=list(selectors.case_officers(institution)))
    cases = (
        selectors.case_inbox(institution=institution, user=request.user, **_inbox_filters(request, form))
        .prefetch_related("defender_groups", "consents")
        .defer(None)
    )
    private = unlock.private_key(request, institution) if request.GET.get("identities") else None
    text = exports.cases_csv(cases=cases, private_key=private)
    services.access_log_append(
        institution=institution,
        user=request.user,
        action="export.csv",
        object_type="case_list",
        data={"rows": text.count("\n") - 1, "identities": private is not None},
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


@scope.institution(Role.CASE_OFFICER)
@no_store
@require_POST
def case_legal_hold(request, institution_slug, case_id):
    case = _case_or_404(request, case_id)
    hold = request.POST.get("hold") == "on"
    services.case_legal_hold(case=case, by=request.user, hold=hold)
    messages.success(request, _("Legal hold set.") if hold else _("Legal hold lifted."))
    return redirect("cases_detail", institution_slug=request.institution.slug, case_id=case.pk)
