"""The flow of the public report form and of the follow-up, kept out of the views: each function takes the posted
data and returns the page to show (template, context, status). Nothing is stored before the final submit."""

from __future__ import annotations

import base64
import dataclasses

from django.conf import settings
from django.http import Http404, QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from cases import crypto, forms, intake, plaintext, selectors, services
from cases.models import (
    URGENCY_TARGET_HOURS,
    Case,
    ConsentAnswer,
    Direction,
    Status,
    Urgency,
)
from r2dr import challenge
from r2dr.moments import moment_text
from r2dr.selectors import institutions_in_service


@dataclasses.dataclass
class Page:
    """What the flow decided to show: the caller renders it."""

    template: str
    context: dict = dataclasses.field(default_factory=dict)
    status: int = 200


STEP_BY_NAME = {cls.step: cls for cls in forms.STEPS}


STATUS_HELP = {
    Status.RECEIVED: gettext_lazy("The institution has your report and will look at it soon."),
    Status.ASSESSMENT: gettext_lazy("The institution is assessing whether and how it can act."),
    Status.VERIFICATION: gettext_lazy("The institution is checking the facts with other reliable sources."),
    Status.ACTION: gettext_lazy("The institution is acting on your report (for example, contacting the authorities)."),
    Status.CLOSED: gettext_lazy("The institution has closed this case. You can still send messages."),
}


HONEYPOT = "website"
# What a report's challenge is good for: a ticket issued here solves nothing else (the sign-in's, say).
CHALLENGE_PURPOSE = "cases.report"


def discard_files(files):
    for f in files:
        f.discard()


def files_lost(files) -> list[str]:
    """What to tell a defender whose files were dropped by an error: browsers cannot keep a chosen file in a page
    sent back, so name each one to choose again."""
    if not files:
        return [_("Files are never kept after an error: please choose them again.")]
    names = ", ".join(f"“{f.name}”" for f in files)
    return [
        _("Files are never kept after an error (your answers are): please choose these files again: %(names)s.")
        % {"names": names}
    ]


def as_upload(f) -> services.EncryptedUpload:
    return services.EncryptedUpload(
        storage_name=f.storage_name,
        file_key=f.file_key,
        name=f.name,
        content_type=f.content_type,
        kind=f.kind,
        size=f.size,
        sha256=f.sha256,
    )


def querydict(data: dict) -> QueryDict:
    qd = QueryDict(mutable=True)
    for key, values in (data or {}).items():
        qd.setlist(key, [str(v) for v in values][:200])
    return qd


# Answers travel in the form state up to this length, well over any field's limit: an answer over its limit is
# refused by the form with its real length and comes back whole to be shortened, never cut to fit and accepted.
RAW_MAX = 5 * forms.TEXT_MAX


def raw(post, form) -> dict:
    return {name: [v[:RAW_MAX] for v in post.getlist(name)][:200] for name in form.fields}


def quick_exit_url():
    return getattr(settings, "R2DR_QUICK_EXIT_URL", "https://www.google.com/search?q=weather+today")


def public_context(institution, **extra):
    return {
        "institution": institution,
        "mechanisms": selectors.mechanisms_for(institution),
        "quick_exit_url": quick_exit_url(),
        "platform_host": settings.R2DR_PLATFORM_HOST,
        "max_file_mb": intake.max_file_bytes() // (1024 * 1024),
        "max_files": intake.max_files(),
        **extra,
    }


def accepting(institution) -> bool:
    return (
        selectors.active_keyring(institution) is not None
        and selectors.case_settings_get(institution=institution).intake_open
    )


def step_page(request, institution, state, *, form=None, notice=None, extra_errors=(), challenge=None):
    step = state["step"]
    cls = STEP_BY_NAME[step]
    if form is None:
        data = state["data"].get(step)
        form = cls(data=querydict(data), institution=institution) if data else cls(institution=institution)
        if data:
            form._errors = {}  # show the typed values, without errors, when revisiting a step
    index = forms.STEP_NAMES.index(step)
    summary = None
    if step == forms.STEP_NAMES[-1]:
        summary = answers_summary(institution, state)
    context = public_context(
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
    return Page("cases/report_step.html", context)


def answers_summary(institution, state):
    """The answers of earlier steps, as the submitter will review them."""
    out = []
    for cls in forms.STEPS[:-1]:
        data = state["data"].get(cls.step)
        if not data:
            continue
        form = cls(data=querydict(data), institution=institution)
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


def clean_all(institution, state):
    cleaned, first_invalid = {}, None
    for cls in forms.STEPS:
        form = cls(data=querydict(state["data"].get(cls.step, {})), institution=institution)
        if not form.is_valid():
            first_invalid = first_invalid or (cls.step, form)
        else:
            cleaned[cls.step] = form.cleaned_data
    return cleaned, first_invalid


@sensitive_variables("cleaned", "c", "private")
def split_cleaned(cleaned):
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


def report_post(request, institution, files, file_errors) -> Page:
    """One POST of the public form: move between steps (answers travel signed in the form, nothing is stored), or
    on the final step, submit."""
    if not accepting(institution):
        discard_files(files)
        return Page("cases/report_intro.html", public_context(institution, accepting=False))
    raw_state = request.POST.get("state")
    state = intake.unpack_state(raw_state)
    nav = request.POST.get("nav", "next")[:40]
    if state is None or state.get("i") != institution.pk:
        discard_files(files)
        state = intake.new_state(institution.pk, step=forms.STEP_NAMES[0], max=0)
        notice = _("This form had expired, so it starts again. Nothing had been sent.") if raw_state else None
        return step_page(request, institution, state, notice=notice)
    if state.get("done"):
        discard_files(files)
        return receipt_confirm(request, institution, state)
    under_token_limit = intake.count_token_post(state["t"])
    step = state["step"]
    cls = STEP_BY_NAME[step]
    state["data"][step] = raw(request.POST, cls(institution=institution))
    index = forms.STEP_NAMES.index(step)
    if step != forms.STEP_NAMES[-1] or nav != "submit":
        discard_files(files)  # files are only taken with the final submit
    if nav == "back" and index > 0:
        state["step"] = forms.STEP_NAMES[index - 1]
        return step_page(request, institution, state)
    if nav.startswith("goto:") and nav[5:] in forms.STEP_NAMES:
        target = forms.STEP_NAMES.index(nav[5:])
        if target <= state.get("max", 0):
            state["step"] = nav[5:]
            return step_page(request, institution, state)
    form = cls(data=querydict(state["data"][step]), institution=institution)
    if not form.is_valid():
        discard_files(files)
        lost = files_lost(files) if files or file_errors else []
        return step_page(request, institution, state, form=form, extra_errors=file_errors + lost)
    if step != forms.STEP_NAMES[-1]:
        state["step"] = forms.STEP_NAMES[index + 1]
        state["max"] = max(state.get("max", 0), index + 1)
        return step_page(request, institution, state)
    if nav != "submit":
        return step_page(request, institution, state)
    return final_submit(request, institution, state, form, files, file_errors, under_token_limit=under_token_limit)


def final_submit(request, institution, state, form, files, file_errors, *, under_token_limit: bool) -> Page:
    """The last step was sent with "submit": check every step again, the files and the challenge, then commit."""
    cleaned, invalid = clean_all(institution, state)
    if invalid:
        discard_files(files)
        state["step"] = invalid[0]
        return step_page(
            request, institution, state, form=invalid[1], notice=_("Please check this step before sending.")
        )
    if file_errors:
        discard_files(files)
        return step_page(
            request,
            institution,
            state,
            form=form,
            extra_errors=file_errors + files_lost(files),
        )
    if intake.token_used(state["t"]):
        # Sent already (a double click, or a replay): say so before any picture is asked or spent.
        discard_files(files)
        return Page("cases/report_duplicate.html", public_context(institution), status=409)
    needs_challenge = (
        not under_token_limit
        or bool(request.POST.get(HONEYPOT))
        or intake.submissions_over_limit(institution.pk)
        or bool(state.get("ch"))
    )
    if needs_challenge and not challenge.challenge_solved_by_post(
        post=request.POST, purpose=CHALLENGE_PURPOSE, ticket=state.get("ch")
    ):
        discard_files(files)
        had = bool(state.get("ch"))
        replayed = challenge.challenge_spent(state.get("ch"))
        asked = challenge.challenge_new(purpose=CHALLENGE_PURPOSE)
        unanswered = not any(request.POST.get(k) for k in ("challenge", "challenge_text", "challenge_work"))
        asked = dataclasses.replace(asked, send_when_done=had and unanswered and not replayed)
        state["ch"] = asked.ticket
        errors = [
            _(
                "One more check before sending: answer the check next to the “Send report” button. Your answers are kept."
            )
        ]
        if replayed:
            errors.append(_("That picture was already used once: please solve the new challenge."))
        elif had:
            errors.append(_("The answer did not match; here is a new check."))
        if files:
            errors += files_lost(files)
        return step_page(request, institution, state, form=form, challenge=asked, extra_errors=errors)
    if not intake.mark_token_used(state["t"]):
        discard_files(files)
        return Page("cases/report_duplicate.html", public_context(institution), status=409)
    return _commit(request, institution, state, cleaned, files)


@sensitive_variables("cleaned", "clear", "private")
def _commit(request, institution, state, cleaned, files) -> Page:
    clear, private, consents, wording = split_cleaned(cleaned)
    try:
        case, code = services.case_submit(
            institution=institution,
            clear=clear,
            private=private,
            consents=consents,
            consent_wording=wording,
            language=translation.get_language() or "en",
            uploads=[as_upload(f) for f in files],
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
        "at": moment_text(case.received_at),
        "urgent": case.urgency == Urgency.URGENT,
    }
    return receipt_page(request, institution, receipt_state, files=len(files))


def receipt_page(request, institution, state, *, error=None, files=0):
    return Page(
        "cases/report_receipt.html",
        public_context(
            institution,
            code=state["code"],
            state=intake.pack_state(state),
            error=error,
            files=files,
            urgent=bool(state.get("urgent")),
            urgent_hours=URGENCY_TARGET_HOURS[Urgency.URGENT],
        ),
    )


def receipt_confirm(request, institution, state):
    if request.POST.get("nav") == "saved" and request.POST.get("saved_confirm"):
        proof = _(
            "Proof of submission\n\nA report was submitted to %(institution)s through r2dr on %(at)s.\n"
            "Reference: %(ref)s\n\nThis proof contains no content of the report and no receipt code."
        ) % {"institution": institution, "at": state["at"], "ref": state["ref"]}
        proof_uri = "data:text/plain;charset=utf-8;base64," + base64.b64encode(proof.encode()).decode()
        return Page(
            "cases/report_done.html",
            public_context(institution, ref=state["ref"], at=state["at"], proof_uri=proof_uri),
        )
    return receipt_page(request, institution, state, error=_("Please tick the box once you have saved your code."))


def followup_post(request, files, file_errors) -> Page:
    """The follow-up page: open a report with its receipt code, then reply or change a consent. The code travels
    only in the signed form state, never in a URL or cookie."""
    institution = request.institution
    if request.method != "POST":
        return Page("cases/followup_open.html", public_context(institution, form=forms.FollowUpOpenForm()))
    state = intake.unpack_state(request.POST.get("state"))
    if state and state.get("fu"):
        institution = institutions_in_service().filter(pk=state["i"]).first()
        if institution is None or (request.institution and request.institution.pk != institution.pk):
            raise Http404
        found = plaintext.case_for_receipt(institution=institution, code=state["code"])
        if found is None:
            discard_files(files)
            return Page("cases/followup_open.html", public_context(institution, form=forms.FollowUpOpenForm()))
        return followup_action(request, institution, state, found, files, file_errors)
    discard_files(files)
    return followup_open(request, institution, state)


def followup_open(request, institution, state) -> Page:
    """The submitter gives their receipt code. The code alone finds the report, in whichever institution holds it
    (plaintext.case_for_receipt_anywhere), so a defender who has the right code is never told it does not exist,
    whichever page they came through. No picture and no lockout (see intake.FOLLOWUP_PACE_SECONDS): each form
    state is checked at most once a second, and nothing another visitor does delays or refuses this one."""
    form = forms.FollowUpOpenForm(request.POST)
    if not form.is_valid():
        return Page("cases/followup_open.html", public_context(institution, form=form), status=200)
    # The pace is per form state: a state from another institution's page (or none) starts a fresh one.
    state = state if state and not state.get("fu") and state.get("t") else intake.new_state(None)
    if not intake.followup_check_claim(state["t"]):
        form.add_error(None, _("Please wait a moment, then send your code again."))
        return Page(
            "cases/followup_open.html",
            public_context(institution, form=form, state=intake.pack_state(state)),
            status=429,
        )
    hit = plaintext.case_for_receipt_anywhere(code=form.cleaned_data["receipt"])
    if hit is None:
        form.add_error("receipt", _("No report matches this code. Check the digits and try again."))
        return Page(
            "cases/followup_open.html",
            public_context(institution, form=form, state=intake.pack_state(state)),
        )
    holder, case, key = hit
    fu_state = {
        "v": 1,
        "t": state["t"],
        "i": holder.pk,
        "fu": 1,
        "code": crypto.normalise_receipt(form.cleaned_data["receipt"]),
    }
    return followup_case_page(request, holder, fu_state, (case, key))


def followup_case_page(request, institution, state, found, *, message_form=None, errors=(), notice=None):
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
    return Page(
        "cases/followup_case.html",
        public_context(
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


def followup_action(request, institution, state, found, files, file_errors):
    case, key = found
    nav = request.POST.get("nav", "")
    if nav == "reply":
        form = forms.MessageForm(request.POST)
        if file_errors or not form.is_valid():
            discard_files(files)
            errors = file_errors + (files_lost(files) if files or file_errors else [])
            return followup_case_page(request, institution, state, found, message_form=form, errors=errors)
        services.message_add(
            case=case, case_key=key, direction=Direction.SUBMITTER, body=form.cleaned_data["body"],
            uploads=[as_upload(f) for f in files],
        )  # fmt: skip
        found = (Case.objects.for_institution(institution).get(pk=case.pk), key)
        return followup_case_page(request, institution, state, found, notice=_("Your message was sent."))
    discard_files(files)
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
            return followup_case_page(request, institution, state, found, notice=_("Your choice was recorded."))
    if nav == "leave":
        return Page("cases/followup_left.html", public_context(institution))
    return followup_case_page(request, institution, state, found)
