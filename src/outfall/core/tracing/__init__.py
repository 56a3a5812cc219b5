"""Source tracing (溯源): which outfalls upstream of a section can explain an exceedance, ranked, with
their shares, the groups the data cannot split, and every score decomposed into its evidence."""

from outfall.core.tracing.candidates import Candidates, OutfallIndex, OutfallSite, SectionSite
from outfall.core.tracing.result import CandidateResult, Evidence, TraceResult
from outfall.core.tracing.sampling import SamplePoint
from outfall.core.tracing.trace import trace

__all__ = ["CandidateResult", "Candidates", "Evidence", "OutfallIndex", "OutfallSite", "SamplePoint", "SectionSite",
           "TraceResult",
           "trace"]
