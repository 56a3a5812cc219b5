"""outfall: river outfall ledger, one map, exceedance warning and upstream source tracing."""

__version__ = "0.1.0"
