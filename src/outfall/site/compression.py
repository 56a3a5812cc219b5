"""gzip for data responses only: JSON, GeoJSON, CSV and KML (the API, the map layers, navigation,
exports). HTML pages are never compressed: they carry the CSRF token, and compressing a secret
next to text an attacker can reflect leaks it byte by byte (BREACH). Static files are served
pre-compressed by WhiteNoise."""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware

#: Content types (without parameters) that are compressed when the client accepts gzip.
COMPRESSED_TYPES = frozenset({"application/json", "application/geo+json", "application/vnd.geo+json", "text/csv",
                              "application/vnd.google-earth.kml+xml", "application/vnd.oai.openapi+json"})


class DataGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, restricted to :data:`COMPRESSED_TYPES`."""

    def process_response(self, request, response):
        ctype = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if ctype not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
