from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from r2dr.audit import audit_checkpoint_latest, audit_checkpoint_parse, audit_verify
from r2dr.models import Institution


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit log (all institutions, or one with --institution SLUG), and that it "
        "still reaches the last checkpoint: one given with --checkpoint, or else the last one in "
        "R2DR_AUDIT_CHECKPOINT_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("--institution", help="slug of one institution")
        parser.add_argument(
            "--checkpoint",
            help="a checkpoint line (as e-mailed to the institution head), a file whose last line is one, "
            "or a directory of <slug>.txt checkpoint files",
        )

    def handle(self, *args, institution=None, checkpoint=None, **options):
        institutions = Institution.objects.order_by("slug")
        if institution:
            institutions = institutions.filter(slug=institution)
            if not institutions:
                raise CommandError(f"No institution {institution!r}")
        given, directory = self._checkpoint_source(checkpoint)
        failures = 0
        for inst in institutions:
            try:
                if given is not None:
                    # A checkpoint line names its institution; the others are verified without one.
                    anchor = given if given.institution_id == inst.pk else None
                else:
                    anchor = audit_checkpoint_latest(institution=inst, directory=directory)
            except ValueError as exc:
                ok, message = False, f"unusable checkpoint: {exc}"
            else:
                ok, message = audit_verify(institution=inst, checkpoint=anchor)
                if ok and anchor is None and (directory or given is not None):
                    message += " (no checkpoint for this institution yet)"
            self.stdout.write(f"{'OK  ' if ok else 'FAIL'} {inst.slug}: {message}")
            failures += not ok
        if failures:
            raise CommandError(f"{failures} audit chain(s) failed verification")

    @staticmethod
    def _checkpoint_source(value):
        """(a checkpoint given on the command line, or None; a directory to look up checkpoints in, or None)."""
        if not value:
            return None, settings.R2DR_AUDIT_CHECKPOINT_DIR or None
        path = Path(value)
        if value.startswith("r2dr-audit-checkpoint"):
            text = value
        elif path.is_dir():
            return None, path
        elif path.is_file():
            lines = [line for line in path.read_text().splitlines() if line.strip()]
            if not lines:
                raise CommandError(f"{value} holds no checkpoint")
            text = lines[-1]
        else:
            raise CommandError(f"{value} is neither a checkpoint line nor a file or directory")
        try:
            return audit_checkpoint_parse(text), None
        except ValueError as exc:
            raise CommandError(f"unusable checkpoint: {exc}") from None
