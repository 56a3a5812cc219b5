"""Traces (溯源): stored traces of an exceedance to its candidate outfalls, and the verification
tasks (核查任务) that check them on site."""
