/* Tandem: draw the Vega-Lite charts of a page (HOW panel, home). No inline script: each chart's
   spec sits in <script type="application/json" data-vega-for="ID"> next to its element. */
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof vegaEmbed !== "function") { return; }
    var blocks = root.querySelectorAll('script[type="application/json"][data-vega-for]');
    blocks.forEach(function (block) {
      var target = document.getElementById(block.getAttribute("data-vega-for"));
      if (!target || target.getAttribute("data-drawn") === "true") { return; }
      var spec;
      try { spec = JSON.parse(block.textContent); } catch (e) { return; }
      target.setAttribute("data-drawn", "true");
      vegaEmbed(target, spec, {
        actions: false,
        renderer: "svg",
        ast: true,
        expr: vegaEmbed.expressionInterpreter
      }).catch(function () {
        target.textContent = "The chart could not be drawn; the table below has the same figures.";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target || document); });
})();
