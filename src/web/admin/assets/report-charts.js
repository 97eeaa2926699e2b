// Draws the report's charts from the JSON the server put in #chart-data (Chart.js, loaded before
// this file). The same numbers are in the table under each chart.
(function () {
  'use strict';
  var el = document.getElementById('chart-data');
  if (!el || !window.Chart) return;
  var charts = JSON.parse(el.textContent || '[]');
  var nf = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
  var pf = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });
  var colors = ['#1565c0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#ad1457', '#4e342e', '#546e7a', '#9e9d24', '#283593', '#00695c'];
  charts.forEach(function (c) {
    var canvas = document.getElementById('chart-' + c.id);
    if (!canvas) return;
    var format = function (v) { return v === null || v === undefined ? '—' : c.unit === 'percent' ? pf.format(v) : nf.format(v); };
    new window.Chart(canvas, {
      type: c.kind,
      data: {
        labels: c.labels,
        datasets: c.series.map(function (s, i) {
          return { label: s.name, data: s.values, backgroundColor: colors[i % colors.length], borderColor: colors[i % colors.length], spanGaps: true };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: 'vi-VN',
        scales: {
          x: { stacked: !!c.stacked },
          y: { stacked: !!c.stacked, beginAtZero: true, max: c.unit === 'percent' ? 1 : undefined, ticks: { callback: format, precision: c.unit === 'count' ? 0 : undefined } }
        },
        plugins: {
          legend: { display: c.series.length > 1 },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ': ' + format(ctx.raw); } } }
        }
      }
    });
    canvas.setAttribute('data-drawn', '1');
  });
})();
