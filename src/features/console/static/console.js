// The console's only script of its own: draws the overview's plots with uPlot from
// /console/overview/series.json (this instance's samples, or Prometheus), and redraws them every
// 15 s. Pages work without it.
(function () {
  'use strict';
  var plots = document.querySelectorAll('[data-plot]');
  if (plots.length === 0 || typeof uPlot === 'undefined') return;
  var charts = {};
  var pick = function (points, key) { return points.map(function (p) { return p[key]; }); };

  function data(kind, points) {
    var t = points.map(function (p) { return p.t / 1000; });
    if (kind === 'rates') return [t, pick(points, 'received'), pick(points, 'processed'), pick(points, 'notified')];
    return [t, pick(points, kind)];
  }

  var SERIES = {
    rates: [{}, { label: 'received/s', stroke: '#5b3fa6', width: 2 }, { label: 'processed/s', stroke: '#0b57a4', width: 2 }, { label: 'notified/s', stroke: '#8a4b00', width: 2 }],
    behind: [{}, { label: 'behind', stroke: '#7a4d00', width: 2 }],
    deadLetters: [{}, { label: 'dead letters', stroke: '#a31b1b', width: 2 }],
  };

  function draw(series) {
    var note = document.getElementById('plot-source');
    if (note) note.textContent = series.source === 'prometheus' ? 'From Prometheus (every instance).'
      : 'From this instance’s memory' + (series.fallback ? ' — Prometheus did not answer: ' + series.fallback : '') + '.';
    plots.forEach(function (el) {
      var kind = el.getAttribute('data-plot');
      var d = data(kind, series.points);
      if (charts[kind]) { charts[kind].setData(d); return; }
      charts[kind] = new uPlot({ width: Math.max(280, el.clientWidth || 320), height: 200, series: SERIES[kind], axes: [{}, {}] }, d, el);
    });
  }

  function load() {
    fetch('/console/overview/series.json', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) draw(body); })
      .catch(function () { /* the next round tries again */ });
  }
  load();
  setInterval(load, 15000);
})();
