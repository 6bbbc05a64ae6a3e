/* Tandem: draw the Vega-Lite charts of a page (HOW panel, home). No inline script: each chart's
   spec is the JSON of its element's data-vega-chart attribute (not a <script> block: htmx drops
   every script of a swapped fragment, as allowScriptTags is off).

   After a filter change htmx swaps the panel in place. Its settle event fires on the form that
   asked, not on the new panel, so the charts are looked for in the whole document (a chart
   already drawn is marked and skipped). A refused filter (4xx, e.g. an inverted date range)
   is not swapped: its message is shown in the form's alert (#how-error) instead. */
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof vegaEmbed !== "function") { return; }
    root.querySelectorAll("[data-vega-chart]").forEach(function (target) {
      if (target.getAttribute("data-drawn") === "true") { return; }
      var spec;
      try { spec = JSON.parse(target.getAttribute("data-vega-chart")); } catch (e) { return; }
      target.setAttribute("data-drawn", "true");
      // draw into a child: vega styles its container, and htmx's settle step copies the style
      // attribute of an element with an id (a CSP violation); the child has no id
      var canvas = document.createElement("div");
      canvas.className = "chart-canvas";
      target.appendChild(canvas);
      vegaEmbed(canvas, spec, {
        actions: false,
        renderer: "svg",
        defaultStyle: false,  // its <style> element would break the CSP (style-src 'self')
        tooltip: { disableDefaultStyle: true },  // so would the tooltip's (how.css styles it)
        ast: true,
        expr: vegaEmbed.expressionInterpreter
      }).catch(function () {
        target.textContent = "The chart could not be drawn; the table below has the same figures.";
      });
    });
  }

  function errorBox() { return document.getElementById("how-error"); }

  function showError(text) {
    var box = errorBox();
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
  }

  function messageOf(xhr) {
    var text = xhr.responseText || "";
    try {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var alert = doc.querySelector("[role=alert]");
      if (alert && alert.textContent.trim()) { return alert.textContent.replace(/\s+/g, " ").trim(); }
    } catch (e) { /* not HTML: fall through */ }
    return "The filters could not be applied (" + xhr.status + ").";
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function () { drawCharts(document); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!errorBox()) { return; }
    if (xhr.status >= 400) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;  // shown here, not logged by htmx
      showError(messageOf(xhr));
    } else {
      errorBox().hidden = true;
      errorBox().textContent = "";
    }
  });
  document.addEventListener("htmx:sendError", function () {
    showError("The server could not be reached; the panel was not changed.");
  });
})();
