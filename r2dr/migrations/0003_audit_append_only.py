from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION r2dr_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS r2dr_audit_append_only ON r2dr_auditentry;
CREATE TRIGGER r2dr_audit_append_only BEFORE UPDATE OR DELETE ON r2dr_auditentry
    FOR EACH ROW EXECUTE FUNCTION r2dr_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS r2dr_audit_append_only ON r2dr_auditentry;
DROP FUNCTION IF EXISTS r2dr_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("r2dr", "0002_audit_log")]
    operations = [migrations.RunPython(forwards, backwards)]
