// Timeline: an account over time on one axis — messages sent, bounces by reason and
// complaints, DMARC pass rate and blocklist listings — with a line and a number wherever
// something changed (a DNS record edited, a DKIM selector added, a listing appearing), so a
// spike can be tied to its cause. Charts are uPlot (canvas; drag to zoom, double-click to zoom
// out), the two kept on the same range; the list of changes is text nodes.

import { backend } from '../backend.js';
import { h, replace } from '../dom.js';
import { showError } from '../errors.js';
import { fillAccountSelect, loadAccounts } from '../current.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').Timeline} Timeline */
/** @typedef {import('../bindings').TimelineEvent} TimelineEvent */
/** @typedef {import('uplot')} UPlot */
/** @typedef {import('uplot').Options} UPlotOptions */
/** @typedef {import('uplot').AlignedData} AlignedData */

const DAY = 86400;
/** At most this many days are charted (the newest). */
const MAX_DAYS = 1100;
const REASON_COLOURS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#ca8a04', '#6b7280'];
/** Annotation colour by event kind. */
const EVENT_COLOURS = /** @type {Record<string, string>} */ ({ dns: '#7c3aed', finding: '#d97706', listed: '#dc2626', delisted: '#059669' });

/** @type {Promise<typeof import('uplot')> | null} */
let uplotModule = null;
/** The open view's redraw on a light/dark switch (one at a time). @type {(() => void) | null} */
let onSchemeChange = null;
const darkQuery = matchMedia('(prefers-color-scheme: dark)');

/** uPlot, loaded on first use (it is copied into www/vendor by `cargo xtask run|test`). */
function loadUplot() {
  if (!uplotModule) {
    // uPlot formats numbers with navigator.language when it loads; under the C/POSIX locale
    // WebKit reports "c", which Intl rejects. Such a system has no language preference: use
    // en-US for the charts.
    try {
      new Intl.NumberFormat(navigator.language);
    } catch {
      Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
    }
    const url = new URL('../../vendor/uPlot.esm.js', import.meta.url).href;
    uplotModule = import(url).then((m) => /** @type {typeof import('uplot')} */ (m.default));
    uplotModule.catch(() => { uplotModule = null; });
  }
  return uplotModule;
}

/** @param {number} t */
function day(t) {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/** @param {number} t */
function when(t) {
  return new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

/** @param {string} name */
function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * The per-day series on a continuous day axis (days without data count zero; rates and
 * listings stay empty where nothing was measured).
 * @param {Timeline} t
 */
function series(t) {
  const starts = [...t.days.map((d) => d.day), ...t.events.map((e) => Math.floor(e.at / DAY) * DAY)];
  if (starts.length === 0) return null;
  const last = Math.max(...starts);
  const first = Math.max(Math.min(...starts), last - (MAX_DAYS - 1) * DAY);
  const byDay = new Map(t.days.map((d) => [d.day, d]));
  /** @type {number[]} */ const xs = [];
  /** @type {number[]} */ const sent = [];
  /** @type {number[][]} */ const reasons = t.reasons.map(() => []);
  /** @type {number[]} */ const complaints = [];
  /** @type {(number | null)[]} */ const dmarc = [];
  /** @type {(number | null)[]} */ const listings = [];
  for (let x = first; x <= last; x += DAY) {
    const d = byDay.get(x);
    xs.push(x);
    sent.push(d ? d.sent : 0);
    t.reasons.forEach((_, i) => reasons[i].push(d ? d.bounces[i] ?? 0 : 0));
    complaints.push(d ? d.complaints : 0);
    dmarc.push(d && d.dmarc_messages > 0 ? Math.round(1000 * d.dmarc_pass / d.dmarc_messages) / 10 : null);
    listings.push(d && d.listings !== null ? d.listings : null);
  }
  return { xs, sent, reasons, complaints, dmarc, listings, clipped: first > Math.min(...starts) };
}

/** @param {HTMLElement} root */
export async function timelineView(root) {
  const accountSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'tl-account' }));
  const zoom = h('div', { class: 'row', id: 'tl-zoom', role: 'group', 'aria-label': 'Zoom' },
    ...[['7', '7 days'], ['30', '30 days'], ['90', '90 days'], ['all', 'All']].map(([v, label]) =>
      h('button', { type: 'button', class: 'secondary', 'data-zoom': v, text: label })));
  const body = h('div', { id: 'tl-body' }, h('p', { class: 'hint', text: 'Loading…' }));
  replace(root, h('h1', { text: 'Timeline' }),
    h('p', { class: 'lead', text: 'Bounces, complaints, DMARC pass rate, blocklist listings and DNS changes on one time axis. Drag across a chart to zoom in, double-click to zoom out; pick a change below to see the days around it.' }),
    h('div', { class: 'panel row' }, h('label', { for: 'tl-account', text: 'Account' }), accountSelect, zoom),
    body);

  const accounts = await loadAccounts();
  if (accounts.length === 0) {
    replace(body, h('div', { class: 'panel' }, h('p', { class: 'empty', id: 'tl-empty', text: 'No accounts yet. Create one in Accounts, then import its bounces, reports and sending logs in Feeds and run its checks.' })));
    return;
  }
  fillAccountSelect(accountSelect, accounts);

  /** @type {UPlot[]} */
  let charts = [];
  /** @type {ResizeObserver | null} */
  let resize = null;

  /** Sets every chart to [min, max] and notes the range on the chart boxes. @param {number} min @param {number} max */
  function setRange(min, max) {
    for (const c of charts) c.setScale('x', { min, max });
  }

  async function load() {
    /** @type {Timeline} */
    let t;
    try {
      t = await backend.accountTimeline(Number(accountSelect.value));
      showError(null);
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
      return;
    }
    for (const c of charts) c.destroy();
    charts = [];
    resize?.disconnect();
    const s = series(t);
    if (!s) {
      replace(body, h('div', { class: 'panel' }, h('p', { class: 'empty', id: 'tl-no-data', text: 'Nothing on the timeline yet: import bounces, complaints, DMARC reports or a sending log in Feeds, and audit the domains or check the blocklists (Overview: Re-run all checks) to record DNS and listing changes.' })));
      return;
    }
    /** @type {typeof import('uplot')} */
    let uPlot;
    try {
      uPlot = await loadUplot();
    } catch (e) {
      replace(body, h('div', { class: 'panel' }, h('p', { class: 'empty', id: 'tl-no-chart', text: `The chart library is missing (${String(e)}): start the app with "cargo xtask run", which installs it.` })));
      return;
    }
    const boxA = h('div', { id: 'tl-chart-volume', class: 'tl-chart' });
    const boxB = h('div', { id: 'tl-chart-auth', class: 'tl-chart' });
    const events = t.events.filter((e) => e.at >= s.xs[0]);
    const list = eventList(events);
    replace(body,
      h('div', { class: 'panel' }, h('h2', { text: 'Sent, bounces by reason, complaints' }), boxA,
        h('h2', { text: 'DMARC pass rate and blocklist listings' }), boxB,
        s.clipped ? h('p', { class: 'hint', text: `Only the newest ${MAX_DAYS} days are charted.` }) : null),
      h('div', { class: 'panel' }, h('h2', { text: `Changes (${events.length})` }), list));

    const text = cssVar('--text');
    const grid = cssVar('--line');
    const axis = (/** @type {string} */ scale, /** @type {number} */ side, /** @type {string} */ label) =>
      ({ scale, side, label, stroke: text, grid: { stroke: grid, width: 1, show: side === 3 }, ticks: { stroke: grid } });
    const xAxis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    /** Vertical lines with numbers where something changed. @param {UPlot} u */
    const annotate = (u) => {
      const ctx = u.ctx;
      const { top, height } = u.bbox;
      ctx.save();
      events.forEach((e, i) => {
        const x = Math.round(u.valToPos(e.at, 'x', true));
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        ctx.strokeStyle = EVENT_COLOURS[e.kind] ?? text;
        ctx.fillStyle = ctx.strokeStyle;
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        ctx.fillText(String(i + 1), x + 3 * devicePixelRatio, top + 12 * devicePixelRatio * (1 + (i % 3)));
      });
      ctx.restore();
    };
    let syncing = false;
    /** @param {UPlot} u @param {string} key */
    const onScale = (u, key) => {
      if (key !== 'x') return;
      const min = u.scales.x.min ?? 0;
      const max = u.scales.x.max ?? 0;
      for (const b of [boxA, boxB]) {
        b.dataset.from = day(min);
        b.dataset.to = day(max);
      }
      if (syncing) return;
      syncing = true;
      for (const c of charts) if (c !== u) c.setScale('x', { min, max });
      syncing = false;
    };
    const width = () => Math.max(320, (boxA.parentElement?.clientWidth ?? 900) - 34);
    // Days are UTC days (as the store counts them): the axis shows UTC, whatever the zone.
    const tzDate = (/** @type {number} */ ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
    /** @type {UPlotOptions} */
    const optsA = {
      width: width(), height: 260, tzDate,
      cursor: { sync: { key: 'timeline' }, drag: { x: true, y: false } },
      scales: { x: { time: true }, n: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max)] }, sent: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [xAxis, axis('n', 3, 'bounces, complaints'), axis('sent', 1, 'sent')],
      series: [
        { label: 'day', value: (_u, v) => (v === null ? '—' : day(v)) },
        { label: 'sent', scale: 'sent', stroke: '#94a3b8', fill: 'rgba(148,163,184,0.15)', width: 1 },
        ...t.reasons.map((r, i) => ({ label: r, scale: 'n', stroke: REASON_COLOURS[i % REASON_COLOURS.length], width: 2, points: { show: true, size: 4 } })),
        { label: 'complaints', scale: 'n', stroke: '#dc2626', width: 2, dash: [4, 3], points: { show: true, size: 4 } },
      ],
      hooks: { draw: [annotate], setScale: [onScale] },
    };
    /** @type {AlignedData} */
    const dataA = [s.xs, s.sent, ...s.reasons, s.complaints];
    /** @type {UPlotOptions} */
    const optsB = {
      width: width(), height: 200, tzDate,
      cursor: { sync: { key: 'timeline' }, drag: { x: true, y: false } },
      scales: { x: { time: true }, pct: { auto: false, range: [0, 100] }, listings: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [xAxis, axis('pct', 3, 'DMARC pass %'), axis('listings', 1, 'listings')],
      series: [
        { label: 'day', value: (_u, v) => (v === null ? '—' : day(v)) },
        { label: 'DMARC pass %', scale: 'pct', stroke: '#16a34a', width: 2, spanGaps: true, points: { show: true, size: 5 } },
        { label: 'listings', scale: 'listings', stroke: '#dc2626', width: 2, spanGaps: true, points: { show: true, size: 6 } },
      ],
      hooks: { draw: [annotate], setScale: [onScale] },
    };
    /** @type {AlignedData} */
    const dataB = [s.xs, s.dmarc, s.listings];
    charts = [new uPlot(optsA, dataA, boxA), new uPlot(optsB, dataB, boxB)];
    const lastDay = s.xs[s.xs.length - 1];
    const all = { min: s.xs[0], max: lastDay + DAY };
    setRange(all.min, all.max);
    root.dataset.ready = 'true';
    resize = new ResizeObserver(() => { for (const c of charts) c.setSize({ width: width(), height: c.height }); });
    resize.observe(body);

    for (const b of zoom.querySelectorAll('button')) {
      /** @type {HTMLElement} */ (b).onclick = () => {
        const v = /** @type {HTMLElement} */ (b).dataset.zoom;
        if (v === 'all') setRange(all.min, all.max);
        else setRange(Math.max(all.min, all.max - Number(v) * DAY), all.max);
      };
    }
    for (const row of list.querySelectorAll('tr[data-at]')) {
      /** @type {HTMLElement} */ (row).onclick = () => {
        const at = Number(/** @type {HTMLElement} */ (row).dataset.at);
        setRange(Math.max(all.min, at - 14 * DAY), Math.min(all.max, at + 14 * DAY));
        for (const r of list.querySelectorAll('tr.selected')) r.classList.remove('selected');
        row.classList.add('selected');
      };
      /** @type {HTMLElement} */ (row).onkeydown = (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); /** @type {HTMLElement} */ (row).click(); }
      };
    }
  }

  accountSelect.addEventListener('change', () => { delete root.dataset.ready; void load(); });
  // The charts take their colours when drawn: draw again when the system switches light/dark.
  if (onSchemeChange) darkQuery.removeEventListener('change', onSchemeChange);
  onSchemeChange = () => { if (root.isConnected && root.dataset.view === 'timeline') void load(); };
  darkQuery.addEventListener('change', onSchemeChange);
  await load();
}

/**
 * The changes as a table, numbered as on the chart; a row zooms the charts to it.
 * @param {TimelineEvent[]} events
 */
function eventList(events) {
  if (events.length === 0) {
    return h('p', { class: 'empty', id: 'tl-no-events', text: 'No changes recorded yet. Each audit and blocklist check is compared with the one before it; re-run them (Overview) after the customer changes DNS or gets listed.' });
  }
  return h('div', { class: 'scroll' }, h('table', { class: 'facts-table', id: 'tl-events' },
    h('thead', {}, h('tr', {}, ...['#', 'when (UTC)', 'what', 'about', 'evidence'].map((c) => h('th', { text: c })))),
    h('tbody', {}, ...events.map((e, i) => h('tr', { 'data-at': String(e.at), 'data-kind': e.kind, tabindex: '0', class: 'event' },
      h('td', {}, h('span', { class: `event-dot ${e.kind}`, text: String(i + 1) })),
      h('td', { text: when(e.at) }),
      h('td', { class: 'wrap event-title', text: e.title }),
      h('td', { class: 'wrap', text: e.target }),
      h('td', {}, e.evidence.length > 0 ? h('pre', { class: 'evidence', text: e.evidence.join('\n') }) : null))))));
}
