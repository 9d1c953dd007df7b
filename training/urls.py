"""URLs of this app: `urlpatterns` at the top level, `institution_urlpatterns`
under /<institution-slug>/ (wired in r2dr/urls.py)."""

urlpatterns = []
institution_urlpatterns = []
