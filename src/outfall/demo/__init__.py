"""The Laixi (莱西市) demo: towns, users of every role, rivers, outfalls, sections and readings.

``load_demo()`` runs each step in ``DEMO_STEPS`` (dotted paths, in order); an app adds its own
step. Everything it makes is marked as demo data. Geometry is synthetic (rivers named after the
real ones, drawn plausibly within the city's extent), never a survey.
"""
