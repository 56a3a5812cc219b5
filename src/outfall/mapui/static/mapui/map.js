/* The one map: layers from /map/layers/<name>.geojson?bbox=…&z=…&<filters>, fetched again when the
   view moves (the browser revalidates them with their ETags), drawn with the Leaflet the app serves.
   The view (centre, zoom, layers, filters, selected feature, navigation) lives in the URL hash:
   #map=Z/LAT/LON&layers=a,b&type=…&status=…&town=…&river=…&class=…&alerting=1&sel=outfall:12&nav=UT:CODE */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var F = cfg.fields, SYM = window.outfallSymbols;
  var FILTERS = ["type", "status", "town", "river", "class", "alerting"];
  var types = {}, statuses = {}, classes = {};
  cfg.types.forEach(function (t) { types[t.value] = t; });
  cfg.statuses.forEach(function (s) { statuses[s.value] = s; });
  cfg.classes.forEach(function (c) { classes[c.value] = c; });

  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }

  // ---- state <-> URL hash -------------------------------------------------------------------
  function parseHash() {
    var st = { filters: {}, layers: null, view: null, sel: null, nav: null };
    var q = new URLSearchParams(location.hash.replace(/^#/, ""));
    var v = (q.get("map") || "").split("/").map(Number);
    if (v.length === 3 && v.every(isFinite)) { st.view = { z: v[0], lat: v[1], lon: v[2] }; }
    if (q.has("layers")) { st.layers = q.get("layers").split(",").filter(Boolean); }
    FILTERS.forEach(function (f) { if (q.get(f)) { st.filters[f] = q.get(f); } });
    st.sel = q.get("sel"); st.nav = q.get("nav");
    return st;
  }
  var state = parseHash();
  function writeHash() {
    var c = map.getCenter(), q = new URLSearchParams();
    q.set("map", map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5));
    q.set("layers", cfg.layers.filter(function (l) { return map.hasLayer(overlays[l.name]); })
      .map(function (l) { return l.name; }).join(","));
    FILTERS.forEach(function (f) { if (state.filters[f]) { q.set(f, state.filters[f]); } });
    if (state.sel) { q.set("sel", state.sel); }
    if (state.nav) { q.set("nav", state.nav); }
    history.replaceState(null, "", "#" + q.toString().replace(/%2C/g, ",").replace(/%2F/g, "/").replace(/%3A/g, ":"));
  }

  // ---- the map ------------------------------------------------------------------------------
  var b = cfg.bbox; // west, south, east, north
  var map = L.map("map", { zoomControl: true, preferCanvas: true });  // reaches and boundaries on one canvas
  if (state.view) { map.setView([state.view.lat, state.view.lon], state.view.z); }
  else { map.fitBounds([[b[1], b[0]], [b[3], b[2]]]); }
  if (cfg.tileUrl) { L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 18 }).addTo(map); }
  L.control.scale({ imperial: false }).addTo(map);
  var coords = document.getElementById("coords");
  function showCoords(ll) { coords.textContent = ll.lng.toFixed(5) + ", " + ll.lat.toFixed(5); }
  map.on("mousemove", function (e) { showCoords(e.latlng); });
  map.on("moveend", function () { showCoords(map.getCenter()); });
  showCoords(map.getCenter());

  // ---- popups -------------------------------------------------------------------------------
  function row(label, value) { return "<tr><th>" + esc(label) + "</th><td>" + value + "</td></tr>"; }
  function popupHtml(kind, p) {
    var h = '<div class="popup" data-kind="' + kind + '" data-id="' + esc(p.id) + '"><h3>' + esc(p.n) + "</h3><table>";
    if (kind === "outfall") {
      h += row(F.c, esc(p.c)) + row(F.t, esc((types[p.t] || {}).label || p.t)) +
        row(F.s, esc((statuses[p.s] || {}).label || p.s)) + row(F.tw, esc(p.tw)) + row(F.rw, esc(p.rw));
      if (p.al) { h += row(F.al, '<span class="badge-alert">' + esc(F.alerting) + "</span>"); }
      h += '</table><div class="actions"><a href="/ledger/' + esc(p.id) + '/" class="open-file">' + esc(F.file) + "</a>";
    } else if (kind === "section") {
      var cl = classes[p.cl];
      h += row(F.c, esc(p.c)) + row(F.lv, esc(cfg.levels[p.lv] || p.lv)) + row(F.r, esc(p.r)) +
        row(F.cl, cl ? '<b style="color:' + cl.colour + '">' + esc(cl.label) + "</b>" : esc(F.nodata)) +
        row(F.tg, esc((classes[p.tg] || {}).label || p.tg)) +
        row(F.ok, p.ok === null || p.ok === undefined ? esc(F.nodata) :
          (p.ok ? esc(F.yes) : '<span class="badge-off">' + esc(F.offtarget) + "</span>")) +
        row(F.time, esc(p.t ? p.t.replace("T", " ").slice(0, 16) : ""));
      if (p.al) { h += row(F.al, '<span class="badge-alert">' + esc(F.alerting) + "</span>"); }
      h += '</table><div class="actions"><a href="/sections/' + esc(p.id) + '/" class="open-section">' + esc(F.sectionPage) + "</a>";
    } else {
      return "<div class=\"popup\"><h3>" + esc(p.n || p.id) + "</h3><table>" + row(F.c, esc(p.id)) +
        row(F.km, esc(p.km)) + "</table></div>";
    }
    return h + ' <button type="button" class="nav-btn" data-mode="UT" data-start="' + esc(p.c) + '">' + esc(F.upstream) +
      '</button><button type="button" class="nav-btn" data-mode="DD" data-start="' + esc(p.c) + '">' + esc(F.downstream) +
      "</button></div></div>";
  }

  // ---- layers -------------------------------------------------------------------------------
  var overlays = {}, arrows = L.layerGroup(), inflight = {}, totals = {};
  var api = { map: map, overlays: overlays, config: cfg, state: state, esc: esc, writeHash: writeHash,
    popupHtml: popupHtml, ready: {}, onLoad: [] };
  window.outfallMap = api;

  function styleOf(name) {
    return function (f) {
      var p = f.properties || {};
      if (name === "rivers") {
        var water = p.k === "lake" || p.k === "reservoir";
        return { color: water ? "#5fa8e8" : "#2b7bd6", weight: water ? 6 : 2.5, opacity: 0.85 };
      }
      if (name === "towns") { return { color: "#777", weight: 1, fillOpacity: 0.03, dashArray: "4 3" }; }
      return {};
    };
  }
  function pointOf(name) {
    return function (f, ll) {
      var p = f.properties;
      if (name === "outfalls") {
        if (p.id === undefined) {
          return L.marker(ll, { icon: SYM.cluster(p.n), title: p.n + " " + F.cluster })
            .on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); });
        }
        var t = types[p.t] || { symbol: "circle" };
        return L.marker(ll, { icon: SYM.outfall(t.symbol, (statuses[p.s] || {}).colour || "#888", p.al), title: p.c + " " + p.n });
      }
      if (name === "sections") {
        return L.marker(ll, { icon: SYM.section((classes[p.cl] || {}).colour || "#999", p.ok === false, p.al),
          title: p.c + " " + p.n, zIndexOffset: 500 });
      }
      return L.marker(ll, { interactive: false, icon: L.divIcon({ className: "town-label", html: esc(p.n), iconSize: [80, 16] }) });
    };
  }
  function addArrows(fc) {
    arrows.clearLayers();
    if (map.getZoom() < 13) { return; }
    fc.features.forEach(function (f) {
      var c = f.geometry && f.geometry.coordinates;
      if (!c || c.length < 2 || f.properties.k !== "river") { return; }
      var k = Math.floor((c.length - 1) / 2), a = c[k], d = c[k + 1];
      var ang = Math.atan2(d[0] - a[0], d[1] - a[1]) * 180 / Math.PI; // bearing, 0 = north
      arrows.addLayer(L.marker([(a[1] + d[1]) / 2, (a[0] + d[0]) / 2], { interactive: false, icon: L.divIcon({
        className: "flow-arrow", iconSize: [14, 14],
        html: '<div style="transform:rotate(' + ang + 'deg);color:#1f5fa8;font-size:13px;line-height:14px">▲</div>' }) }));
    });
  }

  function params(extra) {
    var bb = map.getBounds().pad(0.15), q = new URLSearchParams();
    q.set("bbox", [bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth()].map(function (x) { return x.toFixed(5); }).join(","));
    q.set("z", map.getZoom());
    FILTERS.forEach(function (f) { if (state.filters[f]) { q.set(f, state.filters[f]); } });
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return q.toString();
  }
  function load(name) {
    if (!map.hasLayer(overlays[name])) { return Promise.resolve(); }
    if (inflight[name]) { inflight[name].abort(); }
    var ctl = inflight[name] = new AbortController();
    return fetch("/map/layers/" + name + ".geojson?" + params(), { credentials: "same-origin", signal: ctl.signal })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        var gj = overlays[name], keep = null;
        gj.eachLayer(function (l) { if (l.isPopupOpen && l.isPopupOpen()) { keep = l; } });
        if (keep) {  // the feature whose popup is open stays as it is (no flicker); the rest is replaced
          gj.eachLayer(function (l) { if (l !== keep) { gj.removeLayer(l); } });
          var kept = keep.feature.properties.id;
          gj.addData({ type: "FeatureCollection", features: fc.features.filter(function (f) { return f.properties.id !== kept; }) });
        } else {
          gj.clearLayers();
          gj.addData(fc);
        }
        totals[name] = fc.features.reduce(function (s, f) { return s + (f.properties.id === undefined && f.properties.n > 0 ? f.properties.n : 1); }, 0);
        if (name === "rivers") { addArrows(fc); }
        updateCount();
        api.ready[name] = true;
        api.onLoad.forEach(function (fn) { fn(name); });
        document.dispatchEvent(new CustomEvent("outfall:layer", { detail: { name: name, layer: gj } }));
      })
      .catch(function (e) { if (e.name !== "AbortError") { console.warn(name, e); } });
  }
  function updateCount() {
    var n = 0;
    ["outfalls", "sections"].forEach(function (k) { if (overlays[k] && map.hasLayer(overlays[k])) { n += totals[k] || 0; } });
    document.getElementById("shown-count").textContent = "(" + F.shown + " " + n + ")";
    api.visibleCount = n;
  }
  api.refresh = function () { return Promise.all(cfg.layers.map(function (l) { return load(l.name); })); };
  api.load = load;
  api.params = params;

  var toggles = document.getElementById("layer-toggles");
  cfg.layers.forEach(function (layer) {
    var name = layer.name, kind = name.replace(/s$/, "");
    overlays[name] = L.geoJSON(null, {
      pointToLayer: pointOf(name), style: styleOf(name),
      onEachFeature: function (f, l) {
        var p = f.properties || {};
        if (name === "towns") {
          if (f.geometry.type !== "Point") { l.bindTooltip(esc(p.n), { permanent: true, direction: "center", className: "town-label" }); }
          return;
        }
        if (name === "outfalls" && p.id === undefined) { return; }
        l.bindPopup(popupHtml(kind === "river" ? "river" : kind, p), { maxWidth: 320 });
        l.on("popupopen", function () { if (kind !== "river") { state.sel = kind + ":" + p.id; writeHash(); } });
        l.on("popupclose", function () { if (state.sel === kind + ":" + p.id) { state.sel = null; writeHash(); } });
      }
    });
    var on = !state.layers || state.layers.indexOf(name) >= 0;
    if (on) { overlays[name].addTo(map); if (name === "rivers") { arrows.addTo(map); } }
    var id = "toggle-" + name, lab = document.createElement("label");
    lab.className = "legend-item";
    lab.innerHTML = '<input type="checkbox" id="' + id + '"' + (on ? " checked" : "") + "> " + esc(layer.label);
    toggles.appendChild(lab);
    document.getElementById(id).addEventListener("change", function (e) {
      if (e.target.checked) { overlays[name].addTo(map); if (name === "rivers") { arrows.addTo(map); } load(name); }
      else { map.removeLayer(overlays[name]); if (name === "rivers") { map.removeLayer(arrows); } }
      updateCount(); writeHash();
    });
  });

  // ---- filters ------------------------------------------------------------------------------
  function options(sel, items) {
    items.forEach(function (it) { var o = document.createElement("option"); o.value = it[0]; o.textContent = it[1]; sel.appendChild(o); });
  }
  options(document.getElementById("f-type"), cfg.types.map(function (t) { return [t.value, t.label]; }));
  options(document.getElementById("f-status"), cfg.statuses.map(function (s) { return [s.value, s.label]; }));
  options(document.getElementById("f-town"), cfg.towns.map(function (t) { return [String(t.id), t.name]; }));
  options(document.getElementById("f-class"), cfg.classes.map(function (c) { return [c.value, c.label]; }).concat([["none", F.nodata]]));
  var dl = document.getElementById("river-list");
  cfg.rivers.forEach(function (r) { var o = document.createElement("option"); o.value = r; dl.appendChild(o); });
  document.querySelectorAll("[data-filter]").forEach(function (el) {
    var f = el.dataset.filter;
    if (el.type === "checkbox") { el.checked = !!state.filters[f]; } else { el.value = state.filters[f] || ""; }
    el.addEventListener("change", function () {
      var v = el.type === "checkbox" ? (el.checked ? "1" : "") : el.value.trim();
      if (v) { state.filters[f] = v; } else { delete state.filters[f]; }
      writeHash(); api.refresh();
    });
  });

  // ---- legend -------------------------------------------------------------------------------
  var lg = '<h3>' + esc(F.typeLegend) + "</h3>";
  cfg.types.forEach(function (t) { lg += '<div class="legend-item">' + SYM.svg(t.symbol, "#fff", "#222", 14) + esc(t.label) + "</div>"; });
  lg += "<h3>" + esc(F.statusLegend) + "</h3>";
  cfg.statuses.forEach(function (s) { lg += '<div class="legend-item">' + SYM.svg("circle", s.colour, "#222", 14) + esc(s.label) + "</div>"; });
  lg += "<h3>" + esc(F.classLegend) + "</h3>";
  cfg.classes.forEach(function (c) { lg += '<div class="legend-item">' + SYM.svg("circle", c.colour, "#222", 14) + esc(c.label) + "</div>"; });
  lg += '<div class="legend-item">' + SYM.svg("circle", "#fff", "#b45f00", 14, true) + esc(F.offtarget) + "</div>";
  lg += '<div class="legend-item">' + SYM.svg("circle", "#fff", "#d00000", 14) + esc(F.alerting) + "</div>";
  lg += "<h3>" + esc(F.r) + "</h3>";
  lg += '<div class="legend-item"><span class="legend-line" style="background:#2b7bd6"></span>' + esc(F.river) + " ▲ " + esc(F.flow) + "</div>";
  lg += '<div class="legend-item"><span class="legend-line" style="background:#5fa8e8;height:7px"></span>' + esc(F.lake) + "</div>";
  lg += '<div class="legend-item"><span class="legend-line" style="border-top:2px dashed #777;height:0"></span>' + esc(F.town) + "</div>";
  document.getElementById("legend").innerHTML = lg;

  if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
    ["filters", "layers-box"].forEach(function (id) { document.getElementById(id).removeAttribute("open"); });
  }
  var timer = null;
  map.on("moveend", function () {
    writeHash();
    clearTimeout(timer);
    timer = setTimeout(api.refresh, 120);
  });
  api.refresh();
})();
