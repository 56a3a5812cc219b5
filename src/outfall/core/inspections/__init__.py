"""Field inspection rules (现场巡查): checking what an inspector records at an outfall on a phone.

Pure Python, no Django (STYLE rule 1): :mod:`.observations` checks the observations, the position
and the finding; :mod:`.quick_tests` turns quick-test values into readings with the monitoring
parsers. Every refusal names the form field it is about (:class:`InspectionErrors`).
"""

from outfall.core.inspections.observations import (
    COLOURS,
    DISCHARGING,
    FLOW_UNITS,
    FOAM,
    MAX_PHOTOS,
    ODOURS,
    CleanInspection,
    Discharging,
    Foam,
    InspectionErrors,
    Odour,
    Problem,
    WaterColour,
    check_inspection,
    distance_m,
)
from outfall.core.inspections.quick_tests import MAX_QUICK_TESTS, parse_quick_tests

__all__ = ["Discharging", "Foam", "Odour", "WaterColour", "COLOURS", "DISCHARGING", "FLOW_UNITS", "FOAM", "MAX_PHOTOS", "MAX_QUICK_TESTS", "ODOURS",
           "CleanInspection", "InspectionErrors", "Problem", "check_inspection", "distance_m", "parse_quick_tests"]
