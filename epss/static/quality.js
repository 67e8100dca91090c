// @ts-check
/* Charts of the quality pages: each <canvas data-chart="{json}"> is drawn with Chart.js,
   also after htmx swapped in a new result. No inline script: this works under the strict
   Content-Security-Policy. The data table beside each chart holds the same numbers. */
(function () {
  "use strict";

  /** A colour of the style sheet (a custom property), or the fallback.
   * @param {string} name
   * @param {string} fallback */
  function token(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  var PALETTE = function () {
    return [token("--epss-color-primary", "#154273"), token("--epss-color-warning-border", "#b35c00"),
            token("--epss-color-check-border", "#2e7d32"), token("--epss-color-critical", "#a4161a")];
  };

  /** @param {string[]} labels */
  function longest(labels) {
    return labels.reduce(function (most, label) { return Math.max(most, label.length); }, 0);
  }

  var LINE = 40; // characters of a label on one line, beside a lying bar

  /** A long label in lines of about LINE characters, broken between words.
   * @param {string} label */
  function lines(label) {
    /** @type {string[]} */
    var out = [];
    label.split(" ").forEach(function (word) {
      var last = out.length - 1;
      if (last >= 0 && (out[last] + " " + word).length <= LINE) out[last] += " " + word;
      else out.push(word);
    });
    return out;
  }

  /** Draws the charts in `root` not drawn yet.
   * @param {Element | Document} root */
  function draw(root) {
    const Chart = window.Chart; // loaded before this script, unless it failed
    if (typeof Chart === "undefined") return;
    /** @type {ArrayLike<HTMLCanvasElement>} */
    var canvases = root.querySelectorAll ? root.querySelectorAll("canvas[data-chart]") : [];
    Array.prototype.forEach.call(canvases, function (/** @type {HTMLCanvasElement} */ canvas) {
      if (canvas.dataset.drawn) return;
      /** @type {{ type: string, labels: string[], datasets: { label: string, data: (number | null)[] }[] }} */
      var spec = JSON.parse(/** @type {string} */ (canvas.dataset.chart));
      var colours = PALETTE();
      var line = spec.type === "line";
      // Bars lie down when there are many or long labels (task titles), so none is cut;
      // then each label gets its lines and the chart the height they need.
      var lying = !line && (spec.labels.length > 8 || longest(spec.labels) > 14);
      var labels = lying ? spec.labels.map(lines) : spec.labels;
      if (lying && canvas.parentElement) {
        var rows = labels.reduce(function (n, label) { return n + label.length; }, 0);
        canvas.parentElement.style.height = Math.max(320, 60 + rows * 16 + labels.length * 8) + "px";
      }
      var chart = new Chart(canvas, {
        type: spec.type,
        data: {
          labels: labels,
          datasets: spec.datasets.map(function (set, n) {
            return {label: set.label, data: set.data, backgroundColor: colours[n % colours.length],
                    borderColor: colours[n % colours.length], borderWidth: line ? 2 : 0,
                    spanGaps: false, pointRadius: line ? 4 : 0};
          })
        },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          indexAxis: lying ? "y" : "x",
          scales: {x: {beginAtZero: true, ticks: {precision: 0}},
                   y: {beginAtZero: true, ticks: {precision: 0, autoSkip: !lying}}},
          plugins: {legend: {display: spec.datasets.length > 1}}
        }
      });
      canvas.epssChart = chart;
      canvas.dataset.drawn = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // A refused filter or form answers 4xx with its message in the fragment: show it.
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && status !== 401 && status !== 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    if (!event.detail.shouldSwap) return;
    var canvases = event.detail.target.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      if (canvas.epssChart) canvas.epssChart.destroy();
    });
  });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.detail.elt || document); });
})();
