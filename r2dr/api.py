"""API v1 of the platform core. Apps add `api_urlpatterns` in their urls.py,
mounted under /api/v1/; every API view declares its scope like any view."""

from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from r2dr import permissions as scope
from r2dr.models import Institution
from r2dr.selectors import institutions_in_service


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["slug", "name", "short_name", "country", "country_code", "subregion", "languages", "time_zone"]


@scope.public
class InstitutionList(generics.ListAPIView):
    """The member institutions (public directory data only)."""

    serializer_class = InstitutionSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        return institutions_in_service().order_by("country", "name")
