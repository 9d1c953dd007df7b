"""Every tenant model refuses unscoped queries and scopes to one institution."""

import pytest
from django.apps import apps

from r2dr.tenancy import TenantModel, UnscopedQueryError, scopes_disabled


def tenant_models():
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


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
    sql = str(model.objects.for_institution(institution_a).query)
    assert "institution_id" in sql
    assert model.objects.for_institution(institution_a).count() == 0
    # Regional reads must be asked for explicitly; maintenance code can lift the guard.
    model.objects.regional().count()
    with scopes_disabled():
        model.objects.count()


def test_every_tenant_model_has_an_index_leading_with_institution():
    missing = []
    for model in tenant_models():
        leading = [idx.fields[0] for idx in model._meta.indexes if idx.fields]
        leading += [c.fields[0] for c in model._meta.constraints if getattr(c, "fields", None)]
        leading += [f[0] for f in model._meta.unique_together]
        # The FK's own index counts too (Django creates one for institution_id).
        if "institution" not in leading and not model._meta.get_field("institution").db_index:
            missing.append(model._meta.label)
    assert not missing, missing
