from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from r2dr.mail import DiscardingEmailBackend
from r2dr.tenancy import scopes_disabled

# The platform core first, then the apps in dependency order (cases before
# indicators, whose computed outcome indicators read verified cases; indicators
# before training, whose practice cycle needs the published framework; workshops after the training demo, whose
# facilitator they use).
ORDER = ["r2dr", "cases", "indicators", "training", "training.workshops", "reports"]


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent). --scale N adds large volumes for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="0 = demo size; N > 0 = benchmark volumes")

    def handle(self, *args, scale=0, **options):
        installed = {config.name for config in apps.get_app_configs()}
        DiscardingEmailBackend.discarded = 0
        with scopes_disabled(), override_settings(EMAIL_BACKEND="r2dr.mail.DiscardingEmailBackend"):
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
        if DiscardingEmailBackend.discarded:
            self.stdout.write(
                f"{DiscardingEmailBackend.discarded} e-mails that seeding triggered (escalations, invitations) were "
                "not sent or shown."
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
