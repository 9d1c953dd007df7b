from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from r2dr.tenancy import scopes_disabled

# The platform core first, then the apps in dependency order (cases before
# indicators, whose computed outcome indicators read verified cases).
ORDER = ["r2dr", "training", "cases", "indicators", "reports"]


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent). --scale N adds large volumes for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="0 = demo size; N > 0 = benchmark volumes")

    def handle(self, *args, scale=0, **options):
        installed = {config.name for config in apps.get_app_configs()}
        with scopes_disabled():
            for name in ORDER:
                if name not in installed:
                    continue
                try:
                    module = import_module(f"{name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name == f"{name}.demo":
                        continue
                    raise
                module.seed(scale=scale, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
