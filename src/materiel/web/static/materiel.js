// materiel's own page glue: draw the Plotly figures whose JSON the server embeds (data only, never
// markup), make clicks on the network open the ledger or dossier, and take a highlighted evidence
// span to its event. No request leaves the server: plotly.js is served from /static/vendor.
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, { displaylogo: false, responsive: true });
    if (el.getAttribute("data-clickable")) {
      el.on("plotly_click", function (event) {
        var target = event.points && event.points[0] && event.points[0].customdata;
        if (typeof target === "string" && target.charAt(0) === "/") { window.location.assign(target); }
      });
    }
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
