// materiel's own page glue: draw the Plotly figures whose JSON the server embeds (data only, never
// markup), make clicks on the network open the ledger or dossier, and take a highlighted evidence
// span to its event. No request leaves the server: plotly.js is served from /static/vendor.
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, { displaylogo: false, responsive: true }).then(function () {
      if (el.getAttribute("data-labels")) { placeLabels(el); }
    });
    if (el.getAttribute("data-clickable")) {
      el.on("plotly_click", function (event) {
        var target = event.points && event.points[0] && event.points[0].customdata;
        if (typeof target === "string" && target.charAt(0) === "/") { window.location.assign(target); }
      });
    }
  }
  // Node labels that do not overlap: the biggest nodes first, each label goes to the first of a few
  // places around its node where it overlaps no label already placed and no node, else it is left
  // out (the node's hover text still names it). Measured on the drawn chart, so it holds at any width.
  var PLACES = ["top center", "bottom center", "middle right", "middle left", "top right", "top left",
                "bottom right", "bottom left"];
  function placeLabels(el) {
    var full = el._fullLayout, index = el.data.length - 1, trace = el.data[index];
    var texts = el.querySelectorAll(".scatterlayer .trace:last-child .textpoint text");
    if (!trace || !trace.text || texts.length !== trace.text.length) { return; }
    var off = full._size, gap = 3, placed = [], nodes = [];
    var centre = trace.x.map(function (x, i) {
      return [off.l + full.xaxis.l2p(x), off.t + full.yaxis.l2p(trace.y[i])];
    });
    var radius = trace.marker.size.map(function (s) { return s / 2; });
    centre.forEach(function (c, i) { nodes.push([c[0] - radius[i], c[1] - radius[i], c[0] + radius[i], c[1] + radius[i]]); });
    function box(i, place) {
      var r = texts[i].getBBox(), w = r.width, h = r.height, c = centre[i], d = radius[i] + gap;
      var v = place.split(" ")[0], u = place.split(" ")[1];
      var x = u === "center" ? c[0] - w / 2 : (u === "right" ? c[0] + d : c[0] - d - w);
      var y = v === "middle" ? c[1] - h / 2 : (v === "top" ? c[1] - d - h : c[1] + d);
      return [x, y, x + w, y + h];
    }
    function clash(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
    var order = trace.x.map(function (_, i) { return i; }).sort(function (a, b) { return radius[b] - radius[a]; });
    var positions = trace.x.map(function () { return "top center"; }), shown = trace.text.slice();
    order.forEach(function (i) {
      var found = null;
      PLACES.some(function (place) {
        var b = box(i, place);
        var free = b[0] >= 0 && b[2] <= full.width && b[1] >= 0 && b[3] <= full.height &&
          !placed.some(function (p) { return clash(b, p); }) &&
          !nodes.some(function (n, j) { return j !== i && clash(b, n); });
        if (free) { found = [place, b]; }
        return free;
      });
      if (found) { positions[i] = found[0]; placed.push(found[1]); } else { shown[i] = ""; }
    });
    Plotly.restyle(el, { textposition: [positions], text: [shown] }, [index]);
  }
  document.querySelectorAll("[data-figure]").forEach(draw);
  document.querySelectorAll("[data-events]").forEach(function (span) {
    span.addEventListener("click", function () {
      var first = span.getAttribute("data-events").split(" ")[0];
      var target = document.getElementById("event-" + first);
      if (target) { window.location.hash = "event-" + first; }
    });
  });
}());
