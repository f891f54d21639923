// Draws every <canvas data-chart="ID"> from the JSON in <script type="application/json" id="ID">
// (Django's json_script). The JSON is a Chart.js config plus a few hints the server sets:
// format ("money" | "days" | "percent" | "count"), currency, horizontal, stacked, decimals.
(function () {
  "use strict";

  var lang = document.documentElement.lang || undefined;

  function formatter(config) {
    var format = config.format || "count";
    if (format === "money") {
      var money;
      try {
        money = new Intl.NumberFormat(lang, { style: "currency", currency: config.currency || "EUR", maximumFractionDigits: 0 });
      } catch (e) {
        money = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
      }
      return function (v) { return money.format(v); };
    }
    // `decimals` (optional): the fraction digits of the numbers (e.g. 2 for a rate like 0.10 %)
    var digits = typeof config.decimals === "number" ? config.decimals : (format === "count" ? 0 : 1);
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: digits });
    if (format === "percent") return function (v) { return number.format(v) + " %"; };
    return function (v) { return number.format(v); };
  }

  function build(config) {
    var fmt = formatter(config);
    var horizontal = !!config.horizontal;
    var stacked = !!config.stacked;
    var valueTicks = { callback: function (v) { return fmt(v); } };
    if ((config.format || "count") === "count") valueTicks.precision = 0; // no 0.2-step ticks of small counts
    var valueAxis = { beginAtZero: true, stacked: stacked, ticks: valueTicks };
    var categoryAxis = { stacked: stacked, ticks: { autoSkip: true } };
    var scales = horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis };
    // a dataset with yAxisID "y1" (e.g. calls beside agents) gets its own axis on the right
    if (!horizontal && config.data.datasets.some(function (d) { return d.yAxisID === "y1"; })) {
      scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 } };
    }
    return {
      type: config.type || "bar",
      data: config.data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        indexAxis: horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { display: config.data.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var value = horizontal ? ctx.parsed.x : ctx.parsed.y;
                return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + fmt(value);
              }
            }
          }
        }
      }
    };
  }

  function draw(canvas) {
    if (canvas.dataset.chartDrawn || typeof window.Chart === "undefined") return;
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return;
    var config;
    try {
      config = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    canvas.dataset.chartDrawn = "1";
    var chart = new window.Chart(canvas, build(config));
    canvas.chart = chart;
    canvas.setAttribute("data-chart-ready", "1");
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
  // Charts inside content swapped in by htmx.
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
