"""Water-quality standards: GB 3838-2002 classes and the national evaluation method (环办〔2011〕22号).

Modules, each answering one question:

- ``parameters``  which item is this name, in which unit, to how many decimals (package data
  ``data/parameters.csv``; HJ 212-2017 codes)
- ``values``      what does this cell say (``0.02L``, ``ND``, ``*``, a QC note) and how is it rounded
- ``gb3838``      the class of a value or of an array of values (package data ``data/gb3838_table1.csv``)
- ``evaluation``  the class of a sample, its limiting items, multiples, main pollutants; period means
- ``assessment``  rivers and basins, lakes (TLI), trends
- ``waterbody``   the default water type of a section from its name
- ``cnemc``       the national automatic-station release (CSV conversion and the page itself)
- ``readings_io`` the long readings file of shared/DESIGN.md §3

Pure Python + NumPy (SciPy for the Spearman test); no Django.
"""

from outfall.core.standards.assessment import (
    LakeAssessment,
    RiverAssessment,
    assess_lake,
    assess_proportions,
    assess_river,
    grade_change,
    proportion_status,
    proportion_trend,
    spearman_trend,
    tli,
    trophic_grade,
)
from outfall.core.standards.evaluation import (
    BELOW_DETECTION_FACTOR,
    SampleEvaluation,
    counted_value,
    evaluate_sample,
    exceedance_multiple,
    period_mean,
    stored_value,
)
from outfall.core.standards.gb3838 import (
    EVALUATED,
    REFERENCE,
    classify_array,
    classify_value,
    limit,
    limits_for,
)
from outfall.core.standards.parameters import Parameter, convert, lookup_parameter, registry
from outfall.core.standards.values import ParsedValue, format_value, parse_value, round_report
from outfall.core.standards.waterbody import default_water_type

__all__ = ["BELOW_DETECTION_FACTOR", "EVALUATED", "REFERENCE", "LakeAssessment", "Parameter", "ParsedValue",
           "RiverAssessment", "SampleEvaluation", "assess_lake", "assess_proportions", "assess_river",
           "classify_array", "classify_value", "convert", "counted_value", "stored_value", "default_water_type", "evaluate_sample",
           "exceedance_multiple", "format_value", "grade_change", "limit", "limits_for", "lookup_parameter",
           "parse_value", "period_mean", "proportion_status", "proportion_trend", "registry", "round_report",
           "spearman_trend", "tli", "trophic_grade"]
