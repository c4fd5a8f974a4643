// Draws the dashboard's figures. Each chart is a <div data-figure="ID"> whose figure
// (built on the server) waits in <script type="application/json" id="ID">.
(function () {
  "use strict";

  // Nothing on a chart may send it elsewhere: no toolbar (its "Share chart…" uploads the
  // figure to plotly's cloud), no logo link, no server to upload to. Hover labels stay.
  // (showLink and showEditInChartStudio are gone since plotly.js 4: nothing to turn off.)
  var CONFIG = {
    responsive: true,
    displayModeBar: false,
    displaylogo: false,
    showSendToCloud: false,
    plotlyServerURL: "",
    scrollZoom: false,
    doubleClick: false,
    showAxisDragHandles: false,
    showTips: false,
  };

  function colours() {
    var style = getComputedStyle(document.body);
    return {
      text: style.color,
      grid: style.getPropertyValue("--line").trim() || "#d5d8dc",
    };
  }

  function draw(root) {
    if (!window.Plotly) return;
    var c = colours();
    root.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      var layout = Object.assign({}, figure.layout, {
        paper_bgcolor: "rgba(0,0,0,0)",
        plot_bgcolor: "rgba(0,0,0,0)",
        font: { color: c.text, family: "system-ui, sans-serif", size: 12 },
        autosize: true,
        // Hover only: no zoom or pan by drag, and a finger on a chart scrolls the page.
        dragmode: false,
      });
      var narrow = element.clientWidth < 560;
      ["xaxis", "yaxis", "yaxis2"].forEach(function (axis) {
        if (!layout[axis]) return;
        layout[axis] = Object.assign({ gridcolor: c.grid, zerolinecolor: c.grid }, layout[axis]);
        // On a phone, long trigger titles would leave no room for the cells.
        if (narrow && layout[axis].ticktext) {
          layout[axis].ticktext = layout[axis].ticktext.map(function (text) {
            return text.length > 18 ? text.slice(0, 17) + "…" : text;
          });
        }
      });
      Plotly.react(element, figure.data, layout, CONFIG);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // The range links swap #charts with htmx: draw the new figures once they are in place.
  // htmx:load fires on content htmx has just put in the page (and once on <body> at start).
  document.addEventListener("htmx:load", function (event) {
    if (event.detail.elt !== document.body) draw(event.detail.elt);
  });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () { draw(document); });
})();
