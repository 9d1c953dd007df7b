from django.core.management.base import BaseCommand, CommandError

from r2dr.audit import audit_verify
from r2dr.models import Institution


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log (all institutions, or one with --institution SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("--institution", help="slug of one institution")

    def handle(self, *args, institution=None, **options):
        institutions = Institution.objects.all()
        if institution:
            institutions = institutions.filter(slug=institution)
            if not institutions:
                raise CommandError(f"No institution {institution!r}")
        failures = 0
        for inst in institutions:
            ok, message = audit_verify(institution=inst)
            self.stdout.write(f"{'OK  ' if ok else 'FAIL'} {inst.slug}: {message}")
            failures += not ok
        if failures:
            raise CommandError(f"{failures} audit chain(s) failed verification")
