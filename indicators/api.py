"""API v1 of the indicators app (read-only): the published framework, and a cycle's values for its staff."""

from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

from indicators import selectors
from indicators.models import Cycle, Indicator, Source, Value
from r2dr import permissions as scope
from r2dr.roles import INDICATOR_STAFF


class IndicatorSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="attribute.area.code")
    attribute = serializers.CharField(source="attribute.code")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "area",
            "attribute",
            "type",
            "title",
            "definition",
            "rationale",
            "computation_method",
            "value_type",
            "categories",
            "guidance",
            "data_sources",
            "disaggregation",
            "declaration_articles",
            "treaty_articles",
            "sdg_targets",
            "rating_rule",
            "rating_note",
            "computation",
        ]


@scope.public
class FrameworkIndicatorList(generics.ListAPIView):
    """Indicators of the latest published framework version."""

    serializer_class = IndicatorSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Indicator.objects.none()
        version = selectors.published_version()
        if version is None:
            return Indicator.objects.none()
        return (
            Indicator.objects.filter(version=version, is_retired=False)
            .select_related("attribute__area")
            .order_by("order", "code")
        )


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["kind", "citation", "url", "date"]


class ValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    area = serializers.CharField(source="cycle_area.area.code")
    sources = serializers.SerializerMethodField()

    class Meta:
        model = Value
        fields = [
            "indicator",
            "area",
            "answer",
            "narrative",
            "confidence",
            "disaggregation",
            "justification",
            "computed_value",
            "updated_at",
            "sources",
        ]

    @extend_schema_field(SourceSerializer(many=True))
    def get_sources(self, obj):
        # Confidential sources never leave the platform through the API either.
        return SourceSerializer([s for s in obj.sources.all() if not s.confidential], many=True).data


@scope.institution(*INDICATOR_STAFF)
class CycleValueList(generics.ListAPIView):
    serializer_class = ValueSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no tenant, no query
            return Value.objects.none()
        institution = self.request.institution
        try:
            cycle = selectors.cycle_get(institution=institution, cycle_id=self.kwargs["cycle_id"])
        except Cycle.DoesNotExist:
            raise Http404
        return (
            Value.objects.for_institution(institution)
            .filter(cycle=cycle)
            .select_related("indicator", "cycle_area__area")
            .prefetch_related("sources")
            .order_by("indicator__order", "indicator__code")
        )
