"""The river network: reaches in flow direction, their topology, an O(1) "is upstream" index,
navigation (UT, UM, DM, DD) with distance and travel-time limits, and snapping of points.

::

    outlet ◄── r0 ◄── r1 ◄── r3        main-path tree rooted at the outlet, pointing upstream
                 ▲      ▲
                 │      └── r4         pre-order:  r0=0 r1=1 r3=2 r4=3 r2=4
                 └── r2                size:       r0=5 r1=3 r3=1 r4=1 r2=1

    r3 is upstream of r1  ⇔  pre[r1] ≤ pre[r3] < pre[r1] + size[r1]   (1 ≤ 2 < 4)
    upstream set of r1    =  order[pre[r1] : pre[r1] + size[r1]]      ([r1, r3, r4])

Divergences (a reach with two downstream reaches) keep one main downstream in the tree; the minor
ones are an exception list that ``upstream_intervals`` adds exactly (a few extra intervals).
Navigation (``navigate``) reads distances and times off the labels D and T and orders a subtree by
a precomputed global order of D; ``store`` keeps the index as bytes so it is built once per import.
"""

from outfall.core.network.graph import Network, build_network
from outfall.core.network.io import ReachInput, reaches_from_geojson, read_reaches
from outfall.core.network.navigate import NavResult, NavStep, navigate, navigate_arrays
from outfall.core.network.snapping import SnapResult, snap_points
from outfall.core.network.validate import Issue, ValidationReport, validate

__all__ = ["Issue", "NavResult", "NavStep", "Network", "ReachInput", "SnapResult", "ValidationReport",
           "build_network", "navigate", "navigate_arrays", "reaches_from_geojson", "read_reaches", "snap_points",
           "validate"]
