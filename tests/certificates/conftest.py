import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Issued PDFs go to a directory of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.R2DR_SITE_URL = "https://r2dr.example.org"
