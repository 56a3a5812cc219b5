"""The API router; each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from outfall.alerts.api import AlertViewSet
from outfall.cases.api import CampaignViewSet, CaseViewSet
from outfall.inspections.api import InspectionViewSet
from outfall.ledger.api import OutfallViewSet
from outfall.monitoring.api import SectionViewSet, push_readings
from outfall.remediation.api import RemediationTaskViewSet
from outfall.rivers.api import navigate_view, report_view
from outfall.traces.api import TaskViewSet, TraceViewSet
from outfall.traces.whatif_api import whatif_view

router = DefaultRouter()
router.register("outfalls", OutfallViewSet, basename="outfall")
router.register("sections", SectionViewSet, basename="section")
router.register("alerts", AlertViewSet, basename="alert")
router.register("traces", TraceViewSet, basename="trace")
router.register("trace-tasks", TaskViewSet, basename="trace-task")
router.register("remediation-tasks", RemediationTaskViewSet, basename="remediation-task")
router.register("cases", CaseViewSet, basename="case")
router.register("case-campaigns", CampaignViewSet, basename="case-campaign")
router.register("inspections", InspectionViewSet, basename="inspection")

urlpatterns = [path("readings/", push_readings, name="readings-push"),
               path("network/navigate/", navigate_view, name="network-navigate"),
               path("network/report/", report_view, name="network-report"),
               path("whatif/", whatif_view, name="whatif"), *router.urls]
