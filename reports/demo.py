"""Demo data of the reports app: the staffed demo institutions publish their results
page, and each gets its national report built in each of its languages (in-process without a broker)."""

from django.db import transaction

from r2dr.demo import STAFFED
from r2dr.models import Institution
from reports import selectors, services, sources
from reports.models import ReportKind

INTRODUCTION = (
    "These are the results of our latest monitoring cycle of the Right to Defend Rights framework: "
    "the situation of human rights defenders in our country, area by area, with our findings and "
    "recommendations to the authorities."
)


def seed(*, scale: int = 0, stdout=None) -> None:
    built = []
    for slug in STAFFED:
        institution = Institution.objects.filter(slug=slug).first()
        if institution is None:
            continue
        cycles = sources.published_cycles(institution=institution)
        if not cycles:
            continue
        page = selectors.results_page(institution=institution)
        if page is None:
            services.results_page_update(institution=institution, is_public=True, introduction=INTRODUCTION, by=None)
        # One report in each language the institution uses (NHRCT's in Thai and English).
        for language in institution.languages or ["en"]:
            with transaction.atomic():
                run, reused = services.report_request(
                    kind=ReportKind.NATIONAL, institution=institution, cycle_id=cycles[0].pk, by=None, language=language
                )
            built.append(f"{slug} {language} ({'reused' if reused else run.status})")
    if stdout:
        stdout.write(f"  reports: public results pages and national reports for {', '.join(built) or 'nobody'}")
