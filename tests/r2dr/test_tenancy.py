"""Every tenant model refuses unscoped queries and scopes to one institution."""

import datetime
import decimal
import itertools

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from r2dr.tenancy import TenantModel, UnscopedQueryError, scopes_disabled


def tenant_models():
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


_serial = itertools.count(1)

# Rows whose valid shape a field-by-field fill cannot guess (check constraints across fields).
_EXTRA = {
    "reports.ReportRun": lambda parent: {"kind": "national", "cycle_id": parent("indicators.Cycle").pk},
    "training.Cohort": lambda parent: {
        "starts_on": datetime.date(2024, 1, 1),
        "ends_on": datetime.date(2024, 12, 31),
    },
    "workshops.ProgrammeRound": lambda parent: {
        "starts_on": datetime.date(2024, 1, 1),
        "ends_on": datetime.date(2024, 12, 31),
    },
}


def _value(field, parent):
    """A value the database accepts for a required field; unique fields get a fresh one each time."""
    n = next(_serial)
    if field.is_relation:
        return parent(field.related_model)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 300)
    if isinstance(field, models.DecimalField):
        return decimal.Decimal(1)
    if isinstance(field, models.FloatField):
        return 1.0
    if isinstance(field, models.IntegerField):  # every integer kind, positive ones included
        return n
    if isinstance(field, models.BinaryField):
        return b"x%d" % n
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.EmailField):
        return f"row{n}@test.example"
    if isinstance(field, models.URLField):
        return f"https://example.org/{n}"
    if isinstance(field, models.FileField):
        return f"tenancy/{n}.bin"
    if isinstance(field, models.CharField | models.TextField):
        return f"r{n}"[: field.max_length or 20]
    raise NotImplementedError(f"{field.model._meta.label}.{field.name}: {type(field).__name__}")


def make_row(model, institution, parents=None):
    """Save one row of `model` owned by `institution`, with every required parent owned by it too.

    Generic on purpose: a tenant model added later is covered without writing a factory for it. Parents
    are made once per institution and shared (`parents`), as one-per-institution rows (the active
    keyring, the case settings) allow no second.
    """
    model = apps.get_model(model) if isinstance(model, str) else model
    parents = {} if parents is None else parents

    def parent(related):
        related = apps.get_model(related) if isinstance(related, str) else related
        if related._meta.label == "r2dr.Institution":
            return institution
        if related not in parents:
            parents[related] = make_row(related, institution, parents)
        return parents[related]

    values = {}
    if issubclass(model, TenantModel):
        values["institution"] = institution
    values.update(_EXTRA.get(model._meta.label, lambda _: {})(parent))
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in values or field.null or field.has_default():
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        values[field.name] = _value(field, parent)
    with scopes_disabled():
        # The model's save() still runs; bulk or raw inserts would skip it.
        return model._base_manager.create(**values)


def test_the_apps_define_tenant_models():
    assert tenant_models(), "no model subclasses r2dr.tenancy.TenantModel"


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_unscoped_queries_are_refused(model):
    with pytest.raises(UnscopedQueryError):
        list(model.objects.all())
    with pytest.raises(UnscopedQueryError):
        model.objects.filter(pk=1).exists()
    with pytest.raises(UnscopedQueryError):
        model.objects.count()
    with pytest.raises(UnscopedQueryError):
        model.objects.all().update()
    with pytest.raises(UnscopedQueryError):
        model.objects.for_institution(None)


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_scoped_queries_only_see_their_institution(model, institution_a, institution_b):
    # Onboarding already made the one-per-institution rows (the case settings): start from none, so each
    # institution holds exactly the row made here.
    with scopes_disabled():
        model._base_manager.filter(institution__in=[institution_a, institution_b]).delete()
    row_a = make_row(model, institution_a)
    row_b = make_row(model, institution_b)

    scoped_a = model.objects.for_institution(institution_a)
    assert list(scoped_a.values_list("pk", flat=True)) == [row_a.pk]
    assert scoped_a.count() == 1
    assert not scoped_a.filter(pk=row_b.pk).exists()
    with pytest.raises(model.DoesNotExist):
        scoped_a.get(pk=row_b.pk)
    # By id as well as by instance: views pass either.
    assert list(model.objects.for_institution(institution_b.pk).values_list("pk", flat=True)) == [row_b.pk]

    # A scoped update or delete touches only that institution's rows.
    assert model.objects.for_institution(institution_a).filter(pk=row_b.pk).update() == 0
    with scopes_disabled():
        assert model.objects.filter(pk=row_b.pk).exists()

    # Regional reads must be asked for explicitly and see every institution; maintenance code can lift the guard.
    assert set(model.objects.regional().values_list("pk", flat=True)) >= {row_a.pk, row_b.pk}
    with scopes_disabled():
        assert model.objects.count() >= 2


def _leads_with_institution(constraint):
    """An index (or unique constraint) whose first column is institution_id and that is not the foreign
    key's own single-column index: every model has that one, so it proves nothing; a table with at most
    one row per institution is served by its unique (institution) constraint."""
    columns = constraint["columns"] or []
    if not (constraint["index"] or constraint["unique"]) or constraint["primary_key"]:
        return False
    return columns[:1] == ["institution_id"] and (len(columns) > 1 or constraint["unique"])


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_every_tenant_model_has_an_index_leading_with_institution(model):
    # Read from the database the migrations built, not from Meta: a model and its migrations can disagree.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    assert any(_leads_with_institution(c) for c in constraints.values()), (
        f"{model._meta.label}: no index leads with institution_id (besides the foreign key's own); "
        f"indexes: {sorted(tuple(c['columns']) for c in constraints.values() if c['index'] or c['unique'])}"
    )
