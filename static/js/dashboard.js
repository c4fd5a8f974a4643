// Draws the dashboard's figures. Each chart is a <div data-figure="ID"> whose figure
// (built on the server) waits in <script type="application/json" id="ID">.
//
// Drawing a chart takes a while, so none is drawn before the page is usable: plotly.js
// loads without holding the page up (async), and once it is there, after a paint, the chart
// nearest the view goes first, one chart per frame; a chart further down waits until it
// comes within a screen of the view. A drawn chart gets data-drawn and a "chart drawn"
// performance mark. Printing draws every chart first.
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

  var waiting = []; // charts near the view, not drawn yet
  var scheduled = false;
  var near = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && waiting.indexOf(entry.target) < 0) waiting.push(entry.target);
      });
      schedule();
    },
    { rootMargin: "100% 0px" }
  );

  function colours() {
    var style = getComputedStyle(document.body);
    return {
      text: style.color,
      grid: style.getPropertyValue("--line").trim() || "#d5d8dc",
    };
  }

  function draw(element) {
    if (!window.Plotly) return; // not loaded yet: watch() starts drawing once it is
    near.unobserve(element);
    if (waiting.indexOf(element) >= 0) waiting.splice(waiting.indexOf(element), 1);
    var source = document.getElementById(element.dataset.figure);
    if (!source) return;
    var c = colours();
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
    Plotly.react(element, figure.data, layout, CONFIG).then(function () {
      if ("drawn" in element.dataset) return;
      element.dataset.drawn = "";
      performance.mark("chart drawn", { detail: element.dataset.figure });
    });
  }

  // How far a chart is from the view, in pixels: 0 when some of it shows.
  function distance(element) {
    var box = element.getBoundingClientRect();
    return Math.max(0, box.top - window.innerHeight, -box.bottom);
  }

  // The next chart after the next paint, so that the page shows and answers in between.
  function schedule() {
    if (scheduled || !waiting.length) return;
    scheduled = true;
    requestAnimationFrame(function () {
      setTimeout(function () {
        scheduled = false;
        waiting = waiting.filter(function (element) { return element.isConnected; });
        if (!waiting.length) return;
        waiting.sort(function (a, b) { return distance(a) - distance(b); });
        draw(waiting[0]);
        schedule();
      });
    });
  }

  function watch(root) {
    if (!window.Plotly) {
      var plotly = document.querySelector("script[data-plotly]");
      plotly.addEventListener("load", function () { watch(root); });
      return;
    }
    root.querySelectorAll("[data-figure]").forEach(function (element) { near.observe(element); });
  }

  function drawAll() {
    document.querySelectorAll("[data-figure]:not([data-drawn])").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { watch(document); });
  // The range links swap #charts with htmx: draw the new figures once they are in place.
  // htmx:load fires on content htmx has just put in the page (and once on <body> at start).
  document.addEventListener("htmx:load", function (event) {
    if (event.detail.elt !== document.body) watch(event.detail.elt);
  });
  // A new colour scheme redraws what is drawn; the rest take it when they are drawn.
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
    document.querySelectorAll("[data-figure][data-drawn]").forEach(draw);
  });
  // A print (or a PDF) must never catch a chart undrawn.
  window.addEventListener("beforeprint", drawAll);
})();
