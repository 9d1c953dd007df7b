from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections


class Command(flush.Command):
    help = flush.Command.help + (
        " On PostgreSQL the audit log refuses TRUNCATE, so this needs a database superuser, who may switch "
        "triggers off for the session (the test suite's teardown does exactly this)."
    )

    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return super().handle(**options)
        with connection.cursor() as cursor:
            # Refused to any role but a superuser: an application role cannot empty the audit log this way.
            cursor.execute("SET session_replication_role = replica")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
