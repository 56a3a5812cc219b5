"""The map's viewport parameters: box, zoom and filters from a query string (outfall.core.viewport)."""

import pytest

from outfall.core.errors import InputError
from outfall.core.viewport import cell_deg, etag_of, parse_viewport, tolerance_deg


def test_defaults_and_clamping():
    v = parse_viewport({})
    assert v.bbox is None and v.zoom == 10 and v.filters == {}
    v = parse_viewport({"bbox": "-200,-95,200,95", "z": "40", "type": " 农业排口 ", "status": "", "bogus": "x"})
    assert v.bbox == (-180.0, -90.0, 180.0, 90.0) and v.zoom == 22 and v.filters == {"type": "农业排口"}
    assert parse_viewport({"z": "-3"}).zoom == 0


@pytest.mark.parametrize("bbox", ["1,2,3", "1,2,3,4,5", "a,2,3,4", "inf,2,3,4", "3,2,1,4", "1,4,3,2"])
def test_bad_boxes_name_the_parameter(bbox):
    with pytest.raises(InputError, match="bbox"):
        parse_viewport({"bbox": bbox})


def test_pixel_sizes_halve_per_zoom():
    assert tolerance_deg(0) == 360 / 256  # the whole world on one 256-px tile
    assert tolerance_deg(11) == tolerance_deg(10) / 2
    assert cell_deg(12, pixels=10) == 10 * tolerance_deg(12)


def test_keys_and_etags_follow_what_was_asked():
    a = parse_viewport({"bbox": "120,36,121,37", "z": "12", "town": "3"})
    b = parse_viewport({"bbox": "120,36,121,37", "z": "12", "town": "4"})
    assert a.key() != b.key() and a.key() == parse_viewport({"town": "3", "z": "12", "bbox": "120,36,121,37"}).key()
    assert etag_of("x", 1) == etag_of("x", 1) != etag_of("x", 2)
    assert etag_of("x").startswith('"') and etag_of("x").endswith('"')
