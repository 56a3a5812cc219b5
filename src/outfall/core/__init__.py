"""The pure domain core: standards, codes, coordinates, river network, tracing, warning rules.

Nothing in this package imports Django, DRF or another ``outfall`` app (a test enforces it).
Functions take and return plain values, dataclasses and NumPy arrays.
"""
