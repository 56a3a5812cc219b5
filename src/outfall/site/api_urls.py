"""The API router; each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from django.urls import path

from outfall.ledger.api import OutfallViewSet
from outfall.monitoring.api import SectionViewSet, push_readings

router = DefaultRouter()
router.register("outfalls", OutfallViewSet, basename="outfall")
router.register("sections", SectionViewSet, basename="section")

urlpatterns = [path("readings/", push_readings, name="readings-push"), *router.urls]
