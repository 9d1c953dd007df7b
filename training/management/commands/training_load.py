import pathlib

from django.core.management.base import BaseCommand, CommandError

from training.content_files import ContentError
from training.services.content import DEFAULT_ROOT, course_load


class Command(BaseCommand):
    help = "Load the course from training/content/ (idempotent; a facilitator's revision is never overwritten)."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEFAULT_ROOT), help="the content directory (default: %(default)s)")

    def handle(self, *args, path, **options):
        try:
            report = course_load(root=pathlib.Path(path))
        except (ContentError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"training_load: {len(report.created)} created, {len(report.updated)} updated, "
            f"{report.unchanged} unchanged, {len(report.retired)} questions retired"
        )
        for conflict in report.conflicts:
            self.stderr.write(f"conflict: {conflict}")
