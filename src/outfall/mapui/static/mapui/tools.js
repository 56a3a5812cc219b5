/* Tools of the one map: search (code, name or pinyin initials) that zooms to a feature and opens its
   popup; upstream/downstream at a click with distances, travel times and the sites on the way
   (paged); "locate me" with the nearest outfalls. Uses window.outfallMap from map.js. */
(function () {
  "use strict";
  var M = window.outfallMap, map = M.map, F = M.config.fields, esc = M.esc, state = M.state;

  // ---- focus: zoom to a feature and open its popup ------------------------------------------
  var pending = null;
  function findLayer(kind, id) {
    var found = null, gj = M.overlays[kind + "s"];
    if (gj) { gj.eachLayer(function (l) { if (l.feature && l.feature.properties.id === id) { found = l; } }); }
    return found;
  }
  function openPending() {
    if (!pending) { return; }
    var l = findLayer(pending.kind, pending.id);
    if (l) { pending = null; l.openPopup(); return; }
    if (!M.ready[pending.kind + "s"]) { return; }
    // filtered out or layer off: ask the layer for that one point, without the filters
    var p = pending, d = 0.0005;
    pending = null;
    fetch("/map/layers/" + p.kind + "s.geojson?z=18&bbox=" + [p.lon - d, p.lat - d, p.lon + d, p.lat + d].join(","),
      { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
      var f = fc.features.filter(function (x) { return x.properties.id === p.id; })[0];
      if (f) { L.popup({ maxWidth: 320 }).setLatLng([p.lat, p.lon]).setContent(M.popupHtml(p.kind, f.properties)).openOn(map); }
    });
  }
  M.onLoad.push(function () { openPending(); });
  M.focus = function (kind, id, lat, lon, zoom) {
    pending = { kind: kind, id: id, lat: lat, lon: lon };
    state.sel = kind + ":" + id;
    M.ready[kind + "s"] = false;
    map.setView([lat, lon], zoom || Math.max(map.getZoom(), 16));
    M.load(kind + "s");
  };

  // ---- search -------------------------------------------------------------------------------
  var box = document.getElementById("search-box"), list = document.getElementById("search-results"), st = null;
  var hits = [];
  function show(results) {
    hits = results;
    list.innerHTML = results.length ? results.map(function (h, i) {
      return '<li data-i="' + i + '">' + esc(h.c) + " " + esc(h.n) + ' <small class="muted">' +
        esc(h.kind === "outfall" ? F.outfall : F.section) + "</small></li>"; }).join("") :
      '<li class="muted">' + esc(F.noResult) + "</li>";
    list.hidden = false;
  }
  function pick(h) {
    list.hidden = true;
    box.value = h.c + " " + h.n;
    M.focus(h.kind, h.id, h.lat, h.lon, 16);
  }
  box.addEventListener("input", function () {
    clearTimeout(st);
    var q = box.value.trim();
    if (!q) { list.hidden = true; return; }
    st = setTimeout(function () {
      fetch("/map/search/?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(function (d) { if (box.value.trim() === q) { show(d.results); } });
    }, 150);
  });
  list.addEventListener("click", function (e) {
    var li = e.target.closest("li[data-i]");
    if (li) { pick(hits[+li.dataset.i]); }
  });
  document.getElementById("map-search").addEventListener("submit", function (e) {
    e.preventDefault();
    if (hits.length) { pick(hits[0]); }
  });

  // ---- upstream / downstream ----------------------------------------------------------------
  map.createPane("navigation").style.zIndex = 450;  // above the reaches (400), below the markers (600)
  var navLayer = L.geoJSON(null, { style: { color: "#ff7f00", weight: 6, opacity: 0.75 },
    pane: "navigation", renderer: L.svg({ pane: "navigation" }),
    onEachFeature: function (f, l) {  // each highlighted reach: its distance and travel time from the start
      var p = f.properties;
      l.bindTooltip(esc(p.n || p.id) + ": " + p.d + " km · " + p.h + " " + esc(F.hours), { sticky: true });
    } });
  var navLabels = L.layerGroup();
  var panel = document.getElementById("nav-panel");
  function label(lat, lon, text) {
    navLabels.addLayer(L.marker([lat, lon], { interactive: false, zIndexOffset: 1000,
      icon: L.divIcon({ className: "nav-label", iconSize: null, iconAnchor: [-8, 8], html: "<div>" + esc(text) + "</div>" }) }));
  }
  M.navigate = function (mode, start, page, fit) {
    var q = new URLSearchParams({ start: start, mode: mode, z: map.getZoom(), page: page || 1 });
    return fetch("/map/network/?" + q, { credentials: "same-origin" }).then(function (r) { return r.json().then(function (d) { return [r.ok, d]; }); })
      .then(function (res) {
        var ok = res[0], d = res[1];
        panel.hidden = false;
        if (!ok) { panel.innerHTML = "<p>" + esc(d.detail) + "</p>"; return; }
        state.nav = mode + ":" + start; M.writeHash();
        navLayer.clearLayers(); navLabels.clearLayers();
        navLayer.addData(d.lines).addTo(map); navLabels.addTo(map);
        var s = d.summary, up = mode === "UT" || mode === "UM";
        d.sites.items.slice(0, 8).forEach(function (it) { label(it.lat, it.lon, it.km + " km · " + it.h + " " + F.hours); });
        if (fit !== false) { map.closePopup(); }  // the highlight is what the user asked to see
        var h = "<h3>" + esc(up ? F.upstream : F.downstream) + ": " + esc(d.start) + "</h3><p>" +
          esc(F.reaches) + " " + s.reaches + " · " + esc(F.riverKm) + " " + s.river_km + " · " + esc(F.distance) + " ≤ " +
          s.far_km + " km · " + esc(F.travel) + " ≤ " + s.far_h + " " + esc(F.hours) + "</p><h3>" + esc(F.sites) +
          " (" + d.sites.total + ")</h3><ol id=\"nav-sites\" start=\"" + ((d.sites.page - 1) * 20 + 1) + "\">";
        d.sites.items.forEach(function (it) {
          h += '<li data-kind="' + it.kind + '"><a href="' + esc(it.u) + '">' + esc(it.c) + " " + esc(it.n) + "</a> <small>" +
            esc(it.kind === "outfall" ? F.outfall : F.section) + " · " + it.km + " km · " + it.h + " " + esc(F.hours) + "</small></li>";
        });
        h += "</ol>";
        if (d.sites.pages > 1) {
          h += '<p><button type="button" class="nav-page" data-p="' + (d.sites.page - 1) + '"' + (d.sites.page <= 1 ? " disabled" : "") + ">" +
            esc(F.prev) + "</button> " + d.sites.page + "/" + d.sites.pages + ' <button type="button" class="nav-page" data-p="' +
            (d.sites.page + 1) + '"' + (d.sites.page >= d.sites.pages ? " disabled" : "") + ">" + esc(F.next) + "</button></p>";
        }
        h += '<button type="button" id="nav-clear">' + esc(F.clear) + "</button>";
        panel.innerHTML = h;
        panel.querySelectorAll(".nav-page").forEach(function (btn) {
          btn.addEventListener("click", function () { M.navigate(mode, start, +btn.dataset.p, false); });
        });
        document.getElementById("nav-clear").addEventListener("click", M.clearNavigation);
        if (fit !== false && d.bounds) {
          var bb = d.bounds;
          map.fitBounds([[bb[1], bb[0]], [bb[3], bb[2]]], { padding: [20, 20], maxZoom: 15 });
        }
        M.navResult = d;
      });
  };
  M.clearNavigation = function () {
    navLayer.clearLayers(); navLabels.clearLayers(); panel.hidden = true; panel.innerHTML = "";
    state.nav = null; M.writeHash();
  };
  document.getElementById("map").addEventListener("click", function (e) {
    var btn = e.target.closest(".nav-btn");
    if (btn) { M.navigate(btn.dataset.mode, btn.dataset.start, 1); }
  });

  // ---- locate me ----------------------------------------------------------------------------
  var me = L.layerGroup().addTo(map);
  function haversine(a, b) {
    var R = 6371, r = Math.PI / 180, dLat = (b[0] - a[0]) * r, dLon = (b[1] - a[1]) * r;
    var x = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(a[0] * r) * Math.cos(b[0] * r) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * R * Math.asin(Math.sqrt(x));
  }
  function nearest(lat, lon, d) {
    var q = "z=18&bbox=" + [lon - d, lat - d, lon + d, lat + d].join(",");
    return fetch("/map/layers/outfalls.geojson?" + q, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (fc) {
        var pts = fc.features.filter(function (f) { return f.properties.id !== undefined; });
        if (pts.length < 3 && d < 0.5) { return nearest(lat, lon, d * 4); }
        return pts.map(function (f) {
          var c = f.geometry.coordinates;
          return { f: f, km: haversine([lat, lon], [c[1], c[0]]) };
        }).sort(function (a, b) { return a.km - b.km; }).slice(0, 5);
      });
  }
  M.locate = function (lat, lon) {
    me.clearLayers();
    L.circleMarker([lat, lon], { radius: 8, color: "#0a58ca", fillColor: "#3d8bfd", fillOpacity: 0.9 })
      .bindTooltip(F.youAreHere).addTo(me);
    map.setView([lat, lon], Math.max(map.getZoom(), 15));
    return nearest(lat, lon, 0.01).then(function (rows) {
      var info = document.getElementById("map-info");
      info.innerHTML = "<h3>" + esc(F.nearest) + "</h3><ol id=\"nearest\">" + rows.map(function (r) {
        var p = r.f.properties, c = r.f.geometry.coordinates;
        return '<li><a href="#" data-id="' + p.id + '" data-lat="' + c[1] + '" data-lon="' + c[0] + '">' + esc(p.c) + " " + esc(p.n) +
          "</a> <small>" + r.km.toFixed(2) + " km</small></li>";
      }).join("") + "</ol>";
      info.querySelectorAll("a[data-id]").forEach(function (a) {
        a.addEventListener("click", function (e) { e.preventDefault(); M.focus("outfall", +a.dataset.id, +a.dataset.lat, +a.dataset.lon); });
      });
      return rows;
    });
  };
  var Locate = L.Control.extend({ options: { position: "topleft" }, onAdd: function () {
    var el = L.DomUtil.create("a", "leaflet-bar locate-btn");
    el.href = "#"; el.title = F.nearest; el.setAttribute("role", "button"); el.id = "locate-me"; el.innerHTML = '<svg width="18" height="18" viewBox="0 0 18 18" style="vertical-align:middle" aria-hidden="true">' +
      '<circle cx="9" cy="9" r="5" fill="none" stroke="#333" stroke-width="2"/><circle cx="9" cy="9" r="1.8" fill="#333"/>' +
      '<path d="M9 0v4M9 14v4M0 9h4M14 9h4" stroke="#333" stroke-width="2"/></svg>';
    el.setAttribute("aria-label", F.nearest);
    L.DomEvent.on(el, "click", function (e) {
      L.DomEvent.preventDefault(e); L.DomEvent.stopPropagation(e);
      if (!navigator.geolocation) { alert(F.locateFailed); return; }
      navigator.geolocation.getCurrentPosition(function (pos) { M.locate(pos.coords.latitude, pos.coords.longitude); },
        function () { alert(F.locateFailed); }, { enableHighAccuracy: true, timeout: 10000 });
    });
    return el;
  } });
  new Locate().addTo(map);

  // ---- restore the selection and the navigation from the URL --------------------------------
  if (state.sel) {
    var parts = state.sel.split(":");
    pending = { kind: parts[0], id: +parts[1], lat: map.getCenter().lat, lon: map.getCenter().lng };
  }
  if (state.nav) {
    var i = state.nav.indexOf(":");
    M.navigate(state.nav.slice(0, i), state.nav.slice(i + 1), 1, false);
  }
})();
