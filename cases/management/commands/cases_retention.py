"""Apply each institution's retention period: delete closed cases past it (not under legal hold)."""

from django.core.management.base import BaseCommand

from cases import selectors, services
from r2dr.models import Institution


class Command(BaseCommand):
    help = "List (or with --apply, delete) closed cases past their institution's retention period."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="delete; without it, only count")

    def handle(self, *args, apply=False, **options):
        total = 0
        for institution in Institution.objects.order_by("slug"):
            due = list(selectors.cases_due_for_deletion(institution=institution))
            total += len(due)
            if apply:
                for case in due:
                    services.case_delete(case=case)
            if due:
                self.stdout.write(f"{institution.slug}: {len(due)} case(s) {'deleted' if apply else 'due'}")
        self.stdout.write(f"{total} case(s) {'deleted' if apply else 'due for deletion'}")
