"""Conformance with the national automatic-station release (shared/data/cnemc-realtime-2025).

The release publishes, for ~1,700 sections, the displayed (rounded) value of each item, the raw value
and the class it assigns. It does not say which sections are lakes or reservoirs (lake TP column),
so for every section (province + name) we look for ONE water type, fixed for the section, under which
our single-factor class of the published values (pH, DO, CODMn, NH₃-N, TP; TN and the rest are not
used) equals the published class on every one of its classified rows. Then: the raw values rounded
half to even to the page's precision give the same classes; the displayed values are exactly those
rounded raw values; the page parser reads what the CSV holds; and the default water-type rule is
measured against the water types found. Needs ../shared/data or OUTFALL_SHARED_DATA (skips when missing; fails in CI).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from conftest_shared import shared_data

from outfall.core.standards import default_water_type, evaluate_sample, round_report
from outfall.core.standards.cnemc import RELEASE_DECIMALS, RELEASE_ITEMS, read_release_csv, read_release_html

TYPES = ("river", "lake")


@dataclass
class Fit:
    sections: dict[tuple, list] = field(default_factory=dict)  # (province, name) → classified rows
    fitting: dict[tuple, set] = field(default_factory=dict)  # water types reproducing every row
    chosen: dict[tuple, str] = field(default_factory=dict)
    disagreements: list[tuple] = field(default_factory=list)  # (section, time, published, ours, reason)
    total: int = 0
    agree: int = 0


@pytest.fixture(scope="module")
def rows():
    return read_release_csv(shared_data("cnemc-realtime-2025", "cnemc_realtime_sections.csv").read_bytes())


def _published(r) -> dict:
    return {k: v for k, v in r.values.items() if k in RELEASE_ITEMS}


def _explain(r, wt: str, fitting: set) -> str:
    """Why our class differs from the published one, in words (every disagreement must have a reason)."""
    ours = evaluate_sample(_published(r), water_type=wt, rounded=True)
    if ours.water_class is None:
        return "no evaluated item shown, yet a class is published"
    other = evaluate_sample(_published(r), water_type="lake" if wt == "river" else "river", rounded=True)
    if other.water_class == r.official_class:
        return "the section fits neither water type on all rows (river on some, lake on others)"
    if "PH" in ours.limiting and r.layout == "2025":
        return "pH shown as an integer on the 2025 page; class set by pH"
    return f"unexplained: {ours.water_class.value} by {ours.limiting}"


@pytest.fixture(scope="module")
def fit(rows) -> Fit:
    f = Fit()
    by = defaultdict(list)
    for r in rows:
        if r.official_class is not None:
            by[(r.province, r.section)].append(r)
    f.sections = dict(by)
    for key, rs in by.items():
        scores = {wt: sum(evaluate_sample(_published(r), water_type=wt, rounded=True).water_class == r.official_class
                          for r in rs) for wt in TYPES}
        best = max(scores.values())
        f.fitting[key] = {wt for wt in TYPES if scores[wt] == len(rs)}
        f.chosen[key] = max(TYPES, key=lambda wt: (scores[wt], wt == default_water_type(key[1])))
        f.total += len(rs)
        f.agree += best
        for r in rs:
            ev = evaluate_sample(_published(r), water_type=f.chosen[key], rounded=True)
            if ev.water_class != r.official_class:
                f.disagreements.append((key, r.time, r.official_class.value,
                                        ev.water_class.value if ev.water_class else None,
                                        _explain(r, f.chosen[key], f.fitting[key])))
    return f


def test_every_classified_row_reproduces_the_published_class(fit, rows):
    share = fit.agree / fit.total
    kinds = Counter(tuple(sorted(v)) for v in fit.fitting.values())
    print(f"\nconformance: {fit.agree} of {fit.total} classified rows ({100 * share:.2f} %) over "
          f"{len(fit.sections)} sections, one water type per section")
    print(f"  sections fitted by river only {kinds[('river',)]}, lake only {kinds[('lake',)]}, "
          f"either {kinds[('lake', 'river')]}, neither {kinds[()]}")
    unclassified = [r for r in rows if r.official_class is None and any(k in r.values for k in RELEASE_ITEMS)]
    print(f"  rows with values but no published class (not counted): {len(unclassified)}, station status "
          f"{dict(Counter(r.station_status or '(2026 layout)' for r in unclassified))}")
    for d in fit.disagreements:
        print("  disagreement:", d)
    assert fit.total > 9700 and len(fit.sections) > 1700
    assert [d for d in fit.disagreements if d[4].startswith("unexplained")] == []
    assert share == 1.0  # reached: 9742 of 9742


def test_raw_values_rounded_half_even_at_the_page_precision_give_the_same_classes(fit):
    # Classified from the raw tooltip values, rounded to the precision of the page layout they came from.
    agree = unrounded = other_precision = 0
    for key, rs in fit.sections.items():
        wt = fit.chosen[key]
        for r in rs:
            raw = {k: v for k, v in r.raw.items() if k in RELEASE_ITEMS}
            cls = evaluate_sample(raw, water_type=wt, decimals=RELEASE_DECIMALS[r.layout]).water_class
            agree += cls == r.official_class
            unrounded += evaluate_sample(raw, water_type=wt, rounded=True).water_class != r.official_class
            other = RELEASE_DECIMALS["2026" if r.layout == "2025" else "2025"]
            other_precision += evaluate_sample(raw, water_type=wt, decimals=other).water_class != r.official_class
    print(f"\nraw values at the page precision: {agree} of {fit.total}; unrounded raw values would miss "
          f"{unrounded} rows, the other layout's precision {other_precision}")
    assert agree == fit.total
    assert unrounded > 100 and other_precision > 50  # the rounding rule is what makes the difference


def _shown(raw: float, d: int) -> float:
    """What the page shows for a raw value: rounded half to even to d decimals, except that a value
    that would show as 0 is shown to one significant figure (TURB 0.0163 → 0.02, chl-a 0.00043 → 0.0004)."""
    v = round_report(raw, d)
    if v == 0 and raw != 0:
        v = round_report(raw, -math.floor(math.log10(abs(raw))))
    return v


def test_displayed_values_are_the_raw_values_rounded_half_to_even(rows):
    cells = half_up_misses = 0
    wrong, chla = [], []
    for r in rows:
        for code, shown in r.values.items():
            raw = r.raw.get(code)
            if raw is None:
                continue
            d = RELEASE_DECIMALS[r.layout][code]
            cells += 1
            if _shown(raw.value, d) != shown.value:
                (chla if code == "CHLA" else wrong).append((r.section, code, raw.raw, shown.raw))
            up = float(Decimal(raw.raw).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))
            half_up_misses += up != shown.value and code in RELEASE_ITEMS
    print(f"\ndisplayed = round_half_even(raw) on {cells - len(wrong) - len(chla)} of {cells} cells; half-up "
          f"rounding would miss {half_up_misses} cells of the classified items; chl-a shown with 2 decimals "
          f"instead of 3 in {len(chla)} cells: {chla}")
    assert cells > 90_000 and wrong == [] and half_up_misses > 1000
    assert len(chla) <= 4  # 泄洪1闸 and 南盘江三江口; chl-a is not used for the class


@pytest.mark.parametrize("name,captured,n", [
    ("snapshot_20251118T193233_national.html.gz", dt.datetime(2025, 11, 18, 19, 32, 33), 1770),
    ("snapshot_20260208T125851_partial.html.gz", dt.datetime(2026, 2, 8, 12, 58, 51), 28),
])
def test_the_page_parser_reads_what_the_csv_conversion_holds(rows, name, captured, n):
    # The CSV kept one copy of rows repeated across snapshots, so every page row must be one of its rows.
    def key(r):
        return (r.province, r.basin, r.section, r.city, r.river, r.time, r.official_class, r.station_status,
                tuple(sorted((k, v.raw) for k, v in r.values.items())),
                tuple(sorted((k, v.raw) for k, v in r.raw.items())), tuple(sorted(r.notes.items())))

    page = read_release_html(shared_data("cnemc-realtime-2025", name).read_bytes(),
                             captured=captured.replace(tzinfo=ZoneInfo("Asia/Shanghai")))
    known = {key(r) for r in rows}
    assert len(page) == n and [r.section for r in page if key(r) not in known] == []


def test_default_water_type_rule_against_the_fitted_types(fit, rows):
    body = {(r.province, r.section): r.river for r in rows if r.river}
    determined = {k: next(iter(v)) for k, v in fit.fitting.items() if len(v) == 1}
    by_name = sum(default_water_type(k[1]) == wt for k, wt in determined.items())
    by_body = sum(default_water_type(k[1], water_body=body.get(k)) == wt for k, wt in determined.items())
    fits_all = sum(default_water_type(k[1], water_body=body.get(k)) in v for k, v in fit.fitting.items())
    print(f"\ndefault water type, on the {len(determined)} sections whose published classes admit one type: "
          f"section name alone right for {by_name} ({100 * by_name / len(determined):.1f} %), name + water body "
          f"for {by_body} ({100 * by_body / len(determined):.1f} %); on all {len(fit.fitting)} sections the rule "
          f"gives a fitting type for {fits_all}")
    for k, wt in determined.items():
        if default_water_type(k[1], water_body=body.get(k)) != wt:
            print(f"  rule says {default_water_type(k[1], water_body=body.get(k))}, release needs {wt}: {k} "
                  f"on {body.get(k)}")
    assert by_name / len(determined) > 0.95
    assert by_body / len(determined) > 0.998
