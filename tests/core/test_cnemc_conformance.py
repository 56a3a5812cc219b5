"""Conformance with the national automatic-station release (shared/data/cnemc-realtime-2025).

The release does not say which sections are lakes/reservoirs (lake TP column) and which are
rivers, so for every section we look for ONE water type, fixed for the section, under which our
single-factor class of the published (displayed) values equals the published class on every one
of its classified rows. Needs ../shared/data (fails, never skips, when it is missing).
"""

from __future__ import annotations

from collections import defaultdict

from conftest_shared import shared_data

from outfall.core.standards import default_water_type, evaluate_sample
from outfall.core.standards.cnemc import read_release_csv


def test_every_classified_row_reproduces_the_published_class():
    rows = list(read_release_csv(shared_data("cnemc-realtime-2025", "cnemc_realtime_sections.csv").read_bytes()))
    by_section = defaultdict(list)
    for r in rows:
        if r.official_class is not None:
            by_section[(r.province, r.section, r.river)].append(r)
    total = agree = 0
    fitting: dict[tuple, set] = {}
    disagreements = []
    for key, rs in by_section.items():
        scores = {wt: sum(evaluate_sample(r.values, water_type=wt, rounded=True).water_class == r.official_class
                          for r in rs) for wt in ("river", "lake")}
        best = max(scores.values())
        fitting[key] = {wt for wt, n in scores.items() if n == best}
        total += len(rs)
        agree += best
        if best < len(rs):
            wt = sorted(fitting[key])[0]
            for r in rs:
                ev = evaluate_sample(r.values, water_type=wt, rounded=True)
                if ev.water_class != r.official_class:
                    disagreements.append((key, r.time, r.official_class, ev.water_class, ev.limiting))
    print(f"\nconformance: {agree} of {total} classified rows ({100 * agree / total:.2f}%) over "
          f"{len(by_section)} sections")
    for d in disagreements:
        print("  disagreement:", d)
    rule_right = sum(default_water_type(key[1]) in fits for key, fits in fitting.items())
    print(f"default water-type rule on the name: right for {rule_right} of {len(fitting)} sections "
          f"({100 * rule_right / len(fitting):.1f}%)")
    assert total > 9000
    assert agree == total, disagreements[:20]
    assert rule_right / len(fitting) > 0.9
