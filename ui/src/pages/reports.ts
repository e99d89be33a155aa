// Reports: a date range → totals, per owner, per access number, an SVG chart of minutes per day, CSV export.
import { dateField } from '../date_field';
import { call, query, type Report, type ReportConference, type ReportRow, type Revenue } from '../api';
import type { Page } from '../app';
import { clear, h, svg } from '../dom';
import { errorText, labelled } from '../errors';
import { formatDateTime, formatMoney, formatNumber, today } from '../format';
import { t, type Key } from '../i18n';

function table(rows: ReportRow[], keyLabel: string, emptyKey = ''): HTMLElement {
  if (!rows.length) return h('p', { class: 'notice' }, t('no_results'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, [keyLabel, t('planned'), t('used'), t('conference_minutes'), t('participant_minutes')].map((x, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, r.key || emptyKey), h('td', { class: 'num' }, r.planned),
      h('td', { class: 'num' }, r.used), h('td', { class: 'num' }, formatNumber(r.conference_minutes)), h('td', { class: 'num' }, formatNumber(r.participant_minutes)))))));
}

// The planned and used conferences themselves (the original's "toutes les conférences planifiées, utilisées"),
// deleted ones included and marked.
function conferenceTable(rows: ReportConference[]): HTMLElement {
  if (!rows.length) return h('p', { class: 'notice' }, t('no_results'));
  const state = (s: string) => s === 'deleted' ? h('span', { class: 'badge badge-rec' }, t('state_deleted'))
    : h('span', { class: `badge badge-${s}` }, t(s === 'active' ? 'active' : s === 'ended' ? 'ended' : 'scheduled'));
  // Compact enough for a 1024 px laptop: the planned window on two lines, both minute counts in one column.
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'report-conferences' },
    h('thead', {}, h('tr', {}, [t('col_number'), t('name'), t('owner'), t('col_planned'), t('state'), t('col_minutes'), t('participants')]
      .map((x, i) => h('th', { scope: 'col', class: i >= 5 ? 'num' : '' }, x)))),
    h('tbody', {}, rows.map((c) => h('tr', { 'data-booking': c.booking_id },
      h('td', { class: 'mono' }, c.number), h('td', {}, c.name), h('td', {}, c.owner),
      h('td', { title: `${t('planned_start')} → ${t('planned_end')}` }, formatDateTime(c.planned_start), h('br'), '→\u00a0' + formatDateTime(c.planned_end)),
      h('td', {}, state(c.state)),
      h('td', { class: 'num', title: `${t('conference_minutes')} / ${t('participant_minutes')}` }, `${formatNumber(c.conference_minutes)} / ${formatNumber(c.participant_minutes)}`),
      h('td', { class: 'num' }, c.participants))))));
}

// Every day of [from, to] (YYYY-MM-DD), with zeros where the report has no row.
function allDays(from: string, to: string, rows: ReportRow[]): ReportRow[] {
  const byDay = new Map(rows.map((r) => [r.key, r]));
  const out: ReportRow[] = [];
  for (let d = new Date(from + 'T12:00:00Z'); d <= new Date(to + 'T12:00:00Z') && out.length < 400; d = new Date(d.getTime() + 86400000)) {
    const key = d.toISOString().slice(0, 10);
    out.push(byDay.get(key) ?? { key, planned: 0, used: 0, conference_minutes: 0, participant_minutes: 0 });
  }
  return out;
}

// The smallest of 4, 8, 20, 40, 80, 200, … that is >= v, so the four grid steps are whole numbers.
function niceMax(v: number): number {
  for (let m = 1; ; m *= 10) for (const k of [4, 8, 20]) if (k * m >= v) return k * m;
}

export function chart(days: ReportRow[]): SVGElement {
  const w = 720, hgt = 240, left = 44, bottom = 28, top = 12;
  const max = niceMax(Math.max(1, ...days.map((d) => d.participant_minutes)));
  const step = days.length ? (w - left - 8) / days.length : 0;
  const root = svg('svg', { viewBox: `0 0 ${w} ${hgt}`, class: 'chart', role: 'img', 'aria-label': t('minutes_per_day') });
  root.appendChild(svg('title', {}, t('minutes_per_day')));
  for (let i = 0; i <= 4; i++) {
    const y = top + ((hgt - top - bottom) * i) / 4;
    root.appendChild(svg('line', { x1: left, x2: w - 4, y1: y, y2: y, class: 'grid-line' }));
    root.appendChild(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, formatNumber(Math.round(max * (1 - i / 4)))));
  }
  days.forEach((d, i) => {
    const bh = ((hgt - top - bottom) * d.participant_minutes) / max;
    const x = left + i * step + step * 0.15;
    const bar = svg('rect', { x, y: hgt - bottom - bh, width: Math.max(1, step * 0.7), height: bh, class: 'bar', rx: 2 });
    bar.appendChild(svg('title', {}, labelled(d.key, `${formatNumber(d.participant_minutes)} ${t('minutes')}`)));
    root.appendChild(bar);
    if (days.length <= 14 || i % Math.ceil(days.length / 14) === 0) {
      root.appendChild(svg('text', { x: x + step * 0.35, y: hgt - 8, 'text-anchor': 'middle', class: 'axis' }, `${d.key.slice(8, 10)}/${d.key.slice(5, 7)}`));  // day/month, as the date fields
    }
  });
  return root;
}

// Revenue (issue 16): what the conferences held were charged (the ledger's capture lines), per day, owner or
// access number, with its CSV. Nothing is shown while no booking was ever charged in the period.
// The Revenue section shares the report's dates: it loads once the report did (a bad date is said once, by the
// report's form) and is emptied when the report fails.
function revenueSection(from: () => string, to: () => string): { el: HTMLElement; load(): Promise<void>; reset(): void } {
  const by = h('select', { id: 'rev-by' }, (['day', 'owner', 'access_number'] as const).map((b) => h('option', { value: b }, t(`by_${b}` as Key))));
  const csv = h('a', { class: 'button secondary', id: 'revenue-csv', href: '#', download: 'confpro-revenue.csv' }, t('export_revenue_csv'));
  const out = h('div', { id: 'revenue', 'aria-live': 'polite' });
  async function load(): Promise<void> {
    const params = { from: from(), to: to(), by: by.value };
    csv.setAttribute('href', '/api/v1/reports/revenue' + query({ ...params, format: 'csv' }));
    try {
      const r = await call<Revenue>('GET', '/reports/revenue' + query(params));
      clear(out);
      if (!r.items.length) { out.appendChild(h('p', { class: 'notice' }, t('revenue_none'))); return; }
      const keyLabel = t(`by_${r.by}` as Key);
      out.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'revenue-table' },
        h('thead', {}, h('tr', {}, [keyLabel, t('captures'), t('revenue')].map((x, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, x)))),
        h('tbody', {}, r.items.map((row) => h('tr', {}, h('td', {}, row.key || (r.by === 'access_number' ? t('direct') : '—')),
          h('td', { class: 'num' }, row.captures), h('td', { class: 'num' }, formatMoney(row.amount, row.currency))))),
        h('tfoot', {}, r.totals.map((tot) => h('tr', {}, h('th', { scope: 'row' }, t('revenue_total')),
          h('td', { class: 'num' }, tot.captures), h('td', { class: 'num', 'data-total': tot.amount }, formatMoney(tot.amount, tot.currency))))))));
    } catch (e) { clear(out); out.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }
  by.addEventListener('change', () => void load());
  const el = h('section', { id: 'revenue-section' }, h('h2', {}, t('revenue')),
    h('div', { class: 'search' }, h('div', { class: 'field' }, h('label', { for: 'rev-by' }, t('revenue_by')), by),
      h('div', { class: 'field field-button' }, csv)), out);
  return { el, load, reset: () => clear(out) };
}

export const reportsPage: Page = (root) => {
  const from = dateField({ id: 'r-from', withTime: false, value: today(-30), required: true });
  const to = dateField({ id: 'r-to', withTime: false, value: today(), required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const csv = h('a', { class: 'button secondary', href: '#', download: 'confpro-report.csv' }, t('export_csv'));
  const csvConferences = h('a', { class: 'button secondary', href: '#', download: 'confpro-conferences.csv' }, t('export_conferences_csv'));
  const revenue = revenueSection(() => from.iso(), () => to.iso());
  async function load(): Promise<void> {
    clear(out);
    out.appendChild(h('p', { class: 'muted' }, t('loading')));
    const q = query({ from: from.iso(), to: to.iso() });
    csv.setAttribute('href', '/api/v1/reports' + query({ from: from.iso(), to: to.iso(), format: 'csv' }));
    csvConferences.setAttribute('href', '/api/v1/reports' + query({ from: from.iso(), to: to.iso(), format: 'csv', part: 'conferences' }));
    try {
      const r = await call<Report>('GET', '/reports' + q);
      clear(out);
      const tile = (label: string, value: number) => h('div', { class: 'tile' }, h('div', { class: 'tile-value' }, formatNumber(value)), h('div', { class: 'tile-label' }, label));
      out.append(h('h2', {}, t('totals')),
        h('div', { class: 'tiles' }, tile(t('planned'), r.totals.planned), tile(t('used'), r.totals.used),
          tile(t('conference_minutes'), r.totals.conference_minutes), tile(t('participant_minutes'), r.totals.participant_minutes)),
        h('h2', {}, t('conferences_list')), conferenceTable(r.conferences ?? []),
        r.conferences_truncated ? h('p', { class: 'notice' }, t('list_truncated')) : '',
        h('h2', {}, t('minutes_per_day')), h('div', { class: 'card chart-card' }, chart(allDays(from.iso(), to.iso(), r.per_day))),
        h('h2', {}, t('per_owner')), table(r.per_owner, t('owner')),
        h('h2', {}, t('per_access_number')), table(r.per_access_number, t('access_number'), t('direct')));
      void revenue.load();
    } catch (e) {
      clear(out);
      revenue.reset();
      out.appendChild(h('p', { class: 'form-error', role: 'alert' }, errorText(e)));
    }
  }
  root.append(h('h1', {}, t('tab_reports')),
    h('form', { class: 'search', onsubmit: (ev: Event) => { ev.preventDefault(); void load(); } },
      h('div', { class: 'field' }, h('label', { for: 'r-from' }, t('from')), from.el),
      h('div', { class: 'field' }, h('label', { for: 'r-to' }, t('to')), to.el),
      h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('show'))),
      h('div', { class: 'field field-button' }, csv),
      h('div', { class: 'field field-button' }, csvConferences)),
    out, revenue.el);
  void load();
};
