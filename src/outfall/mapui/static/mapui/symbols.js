/* Marker symbols of the one map: an outfall's level-1 type is its shape, its status its colour;
   a section is a circle in its GB 3838 class colour, ringed red when an alert is open and dashed
   when it misses its target. Exposes window.outfallSymbols. */
(function () {
  "use strict";
  function shape(kind, fill, stroke, size, dash) {
    var s = size, h = s / 2, d = dash ? ' stroke-dasharray="3 2"' : "";
    var st = ' fill="' + fill + '" stroke="' + stroke + '" stroke-width="' + (dash || stroke !== "#222" ? 2.5 : 1.2) + '"' + d;
    var body;
    if (kind === "square") { body = '<rect x="2" y="2" width="' + (s - 4) + '" height="' + (s - 4) + '"' + st + "/>"; }
    else if (kind === "triangle") { body = '<polygon points="' + h + ',1 ' + (s - 1) + "," + (s - 2) + " 1," + (s - 2) + '"' + st + "/>"; }
    else if (kind === "diamond") { body = '<polygon points="' + h + ",1 " + (s - 1) + "," + h + " " + h + "," + (s - 1) + " 1," + h + '"' + st + "/>"; }
    else if (kind === "star") {
      var pts = [];
      for (var k = 0; k < 10; k++) {
        var r = k % 2 ? h * 0.45 : h - 1, a = Math.PI * k / 5 - Math.PI / 2;
        pts.push((h + r * Math.cos(a)).toFixed(1) + "," + (h + r * Math.sin(a)).toFixed(1));
      }
      body = '<polygon points="' + pts.join(" ") + '"' + st + "/>";
    }
    else { body = '<circle cx="' + h + '" cy="' + h + '" r="' + (h - 2) + '"' + st + "/>"; }
    return '<svg width="' + s + '" height="' + s + '" viewBox="0 0 ' + s + " " + s + '">' + body + "</svg>";
  }
  window.outfallSymbols = {
    svg: shape,
    outfall: function (symbol, colour, alerting) {
      return L.divIcon({ className: "site-icon", iconSize: [16, 16],
        html: shape(symbol, colour, alerting ? "#d00000" : "#222", 16, false) });
    },
    section: function (colour, offTarget, alerting) {
      var ring = alerting ? "#d00000" : (offTarget ? "#b45f00" : "#222");
      return L.divIcon({ className: "site-icon", iconSize: [20, 20],
        html: shape("circle", colour, ring, 20, offTarget && !alerting) +
          (alerting ? '<b style="position:absolute;left:14px;top:-8px;color:#d00000">!</b>' : "") });
    },
    cluster: function (n) {
      var s = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 40 : 48;
      return L.divIcon({ className: "cluster-icon", iconSize: [s, s],
        html: '<div style="width:' + s + "px;height:" + s + "px;line-height:" + (s - 4) + 'px">' + n + "</div>" });
    }
  };
})();
