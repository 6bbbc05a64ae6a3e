// People pages: draw the profile chart and count answered items on rating forms.
// Loaded as a file (the CSP allows no inline script); the chart spec sits in a
// <script type="application/json"> block named by the container's data-vega-spec.
"use strict";

function drawCharts() {
  if (typeof vegaEmbed === "undefined") return;
  for (const el of document.querySelectorAll("[data-vega-spec]")) {
    const source = document.getElementById(el.dataset.vegaSpec);
    if (!source) continue;
    const spec = JSON.parse(source.textContent);
    vegaEmbed(el, spec, {
      ast: true,
      expr: vegaEmbed.expressionInterpreter,
      actions: false,
      defaultStyle: false,
      tooltip: false,
      renderer: "svg",
    }).catch((err) => {
      el.textContent = "The chart could not be drawn; the table below has the same numbers.";
      console.error(err);
    });
  }
}

function countAnswers() {
  for (const form of document.querySelectorAll("[data-rating-form]")) {
    const counter = document.querySelector("[data-answered-count]");
    if (!counter) continue;
    const update = () => {
      const names = new Set();
      for (const input of form.querySelectorAll("input[type=radio]:checked")) names.add(input.name);
      counter.textContent = String(names.size);
    };
    form.addEventListener("change", update);
    update();
  }
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  drawCharts();
  countAnswers();
});
