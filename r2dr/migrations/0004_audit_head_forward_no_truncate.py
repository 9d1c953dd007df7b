from django.db import migrations

# The head may only move forward, to an entry that exists with that hash (audit_append inserts the entry, then
# moves the head, in one transaction); it is never deleted; neither table can be truncated (TRUNCATE fires no
# row trigger, so 0003 alone let the whole log be emptied).
TRIGGERS = """
CREATE OR REPLACE FUNCTION r2dr_audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit head only moves forward';
    END IF;
    IF NEW.institution_id <> OLD.institution_id OR NEW.seq <= OLD.seq OR NOT EXISTS (
        SELECT 1 FROM r2dr_auditentry e
        WHERE e.institution_id = NEW.institution_id AND e.seq = NEW.seq AND e.hash = NEW.hash
    ) THEN
        RAISE EXCEPTION 'the audit head only moves forward';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS r2dr_audit_head_forward_only ON r2dr_audithead;
CREATE TRIGGER r2dr_audit_head_forward_only BEFORE UPDATE OR DELETE ON r2dr_audithead
    FOR EACH ROW EXECUTE FUNCTION r2dr_audit_head_forward_only();

CREATE OR REPLACE FUNCTION r2dr_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log cannot be truncated';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS r2dr_audit_no_truncate ON r2dr_auditentry;
CREATE TRIGGER r2dr_audit_no_truncate BEFORE TRUNCATE ON r2dr_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION r2dr_audit_no_truncate();
DROP TRIGGER IF EXISTS r2dr_audit_no_truncate ON r2dr_audithead;
CREATE TRIGGER r2dr_audit_no_truncate BEFORE TRUNCATE ON r2dr_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION r2dr_audit_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS r2dr_audit_no_truncate ON r2dr_audithead;
DROP TRIGGER IF EXISTS r2dr_audit_no_truncate ON r2dr_auditentry;
DROP FUNCTION IF EXISTS r2dr_audit_no_truncate();
DROP TRIGGER IF EXISTS r2dr_audit_head_forward_only ON r2dr_audithead;
DROP FUNCTION IF EXISTS r2dr_audit_head_forward_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("r2dr", "0003_audit_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
