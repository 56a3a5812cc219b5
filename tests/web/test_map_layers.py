"""Map layers are GeoJSON of what the user may see; the page needs a login."""

from django.test import TestCase

from factories import make_outfall, make_towns, make_users


class MapLayerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.o = make_outfall(cls.town_a, cls.users["admin"])

    def test_layers(self):
        assert self.client.get("/map/layers/outfalls.geojson").status_code == 302
        self.client.force_login(self.users["viewer"])
        fc = self.client.get("/map/layers/outfalls.geojson").json()
        assert fc["features"][0]["properties"]["code"] == self.o.code
        assert fc["features"][0]["geometry"]["coordinates"] == [self.o.lon, self.o.lat]
        fc = self.client.get("/map/layers/outfalls.geojson", {"town": self.town_b.pk}).json()
        assert fc["features"] == []
        towns = self.client.get("/map/layers/towns.geojson").json()
        assert [f["properties"]["name"] for f in towns["features"]] == ["水集街道"]
        assert self.client.get("/map/layers/nothing.geojson").status_code == 404
        body = self.client.get("/map/").content.decode()
        assert "vendor/leaflet/leaflet.js" in body and "http" not in body.split("map-config")[1].split("</script>")[0]
