"""The API router; each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from outfall.ledger.api import OutfallViewSet

router = DefaultRouter()
router.register("outfalls", OutfallViewSet, basename="outfall")

urlpatterns = router.urls
