"""Delete encrypted upload files that no attachment refers to (left by an interrupted submit).

They are ciphertext whose random key was never stored, so they are unreadable; this only reclaims space."""

import time

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from cases.models import CaseAttachment
from r2dr.tenancy import scopes_disabled


class Command(BaseCommand):
    help = "Remove orphaned encrypted upload files older than --hours (default 24)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours=24, **options):
        if not default_storage.exists("cases"):
            return
        with scopes_disabled():
            known = set(CaseAttachment.all_objects.values_list("storage_name", flat=True))
        _dirs, files = default_storage.listdir("cases")
        cutoff = time.time() - hours * 3600
        removed = 0
        for name in files:
            path = f"cases/{name}"
            if path in known:
                continue
            if default_storage.get_modified_time(path).timestamp() < cutoff:
                default_storage.delete(path)
                removed += 1
        self.stdout.write(f"removed {removed} orphaned file(s)")
