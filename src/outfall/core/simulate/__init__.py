"""A forward water-quality model on the river network (advection, mixing, splits, decay, dispersion,
noise, reporting precision): scenarios for tracing tests and benchmarks, and what-if predictions."""

from outfall.core.simulate.model import (
                                         DEFAULT_DECAY_PER_DAY,
                                         Point,
                                         Pulse,
                                         Source,
                                         Steady,
                                         decay_rate,
                                         delivered_loads,
                                         pulse_shape,
                                         simulate,
)
from outfall.core.simulate.paths import FLOW_SOURCE, Path, inflow_from_upstream, paths_between, reach_flows

__all__ = ["DEFAULT_DECAY_PER_DAY", "FLOW_SOURCE", "Path", "Point", "Pulse", "Source", "Steady", "decay_rate",
           "delivered_loads", "inflow_from_upstream", "paths_between", "pulse_shape", "reach_flows", "simulate"]
