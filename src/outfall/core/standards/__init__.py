"""Water-quality standards: GB 3838-2002 classes and the national evaluation method (环办〔2011〕22号).

The facts (Table 1, the parameter registry) ship as package data in ``data/``.
"""

from outfall.core.standards.assessment import assess_river, grade_change, proportion_trend, tli, trophic_grade
from outfall.core.standards.evaluation import (
           SampleEvaluation,
           evaluate_sample,
           exceedance_multiple,
           period_mean,
)
from outfall.core.standards.gb3838 import EVALUATED, classify_array, classify_value, limit
from outfall.core.standards.parameters import Parameter, convert, lookup_parameter, registry
from outfall.core.standards.values import ParsedValue, format_value, parse_value, round_report
from outfall.core.standards.waterbody import default_water_type

__all__ = ["EVALUATED", "Parameter", "ParsedValue", "SampleEvaluation", "assess_river", "classify_array",
           "classify_value", "convert", "default_water_type", "evaluate_sample", "exceedance_multiple",
           "format_value", "grade_change", "limit", "lookup_parameter", "parse_value", "period_mean",
           "proportion_trend", "registry", "round_report", "tli", "trophic_grade"]
