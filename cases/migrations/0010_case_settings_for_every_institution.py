from django.db import migrations


def create_missing_settings(apps, schema_editor):
    # Case settings are now created when an institution is onboarded; institutions that existed before get
    # theirs here, so reading them never needs to create one.
    Institution = apps.get_model("r2dr", "Institution")
    CaseSettings = apps.get_model("cases", "CaseSettings")
    have = set(CaseSettings.objects.values_list("institution_id", flat=True))
    CaseSettings.objects.bulk_create(
        [CaseSettings(institution_id=pk) for pk in Institution.objects.values_list("pk", flat=True) if pk not in have]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_names_keyring"),
    ]

    operations = [migrations.RunPython(create_missing_settings, migrations.RunPython.noop)]
