"""Reads of technical-assistance requests: the institution's own, and every institution's for facilitators
(explicitly regional), each with its events in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from r2dr.models import Institution
from training.workshops.models import AssistanceEvent, AssistanceRequest, AssistanceStatus, Topic


def _filtered(requests: QuerySet[AssistanceRequest], *, status: str, topic: str) -> QuerySet[AssistanceRequest]:
    if status in AssistanceStatus.values:
        requests = requests.filter(status=status)
    if topic in Topic.values:
        requests = requests.filter(topic=topic)
    return requests


def institution_assistance_requests(
    *, institution: Institution, status: str = "", topic: str = ""
) -> list[AssistanceRequest]:
    requests = AssistanceRequest.objects.for_institution(institution).select_related("opened_by")
    return list(_filtered(requests, status=status, topic=topic))


def institution_assistance_request(*, institution: Institution, request_id: int) -> AssistanceRequest:
    """One of the institution's requests with its history, or AssistanceRequest.DoesNotExist."""
    return (
        AssistanceRequest.objects.for_institution(institution)
        .prefetch_related(Prefetch("events", queryset=AssistanceEvent.objects.for_institution(institution)))
        .get(pk=request_id)
    )


def facilitator_assistance_requests(
    *, status: str = "", topic: str = "", institution_id: int | None = None
) -> list[AssistanceRequest]:
    """Regional, for facilitators: every institution's requests, by status, topic and institution."""
    requests = AssistanceRequest.objects.regional().select_related("institution", "opened_by")
    if institution_id:
        requests = requests.filter(institution_id=institution_id)
    return list(_filtered(requests, status=status, topic=topic))


def facilitator_assistance_request(*, request_id: int) -> AssistanceRequest:
    """Regional, for facilitators: one request with its history, or AssistanceRequest.DoesNotExist."""
    return (
        AssistanceRequest.objects.regional()
        .select_related("institution")
        .prefetch_related(Prefetch("events", queryset=AssistanceEvent.objects.regional()))
        .get(pk=request_id)
    )
