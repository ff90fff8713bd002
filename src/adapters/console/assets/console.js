/*
 * The incident console's only script. Vanilla, no framework, nothing fetched from elsewhere.
 * Everything it does is an extra: every page works without it (forms post, times read in UTC,
 * charts have tables). Each part looks for its elements and does nothing when they are absent.
 *
 *  - Buttons with data-confirm ask first; a command form sends the reader's time zone.
 *  - <time datetime> shows in the reader's zone; with data-relative also "(12 minutes ago)",
 *    kept current every 30 s.
 *  - An incident page (<main data-incident>) follows the incident's server-sent events and, on
 *    each `change`, fetches the page again and swaps <main>'s content, keeping focus, typed text,
 *    opened details and the scroll position, and says "Updated" to screen readers.
 *  - The dashboard draws its charts with Chart.js from <script type="application/json" id="dashboard-data">.
 */
(function () {
  'use strict';

  // ---- confirmations ---------------------------------------------------------------------------

  /** Set once a form of this page is submitted: the page is on its way out, stop redrawing it. */
  var leaving = false;

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var button = event.submitter || form.querySelector('[data-confirm]');
    var question = button && button.getAttribute ? button.getAttribute('data-confirm') : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // A time typed in a command (`started 02:40`) is read in the reader's zone, as the page shows times.
    var zone = form.querySelector('input[name="tz"]');
    if (zone && typeof Intl === 'object') zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    leaving = true;
    live.stop();
  });

  // ---- times -----------------------------------------------------------------------------------

  var relativeFormat = typeof Intl === 'object' && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat('en', { numeric: 'auto' }) : null;

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  /** "09:15" today, "2025-03-07 09:15" on other days, in the reader's zone. */
  function localWords(d, now) {
    var time = pad(d.getHours()) + ':' + pad(d.getMinutes());
    return sameDay(d, now) ? time : d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + time;
  }

  /** "12 minutes ago", "in 5 minutes", "just now". */
  function relativeWords(d, now) {
    var seconds = Math.round((d.getTime() - now.getTime()) / 1000);
    var abs = Math.abs(seconds);
    if (abs < 45) return 'just now';
    var unit;
    var value;
    if (abs < 3600) {
      unit = 'minute';
      value = Math.round(seconds / 60);
    } else if (abs < 86400) {
      unit = 'hour';
      value = Math.round(seconds / 3600);
    } else {
      unit = 'day';
      value = Math.round(seconds / 86400);
    }
    if (relativeFormat) return relativeFormat.format(value, unit);
    var n = Math.abs(value) + ' ' + unit + (Math.abs(value) === 1 ? '' : 's');
    return value < 0 ? n + ' ago' : 'in ' + n;
  }

  function formatTimes(root) {
    if (!root || !root.querySelectorAll) return;
    var now = new Date();
    var zone = '';
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    } catch (e) {
      zone = '';
    }
    var times = root.querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var d = new Date(el.getAttribute('datetime'));
      if (isNaN(d.getTime())) continue;
      if (!el.hasAttribute('data-utc')) {
        el.setAttribute('data-utc', el.textContent || '');
        el.title = (el.textContent || '') + (zone ? ' · shown in ' + zone : '');
      }
      var text = localWords(d, now);
      if (el.hasAttribute('data-relative')) text += ' (' + relativeWords(d, now) + ')';
      if (el.textContent !== text) el.textContent = text;
    }
  }

  // ---- live incident page ----------------------------------------------------------------------

  var announcer = document.getElementById('live');

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = '';
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  /** What identifies an element across two renderings of the page, to find it again after a swap. */
  function keyOf(el, main) {
    if (!el || el === main || !main.contains(el)) return null;
    if (el.id) return { id: el.id };
    var form = el.form || (el.closest ? el.closest('form') : null);
    if (form) {
      var payload = form.querySelector('input[name="payload"]');
      if (payload) return { payload: payload.value, tag: el.tagName };
    }
    if (el.tagName === 'SUMMARY' && el.parentElement && el.parentElement.getAttribute('data-step') !== null) {
      return { summaryOf: el.parentElement.getAttribute('data-step') };
    }
    return null;
  }

  function findByKey(key, main) {
    if (!key) return null;
    if (key.id) return document.getElementById(key.id);
    var i;
    if (key.payload !== undefined) {
      var payloads = main.querySelectorAll('input[name="payload"]');
      for (i = 0; i < payloads.length; i++) {
        if (payloads[i].value === key.payload) {
          var form = payloads[i].form;
          return form ? form.querySelector(key.tag === 'BUTTON' ? 'button' : '*') : null;
        }
      }
      return null;
    }
    if (key.summaryOf !== undefined) {
      var details = main.querySelectorAll('details[data-step]');
      for (i = 0; i < details.length; i++) {
        if (details[i].getAttribute('data-step') === key.summaryOf) return details[i].querySelector('summary');
      }
    }
    return null;
  }

  /** Typed text, the caret, opened details: what a person has going on in <main>. */
  function captureState(main) {
    var state = { fields: [], open: {}, focus: keyOf(document.activeElement, main), x: window.scrollX, y: window.scrollY };
    var fields = main.querySelectorAll('input[type="text"], input:not([type]), textarea');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (!f.id || f.value === f.defaultValue) continue;
      var sel = null;
      try {
        sel = [f.selectionStart, f.selectionEnd];
      } catch (e) {
        sel = null;
      }
      state.fields.push({ id: f.id, value: f.value, sel: sel });
    }
    var details = main.querySelectorAll('details');
    for (var j = 0; j < details.length; j++) {
      var k = details[j].getAttribute('data-step');
      if (k !== null) state.open[k] = details[j].open;
    }
    return state;
  }

  function restoreState(main, state) {
    var details = main.querySelectorAll('details');
    for (var j = 0; j < details.length; j++) {
      var k = details[j].getAttribute('data-step');
      if (k !== null && Object.prototype.hasOwnProperty.call(state.open, k)) details[j].open = state.open[k];
    }
    for (var i = 0; i < state.fields.length; i++) {
      var f = document.getElementById(state.fields[i].id);
      if (!f || !main.contains(f)) continue;
      f.value = state.fields[i].value;
      var sel = state.fields[i].sel;
      if (sel && document.activeElement !== f) {
        try {
          f.setSelectionRange(sel[0], sel[1]);
        } catch (e) {
          /* not a text field */
        }
      }
    }
    var target = findByKey(state.focus, main);
    if (target && typeof target.focus === 'function') {
      try {
        target.focus({ preventScroll: true });
      } catch (e) {
        target.focus();
      }
      var field = state.fields.filter(function (x) {
        return x.id === target.id;
      })[0];
      if (field && field.sel) {
        try {
          target.setSelectionRange(field.sel[0], field.sel[1]);
        } catch (e) {
          /* not a text field */
        }
      }
    }
    window.scrollTo(state.x, state.y);
  }

  var live = (function () {
    var main = document.querySelector('main[data-incident]');
    var source = null;
    var timer = null;
    var busy = false;
    var again = false;
    var retry = 2000;
    var stopped = false;

    function eventsUrl() {
      var url = main.getAttribute('data-events');
      if (url && url.charAt(0) === '/' && url.charAt(1) !== '/') return url;
      return window.location.pathname.replace(/\/+$/, '') + '/events';
    }

    function schedule() {
      if (stopped || leaving) return;
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    }

    function refresh() {
      timer = null;
      if (stopped || leaving) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      window
        .fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } })
        .then(function (res) {
          if (!res.ok) throw new Error('HTTP ' + res.status);
          return res.text();
        })
        .then(function (text) {
          if (stopped || leaving) return;
          var doc = new DOMParser().parseFromString(text, 'text/html');
          var fresh = doc.querySelector('main[data-incident]');
          // A sign-in page or another incident: leave this one as it is.
          if (!fresh || fresh.getAttribute('data-incident') !== main.getAttribute('data-incident')) return;
          var state = captureState(main);
          // The answer to the person's last command is shown once, on the page it led to; a redraw
          // fetches the page again without it, so the one already shown stays until they navigate.
          var answer = fresh.querySelector(':scope > .flash') ? null : main.querySelector(':scope > .flash');
          var nodes = [];
          if (answer) nodes.push(answer);
          for (var n = fresh.firstChild; n; n = n.nextSibling) nodes.push(document.importNode(n, true));
          main.replaceChildren.apply(main, nodes);
          if (doc.title) document.title = doc.title;
          formatTimes(main);
          restoreState(main, state);
          announce('Updated');
        })
        .catch(function () {
          /* the next change, or the next reconnect, tries again */
        })
        .then(function () {
          busy = false;
          if (again) {
            again = false;
            schedule();
          }
        });
    }

    function connect() {
      if (stopped || leaving) return;
      source = new window.EventSource(eventsUrl(), { withCredentials: true });
      source.addEventListener('change', schedule);
      source.addEventListener('open', function () {
        retry = 2000;
      });
      source.addEventListener('error', function () {
        if (source && source.readyState === 2) {
          source.close();
          source = null;
          window.setTimeout(connect, retry);
          retry = Math.min(retry * 2, 60000);
        }
      });
    }

    function stop() {
      stopped = true;
      if (timer) window.clearTimeout(timer);
      if (source) source.close();
      source = null;
    }

    if (main && typeof window.EventSource === 'function' && typeof window.fetch === 'function' && typeof window.DOMParser === 'function') {
      connect();
      window.addEventListener('pagehide', stop);
    }
    return { stop: stop };
  })();

  // ---- dashboard charts ------------------------------------------------------------------------

  function formatDuration(seconds) {
    var s = Math.round(seconds);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + pad(Math.floor((s % 3600) / 60)) + 'm';
    return Math.floor(s / 86400) + 'd ' + pad(Math.floor((s % 86400) / 3600)) + 'h';
  }

  function drawCharts() {
    var holder = document.getElementById('dashboard-data');
    var Chart = window.Chart;
    if (!holder || typeof Chart !== 'function') return;
    var data;
    try {
      data = JSON.parse(holder.textContent || 'null');
    } catch (e) {
      return;
    }
    if (!data || !Array.isArray(data.weeks) || !Array.isArray(data.charts)) return;
    var css = window.getComputedStyle(document.documentElement);
    var color = function (name, fallback) {
      var v = css.getPropertyValue(name);
      return v && v.trim() ? v.trim() : fallback;
    };
    var text = color('--text', '#f0f3f6');
    var muted = color('--muted', '#b7c0cc');
    var grid = color('--border', '#3b4452');
    // "All classes" in the text colour, the classes in hues told apart by shape and dash too.
    var palette = [text, '#8cc4ff', '#ffa657', '#56d364', '#ff7b72', '#d2a8ff', '#e3b341', '#79c0ff', '#ffb1d1'];
    var shapes = ['circle', 'rect', 'triangle', 'rectRot', 'star', 'crossRot', 'rectRounded', 'cross', 'circle'];
    var dashes = [[], [], [6, 4], [], [2, 3], [], [8, 3, 2, 3], [], [4, 4]];
    var canvases = document.querySelectorAll('canvas[data-chart]');
    for (var c = 0; c < data.charts.length; c++) {
      var chart = data.charts[c];
      var canvas = null;
      for (var k = 0; k < canvases.length; k++) if (canvases[k].getAttribute('data-chart') === chart.id) canvas = canvases[k];
      if (!canvas || !Array.isArray(chart.series)) continue;
      var minutes = chart.unit === 'minutes';
      var datasets = chart.series.map(function (s, i) {
        var hue = palette[i % palette.length];
        return {
          label: String(s.label),
          data: s.values,
          borderColor: hue,
          backgroundColor: hue,
          borderWidth: i === 0 ? 3 : 2,
          borderDash: dashes[i % dashes.length],
          pointStyle: shapes[i % shapes.length],
          pointRadius: 3,
          spanGaps: false,
          tension: 0,
        };
      });
      try {
        new Chart(canvas, {
          type: 'line',
          data: { labels: data.weeks, datasets: datasets },
          options: {
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            color: muted,
            interaction: { mode: 'index', intersect: false },
            scales: {
              x: { ticks: { color: muted }, grid: { color: grid }, title: { display: true, text: 'Week of', color: muted } },
              y: {
                beginAtZero: true,
                suggestedMax: minutes ? undefined : 100,
                ticks: {
                  color: muted,
                  callback: function (v) {
                    return minutes ? v + ' min' : v + '%';
                  },
                },
                grid: { color: grid },
              },
            },
            plugins: {
              legend: { labels: { color: text, usePointStyle: true } },
              tooltip: {
                callbacks: {
                  label: (function (isMinutes) {
                    return function (ctx) {
                      var v = ctx.parsed.y;
                      if (v === null || v === undefined || isNaN(v)) return ctx.dataset.label + ': —';
                      return ctx.dataset.label + ': ' + (isMinutes ? formatDuration(v * 60) : v.toFixed(1) + '%');
                    };
                  })(minutes),
                },
              },
            },
          },
        });
      } catch (e) {
        /* the table below the chart has the figures */
      }
    }
  }

  // ---- start -----------------------------------------------------------------------------------

  function start() {
    formatTimes(document);
    window.setInterval(function () {
      formatTimes(document);
    }, 30000);
    drawCharts();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
