"""Facts and synthetic geometry of the Laixi demo (standards.md §7).

Town names are the current 3 街道 + 8 镇 ([1+] in standards.md §7). Codes follow the GB/T 2260
town-level rule (001–099 街道, 100–199 镇) but are illustrative: the official codes were not found.
Centroids are approximate. River lines are synthetic, drawn in flow direction (last vertex
downstream) with the real names; names marked 示意 are not confirmed.
"""

import math

TOWNS = [
    # code, name, kind, centroid (lon, lat)
    ("370285001", "水集街道", "subdistrict", (120.525, 36.885)),
    ("370285002", "望城街道", "subdistrict", (120.470, 36.850)),
    ("370285003", "沽河街道", "subdistrict", (120.395, 36.800)),
    ("370285101", "姜山镇", "town", (120.470, 36.680)),
    ("370285102", "夏格庄镇", "town", (120.330, 36.640)),
    ("370285103", "院上镇", "town", (120.610, 36.950)),
    ("370285104", "日庄镇", "town", (120.470, 37.010)),
    ("370285105", "南墅镇", "town", (120.590, 37.080)),
    ("370285106", "河头店镇", "town", (120.370, 36.990)),
    ("370285107", "店埠镇", "town", (120.580, 36.770)),
    ("370285108", "马连庄镇", "town", (120.330, 37.100)),
]


def nearest_town(lon: float, lat: float) -> str:
    """The code of the demo town whose centroid is nearest to (lon, lat), degrees (lon scaled by cos lat).

    >>> nearest_town(120.52, 36.88)
    '370285001'
    """
    k = math.cos(math.radians(lat))
    return min(TOWNS, key=lambda t: ((t[3][0] - lon) * k) ** 2 + (t[3][1] - lat) ** 2)[0]


#: Demo river reaches: id, name, kind, to_id, velocity (m/s), flow (m³/s), coordinates (lon, lat).
REACHES = [
    ("DGH-01", "大沽河", "river", "CZSK", 0.35, 4.0, [(120.420, 37.150), (120.425, 37.110), (120.430, 37.060),
                                                     (120.438, 37.020), (120.440, 36.995)]),
    ("NSH-01", "南墅河(示意)", "river", "DGH-01", 0.25, 0.8, [(120.640, 37.110), (120.590, 37.085),
                                                          (120.520, 37.070), (120.431, 37.060)]),
    ("CZSK", "产芝水库", "reservoir", "DGH-02", 0.01, 5.5, [(120.440, 36.995), (120.445, 36.975),
                                                        (120.438, 36.955)]),
    ("DGH-02", "大沽河", "river", "DGH-03", 0.35, 6.0, [(120.438, 36.955), (120.430, 36.920), (120.415, 36.880),
                                                     (120.400, 36.840)]),
    ("ZH-01", "洙河(示意)", "river", "DGH-03", 0.25, 1.2, [(120.620, 36.930), (120.560, 36.900), (120.520, 36.885),
                                                       (120.460, 36.860), (120.400, 36.840)]),
    ("DGH-03", "大沽河", "river", "DGH-04", 0.4, 8.0, [(120.400, 36.840), (120.385, 36.780), (120.360, 36.700),
                                                    (120.330, 36.630), (120.310, 36.580)]),
    ("XGH-01", "小沽河", "river", "DGH-04", 0.3, 3.0, [(120.250, 37.110), (120.240, 37.000), (120.238, 36.900),
                                                    (120.250, 36.780), (120.270, 36.680), (120.310, 36.580)]),
    ("DGH-04", "大沽河", "river", "DGH-05", 0.4, 11.5, [(120.310, 36.580), (120.305, 36.545), (120.300, 36.510)]),
    ("WGH-01", "五沽河", "river", "DGH-05", 0.3, 2.0, [(120.600, 36.740), (120.530, 36.690), (120.460, 36.620),
                                                    (120.380, 36.550), (120.300, 36.510)]),
    ("DGH-05", "大沽河", "river", None, 0.4, 13.8, [(120.300, 36.510), (120.295, 36.470), (120.290, 36.420)]),
]


def rivers_geojson() -> dict:
    """The demo reaches as a rivers file (shared/DESIGN.md §3: id, name, to_id, kind, velocity, flow)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature",
             "properties": {"id": rid, "name": name, "kind": kind, "to_id": to, "velocity_m_s": u, "flow_m3_s": q},
             "geometry": {"type": "LineString", "coordinates": [list(p) for p in coords]}}
            for rid, name, kind, to, u, q, coords in REACHES
        ],
    }

#: Demo monitoring sections: code, name, level, water type, target, river, (lon, lat), automatic station.
#: 马连庄 is a real national automatic station on the 大沽河 (shared/data/cnemc-realtime-2025); the
#: others are illustrative (示意) and their codes are made up.
SECTIONS = [
    ("370285S01", "马连庄", "national", "river", "II", "大沽河", (120.4235, 37.1200), True),
    ("370285S02", "产芝水库", "provincial", "lake", "III", "产芝水库", (120.4430, 36.9760), True),
    ("370285S03", "洙河入大沽河口(示意)", "municipal", "river", "IV", "洙河", (120.4100, 36.8440), True),
    ("370285S04", "大沽河沽河桥(示意)", "municipal", "river", "III", "大沽河", (120.3840, 36.7760), True),
    ("370285S05", "小沽河入大沽河口(示意)", "municipal", "river", "IV", "小沽河", (120.3000, 36.6000), False),
    ("370285S06", "五沽河入大沽河口(示意)", "municipal", "river", "IV", "五沽河", (120.3150, 36.5170), True),
    ("370285S07", "大沽河出境(示意)", "provincial", "river", "III", "大沽河", (120.2930, 36.4350), True),
]
