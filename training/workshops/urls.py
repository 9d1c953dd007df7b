urlpatterns: list = []
institution_urlpatterns: list = []
