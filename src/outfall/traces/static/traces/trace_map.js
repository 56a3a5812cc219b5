/* The trace map: upstream reaches (blue), the path below the section (grey), the sections in the
   model (diamonds) and the candidate outfalls as circles sized by their share. Leaflet is served by
   the app; a tile layer is drawn only when one is configured. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("map-data").textContent);
  var m = cfg.map || {}, el = document.getElementById("trace-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { preferCanvas: true });
  if (cfg.tileUrl) { L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 18 }).addTo(map); }
  L.control.scale({ imperial: false }).addTo(map);
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  var all = L.featureGroup().addTo(map);
  (m.reaches || []).forEach(function (r) {
    L.polyline(r.coords.map(function (c) { return [c[1], c[0]]; }),
      { color: r.upstream ? "#1f5fa8" : "#999", weight: r.upstream ? 2 : 1.5, opacity: 0.8 })
      .bindTooltip(esc(r.id)).addTo(all);
  });
  (m.sections || []).forEach(function (s) {
    L.marker([s.lat, s.lon], { icon: L.divIcon({ className: "section-icon", iconSize: [14, 14],
      html: '<div style="width:12px;height:12px;transform:rotate(45deg);border:2px solid #333;background:#f2c200"></div>' }) })
      .bindTooltip(esc(s.code + " " + s.name)).addTo(all);
  });
  (m.outfalls || []).forEach(function (o) {
    var share = o.share || 0;
    L.circleMarker([o.lat, o.lon], { radius: 4 + 22 * Math.sqrt(share), color: "#222", weight: 1,
      fillColor: "#c0392b", fillOpacity: 0.35 + 0.5 * Math.min(1, share * 2) })
      .bindTooltip(esc(o.code) + " · " + Math.round(share * 100) + "%").addTo(all);
  });
  if (all.getLayers().length) { map.fitBounds(all.getBounds().pad(0.1)); } else { map.setView([36.9, 120.5], 10); }
  window.traceMap = map;
})();
