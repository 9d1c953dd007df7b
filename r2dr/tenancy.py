"""Row-level tenancy: every tenant-owned row carries its institution.

Fail-closed by construction: the default manager of a tenant model refuses to
run a query that was not explicitly scoped, either to one institution
(`Model.objects.for_institution(inst)`) or, for regional selectors that only
read published/shared data, across institutions (`Model.objects.regional()`).
Related managers (`cycle.values.all()`) count as scoped, because their parent
row was itself reached through a scoped path and foreign keys never cross
institutions (each model's `clean()`/services enforce that).
"""

from __future__ import annotations

import contextlib
import contextvars

from django.db import models

_scopes_disabled = contextvars.ContextVar("r2dr_scopes_disabled", default=False)


class UnscopedQueryError(RuntimeError):
    """A tenant model was queried without saying whose rows it wants."""


@contextlib.contextmanager
def scopes_disabled():
    """Allow unscoped queries (migrations, admin, maintenance commands, tests)."""
    token = _scopes_disabled.set(True)
    try:
        yield
    finally:
        _scopes_disabled.reset(token)


class TenantQuerySet(models.QuerySet):
    _r2dr_scope: str | None = None

    def _clone(self):
        clone = super()._clone()
        clone._r2dr_scope = self._r2dr_scope
        return clone

    def _mark(self, scope: str) -> TenantQuerySet:
        clone = self._chain()
        clone._r2dr_scope = scope
        return clone

    def for_institution(self, institution) -> TenantQuerySet:
        if institution is None:
            raise UnscopedQueryError(f"{self.model.__name__}: for_institution(None)")
        institution_id = getattr(institution, "pk", institution)
        return self.filter(institution_id=institution_id)._mark(f"institution:{institution_id}")

    def regional(self) -> TenantQuerySet:
        """Across institutions: only for regional selectors (published/shared data). A training cohort's practice
        institution holds neither, so its rows are never part of a regional read."""
        # A subquery, not a join: regional reads may lock rows (FOR UPDATE) and carry a nullable institution.
        practice = models.Subquery(
            self.model._meta.get_field("institution").related_model.objects.filter(is_practice=True).values("pk")
        )
        return self.exclude(institution_id__in=practice)._mark("regional")

    def _check_scope(self):
        if self._r2dr_scope is None and not _scopes_disabled.get():
            raise UnscopedQueryError(
                f"Unscoped query on tenant model {self.model.__name__}: use "
                f".for_institution(institution) or an explicit regional selector."
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def count(self):
        self._check_scope()
        return super().count()

    def exists(self):
        self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    def delete(self):
        self._check_scope()
        return super().delete()


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        qs = super().get_queryset()
        instance = getattr(self, "instance", None)
        if instance is not None:
            # A related manager: its parent was loaded through a scoped path.
            qs._r2dr_scope = f"related:{type(instance).__name__}"
        return qs


class TenantModel(models.Model):
    """Base for every model owned by one institution."""

    institution = models.ForeignKey("r2dr.Institution", on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()
    # Django's internals (FK descriptors, cascades) use the base manager.
    all_objects = models.Manager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    def validate_unique(self, exclude=None):
        with scopes_disabled():
            return super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        with scopes_disabled():
            return super().validate_constraints(exclude=exclude)
