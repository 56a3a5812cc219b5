"""The answer of a trace: ranked candidates with decomposed evidence, serialised as the
``outfall trace --format json`` object of shared/DESIGN.md §3."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Evidence", "CandidateResult", "TraceResult"]


def _r(v, nd=4):
    return None if v is None else round(float(v), nd)


@dataclass(frozen=True)
class Evidence:
    """Why a candidate ranks where it does. Factors multiply into ``prior``; the data give ``fit_share``.

    path: reach ids from the outfall's reach to the section's reach (main path); distance_km, travel_time_h:
    shortest path; delivery: Σ f·exp(−kτ) (fraction of its load that arrives); load_feasibility:
    min(1, capacity/required) or None (unknown discharge; the capacity of a type without a row for the
    parameter is bounded by the strongest effluent in the table, ``priors.upper_raw``); data: own-readings factor and reason;
    type: type factor and reason; history: 1 + 0.1·violations; fit_likelihood: inside its
    group, exp(−ΔSSE/2σ²) of its own response against the best member's (splits the group's share); expected_contribution_mg_l: q·c_typical·
    delivery/(Q + f·q) (steady, before the event, the outfall alone mixed into the river flow Q; None when
    unknown); load_ratio: fitted load / q·c_typical;
    alone_likelihood: exp(−Δχ²/2) of this outfall alone as one pulse (any release time within a day of the
    event's) against the best candidate alone, over all readings (the mean of that under a relative and
    under a flat reading error); alone_load_g_s: the load (g/s) it alone
    would have to release (what load_feasibility compares with q·c_raw·RAW_RANGE).
    """

    path: list[str]
    distance_km: float
    travel_time_h: float
    delivery: float
    load_feasibility: float | None
    data: float
    data_reason: str
    type: float
    type_reason: str
    history: float
    fit_likelihood: float
    prior: float
    fit_share: float
    share_sd: float
    expected_contribution_mg_l: float | None
    load_ratio: float | None
    alone_likelihood: float = 1.0
    alone_load_g_s: float | None = None

    def as_dict(self) -> dict:
        return {"path": self.path, "distance_km": _r(self.distance_km), "travel_time_h": _r(self.travel_time_h),
                "delivery": _r(self.delivery), "load_feasibility": _r(self.load_feasibility),
                "data": _r(self.data), "data_reason": self.data_reason, "type": _r(self.type),
                "type_reason": self.type_reason, "history": _r(self.history),
                "fit_likelihood": _r(self.fit_likelihood), "prior": _r(self.prior),
                "fit_share": _r(self.fit_share), "share_sd": _r(self.share_sd),
                "expected_contribution_mg_l": _r(self.expected_contribution_mg_l, 6),
                "load_ratio": _r(self.load_ratio, 3), "alone_likelihood": _r(self.alone_likelihood),
                "alone_load_g_s": _r(self.alone_load_g_s, 6)}


@dataclass(frozen=True)
class CandidateResult:
    outfall: str
    score: float
    share: float
    distance_km: float
    travel_time_h: float
    estimated_contribution_mg_l: float
    group: int
    evidence: Evidence

    def as_dict(self) -> dict:
        return {"outfall": self.outfall, "score": _r(self.score), "share": _r(self.share),
                "distance_km": _r(self.distance_km), "travel_time_h": _r(self.travel_time_h),
                "estimated_contribution_mg_l": _r(self.estimated_contribution_mg_l, 6),
                "evidence": self.evidence.as_dict(), "group": self.group}


@dataclass(frozen=True)
class TraceResult:
    """Candidates best first; ``unexplained_share`` (background, diffuse, unknown) = 1 − Σ shares.
    ``notes``: defaults used and anything the caller should tell the user (Chinese first).
    ``sample_next``: where to sample to split the first groups of several members (``sampling``)."""

    section: str
    parameter: str
    at: str | float
    observed: float
    limit: float | None
    candidates: list[CandidateResult]
    unexplained_share: float
    background_mg_l: float = 0.0
    notes: list[str] = field(default_factory=list)
    sample_next: list | None = None  # list[sampling.SamplePoint]; None when not asked for

    def as_dict(self, *, with_notes: bool = False) -> dict:
        d = {"section": self.section, "parameter": self.parameter, "at": self.at, "observed": _r(self.observed, 6),
             "limit": self.limit, "candidates": [c.as_dict() for c in self.candidates],
             "unexplained_share": _r(self.unexplained_share)}
        if self.sample_next is not None:
            d["sample_next"] = [p.as_dict() for p in self.sample_next]
        if with_notes:
            d["notes"] = list(self.notes)
        return d

    def rank_of(self, outfall: str) -> int | None:
        """1-based rank of an outfall, or None when it is not a candidate."""
        for n, c in enumerate(self.candidates, 1):
            if c.outfall == outfall:
                return n
        return None

    def group_of(self, outfall: str) -> list[str]:
        g = next((c.group for c in self.candidates if c.outfall == outfall), None)
        return [c.outfall for c in self.candidates if c.group == g] if g is not None else []
