// A searchable, paged table of bookings (Future and Delete tabs).
import { dateField } from '../date_field';
import { call, query, type Booking, type Page as ApiPage } from '../api';
import type { AppContext } from '../app';
import { clear, h } from '../dom';
import { errorText } from '../errors';
import { formatDate, formatDateTime, formatEnd, NBSP } from '../format';
import { t, type Key } from '../i18n';

export interface TableOptions {
  states: string[];                          // states the table offers ('' = any)
  defaultState: string;
  action(b: Booking, reload: () => void): HTMLElement | null;
}

export function bookingTable(ctx: AppContext, opts: TableOptions): HTMLElement {
  const limit = 20;
  let offset = 0;
  const number = h('input', { id: 'q-number', type: 'search', inputmode: 'numeric' });
  const name = h('input', { id: 'q-name', type: 'search' });
  const owner = h('input', { id: 'q-owner', type: 'search' });
  const state = h('select', { id: 'q-state' }, opts.states.map((s) =>
    h('option', { value: s, selected: s === opts.defaultState }, s ? t(s as Key) : t('any'))));
  const from = dateField({ id: 'q-from', withTime: false });
  const to = dateField({ id: 'q-to', withTime: false });
  const body = h('div', { class: 'table-wrap' });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const pager = h('div', { class: 'pager' });

  async function load(): Promise<void> {
    status.textContent = t('loading');
    try {
      const page = await call<ApiPage<Booking>>('GET', '/bookings' + query({
        number: number.value.trim(), name: name.value.trim(), owner: owner.value.trim(), state: state.value,
        from: from.iso(), to: to.iso(), limit, offset, sort: 'valid_from', order: 'asc',
      }));
      draw(page);
    } catch (e) {
      status.textContent = errorText(e);
    }
  }
  // An end on another day than the start shows its date above its time (two lines on purpose): on one line the
  // table outgrew a 1024 px screen whenever a booking ran past midnight.
  const endCell = (text: string) => {
    const i = text.indexOf(NBSP);
    return i < 0 ? text : [text.slice(0, i), h('br'), text.slice(i + 1)];
  };
  function draw(page: ApiPage<Booking>): void {
    clear(body);
    clear(pager);
    status.textContent = page.total ? `${page.total} ${t(page.total === 1 ? 'result' : 'results')}` : t('no_results');
    if (!page.items.length) return;
    // The columns the original lists for Future (number, creator, creation, expiry, start — the opening when it
    // opened, else the start of validity —, end, size), plus name and state. Dates are compact and never wrap;
    // the name wraps; at laptop widths the lower-priority columns (.col-low) go first (style.css).
    const col = (label: string, cls = '', title?: string) => h('th', { scope: 'col', class: cls, title }, label);
    body.appendChild(h('table', { class: 'data bookings' },
      h('thead', {}, h('tr', {}, col(t('col_number')), col(t('name'), 'wrap'), col(t('owner')), col(t('state'), 'col-low'),
        col(t('created'), 'col-low'), col(t('start')), col(t('ends')), col(t('expires')),
        col(t('col_max'), 'num', t('max_participants')), col(''))),
      h('tbody', {}, page.items.map((b) => {
        const start = b.opened_at ?? b.valid_from;
        // When it ended: the real end; else the planned one, start + duration.
        const end = b.ended_at ?? new Date(Date.parse(start) + b.duration_minutes * 60000).toISOString();
        return h('tr', { 'data-booking': b.id },
          h('td', { class: 'mono' }, b.number), h('td', { class: 'wrap' }, b.name), h('td', {}, b.owner),
          h('td', { class: 'col-low' }, h('span', { class: `badge badge-${b.state}` }, t(b.state))),
          h('td', { class: 'col-low' }, formatDate(b.created_at)),
          h('td', { title: b.opened_at ? t('opened') : t('valid_from') }, formatDateTime(start)),
          h('td', { title: `${b.duration_minutes} ${t('minutes')}` }, endCell(formatEnd(start, end))),
          h('td', {}, formatDateTime(b.valid_until)),
          h('td', { class: 'num' }, b.max_participants), h('td', { class: 'row-actions' }, opts.action(b, load)));
      }))));
    const prev = h('button', { class: 'secondary small', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - limit); void load(); } }, t('previous'));
    const next = h('button', { class: 'secondary small', disabled: offset + limit >= page.total, onclick: () => { offset += limit; void load(); } }, t('next'));
    pager.append(prev, h('span', {}, `${offset + 1}–${Math.min(offset + limit, page.total)} / ${page.total}`), next);
  }
  const lbl = (id: string, key: Key, el: HTMLElement) => h('div', { class: 'field' }, h('label', { for: id }, t(key)), el);
  const form = h('form', { class: 'search', role: 'search', onsubmit: (ev: Event) => { ev.preventDefault(); offset = 0; void load(); } },
    lbl('q-number', 'number', number), lbl('q-name', 'name', name),
    ctx.isAdmin ? lbl('q-owner', 'owner', owner) : null,
    lbl('q-state', 'state', state), lbl('q-from', 'from', from.el), lbl('q-to', 'to', to.el),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('search'))));
  void load();
  return h('div', {}, form, status, body, pager);
}
