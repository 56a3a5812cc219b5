"""Period means from database sums: :func:`period_mean` when the readings were added up by the
database (one aggregate row per site, item and period) instead of read one by one.

环办〔2011〕22号 §2.2: the arithmetic mean of the period; a value below detection counts as
``BELOW_DETECTION_FACTOR`` × its detection limit; when every value is below detection the mean is
below detection at the largest limit. The database gives, per group, the count and sum of measured
values and the count, sum and maximum of the detection limits of the values below detection.
"""

from __future__ import annotations

from outfall.core.standards.evaluation import BELOW_DETECTION_FACTOR
from outfall.core.standards.values import ParsedValue

__all__ = ["mean_of_sums"]


def mean_of_sums(n_measured: int, sum_measured: float | None, n_censored: int, sum_limits: float | None,
                 max_limit: float | None, *, below_detection_factor: float = BELOW_DETECTION_FACTOR) -> ParsedValue:
    """The period mean (same result as :func:`outfall.core.standards.period_mean` on the same values).

    Parameters
    ----------
    n_measured, sum_measured : int, float
        Count and sum of the measured values (registry unit, e.g. mg/L).
    n_censored, sum_limits, max_limit : int, float, float
        Count, sum and largest detection limit of the values below detection that state a limit.

    Returns
    -------
    ParsedValue
        The mean; below detection at ``max_limit`` when nothing was measured; missing when empty.

    Examples
    --------
    (0.02/2 + 0.05) / 2 = 0.03, as ``period_mean(["0.02L", 0.05])``; two values below 0.02 and 0.01 →
    "0.02L".

    >>> round(mean_of_sums(1, 0.05, 1, 0.02, 0.02).value, 6), mean_of_sums(0, None, 2, 0.03, 0.02).raw
    (0.03, '0.02L')
    >>> mean_of_sums(0, None, 0, None, None).missing
    True
    """
    n_measured, n_censored = int(n_measured or 0), int(n_censored or 0)
    if n_measured == 0:
        if n_censored == 0 or max_limit is None:
            return ParsedValue(None, "missing")
        return ParsedValue(None, "<", max_limit, f"{max_limit!r}L")
    total = float(sum_measured or 0.0) + below_detection_factor * float(sum_limits or 0.0)
    return ParsedValue(total / (n_measured + n_censored))
