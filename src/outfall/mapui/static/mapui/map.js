/* The one map: layers from /map/layers/<name>.geojson, drawn with the Leaflet the app serves. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var b = cfg.bbox; // west, south, east, north
  var map = L.map("map", { preferCanvas: true }).fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 18 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  var info = document.getElementById("map-info");
  var overlays = {};
  window.outfallMap = { map: map, overlays: overlays, config: cfg };

  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }

  function show(props, title) {
    var rows = Object.keys(props).filter(function (k) { return k !== "colour" && k !== "url"; })
      .map(function (k) { return "<tr><th>" + esc(k) + "</th><td>" + esc(props[k]) + "</td></tr>"; }).join("");
    info.innerHTML = "<h2>" + esc(title) + "</h2>" + (props.url ? '<p><a href="' + esc(props.url) + '">详情 / details</a></p>' : "") +
      "<table>" + rows + "</table>";
  }

  var styles = {
    outfalls: function (f, latlng) {
      var p = f.properties;
      var faded = ["banned", "merged", "cancelled", "remediated"].indexOf(p.status) >= 0;
      return L.circleMarker(latlng, { radius: 5, color: "#222", weight: 1, fillColor: p.colour,
        fillOpacity: faded ? 0.35 : 0.9 });
    },
    sections: function (f, latlng) {
      var p = f.properties;
      return L.marker(latlng, { icon: L.divIcon({ className: "section-icon",
        html: '<div style="width:14px;height:14px;transform:rotate(45deg);border:2px solid ' +
          (p.compliant === false ? "#c00" : "#333") + ';background:' + (p.colour || "#999") + '"></div>',
        iconSize: [16, 16] }) });
    },
    towns: function (f, latlng) {
      return L.marker(latlng, { icon: L.divIcon({ className: "town-label", html: esc(f.properties.name),
        iconSize: [70, 16] }), interactive: false });
    }
  };

  // Flow direction: an arrowhead at the middle of each reach, pointing downstream (last vertex).
  function addFlowArrows(fc, group) {
    fc.features.forEach(function (f) {
      var c = f.geometry && f.geometry.coordinates;
      if (!c || c.length < 2) { return; }
      var k = Math.floor((c.length - 1) / 2), a = c[k], b = c[k + 1];
      var mid = [(a[1] + b[1]) / 2, (a[0] + b[0]) / 2];
      var ang = Math.atan2(b[0] - a[0], b[1] - a[1]) * 180 / Math.PI; // bearing, 0 = north
      group.addLayer(L.marker(mid, { interactive: false, icon: L.divIcon({ className: "flow-arrow",
        html: '<div style="transform:rotate(' + ang + 'deg);color:#1f5fa8;font-size:14px;line-height:14px">▲</div>',
        iconSize: [14, 14] }) }));
    });
  }

  function load(layer) {
    return fetch("layers/" + layer.name + ".geojson", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        var gj = L.geoJSON(fc, {
          pointToLayer: styles[layer.name] || undefined,
          style: function (f) {
            var p = f.properties || {};
            if (layer.name === "rivers") {
              return { color: p.colour || "#2b7bd6", weight: p.kind === "river" ? 3 : 6, opacity: 0.85 };
            }
            if (layer.name === "towns") {
              return { color: "#777", weight: 1, fillOpacity: 0.03, dashArray: "4 3" };
            }
            return {};
          },
          onEachFeature: function (f, l) {
            l.on("click", function () { show(f.properties, f.properties.name || f.properties.code); });
            if (layer.name === "towns" && f.geometry && f.geometry.type !== "Point") {
              // a town boundary: its name at the centre, always shown
              l.bindTooltip(esc(f.properties.name), { permanent: true, direction: "center", className: "town-label" });
            }
            if (f.properties && (f.properties.name || f.properties.code) && layer.name !== "towns") {
              l.bindTooltip(esc((f.properties.code || "") + " " + (f.properties.name || "")));
            }
          }
        });
        if (layer.name === "rivers") { addFlowArrows(fc, gj); }
        overlays[layer.name] = gj.addTo(map);
        document.dispatchEvent(new CustomEvent("outfall:layer", { detail: { name: layer.name, layer: gj } }));
        return gj;
      });
  }

  var toggles = document.getElementById("layer-toggles");
  cfg.layers.forEach(function (layer) {
    var id = "toggle-" + layer.name;
    var row = document.createElement("label");
    row.className = "legend-item";
    row.innerHTML = '<input type="checkbox" checked id="' + id + '"> ' + esc(layer.label) + " / " + esc(layer.label_en);
    toggles.appendChild(row);
    load(layer).then(function (gj) {
      document.getElementById(id).addEventListener("change", function (e) {
        if (e.target.checked) { gj.addTo(map); } else { map.removeLayer(gj); }
      });
    });
  });
  var legend = document.getElementById("type-legend");
  Object.keys(cfg.typeColours).forEach(function (t) {
    var row = document.createElement("div");
    row.className = "legend-item";
    row.innerHTML = '<span class="legend-dot" style="background:' + cfg.typeColours[t] + '"></span>' + esc(t);
    legend.appendChild(row);
  });
})();
