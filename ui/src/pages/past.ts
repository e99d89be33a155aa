// Past: ended conferences with search; the detail shows each connection and the recording.
import { dateField } from '../date_field';
import { call, query, type Connection, type PastConference, type Page as ApiPage } from '../api';
import type { Page } from '../app';
import { append, clear, h } from '../dom';
import { errorText } from '../errors';
import { formatDateTime, formatDateTimeSeconds, formatDuration, formatNumber, formatPercent } from '../format';
import { reasonText, t } from '../i18n';

// A conference whose booking was deleted stays in the history, marked so (issue 12 item 8).
function deletedBadge(s: PastConference): HTMLElement | null {
  return s.deleted ? h('span', { class: 'badge badge-rec', title: `${t('deleted_by')} ${s.deleted_by ?? ''} · ${formatDateTime(s.deleted_at)}` }, t('state_deleted')) : null;
}

export const pastPage: Page = (root, ctx, param) => {
  if (param) { void detail(root, param, () => ctx.navigate('/past')); return; }
  const number = h('input', { id: 'p-number', type: 'search', inputmode: 'numeric' });
  const from = dateField({ id: 'p-from', withTime: false });
  const to = dateField({ id: 'p-to', withTime: false });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const body = h('div', { class: 'table-wrap' });
  async function load(): Promise<void> {
    status.textContent = t('loading');
    try {
      const page = await call<ApiPage<PastConference>>('GET', '/conferences/past' + query({
        number: number.value.trim(), from: from.iso(), to: to.iso(), limit: 100 }));
      clear(body);
      status.textContent = page.total ? `${page.total} ${t(page.total === 1 ? 'result' : 'results')}` : t('no_results');
      if (!page.items.length) return;
      body.appendChild(h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('number'), t('name'), t('owner'), t('opened'), t('closed'), t('duration'), t('reason'), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, page.items.map((s) => h('tr', { 'data-session': s.session_id },
          h('td', { class: 'mono' }, s.number), h('td', {}, s.name, s.deleted ? ' ' : null, deletedBadge(s)), h('td', {}, s.owner),
          h('td', {}, formatDateTime(s.opened_at)), h('td', {}, formatDateTime(s.closed_at)),
          h('td', {}, formatDuration(s.duration_seconds)), h('td', { title: s.close_reason }, reasonText(s.close_reason)),
          h('td', {}, h('a', { href: `/past/${s.session_id}`, onclick: (ev: Event) => { ev.preventDefault(); ctx.navigate(`/past/${s.session_id}`); } }, t('detail'))))))));
    } catch (e) { status.textContent = errorText(e); }
  }
  const lbl = (id: string, key: 'number' | 'from' | 'to', el: HTMLElement) => h('div', { class: 'field' }, h('label', { for: id }, t(key)), el);
  root.append(h('h1', {}, t('tab_past')),
    h('form', { class: 'search', role: 'search', onsubmit: (ev: Event) => { ev.preventDefault(); void load(); } },
      lbl('p-number', 'number', number), lbl('p-from', 'from', from.el), lbl('p-to', 'to', to.el),
      h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('search')))),
    status, body);
  void load();
};

interface PastDetail extends PastConference { connections: Connection[] }

async function detail(root: HTMLElement, id: string, back: () => void): Promise<void> {
  root.append(h('p', { class: 'muted' }, t('loading')));
  try {
    const s = await call<PastDetail>('GET', `/conferences/past/${id}`);
    clear(root);
    const kv = (k: string, v: string) => h('div', { class: 'kv' }, h('dt', {}, k), h('dd', {}, v));
    const quality = (c: Connection) => c.codec ? `${c.codec} · ${formatPercent(c.loss_fraction)} · ${formatNumber(c.jitter_ms)}\u00a0ms` : '—';
    append(root, [h('h1', {}, `${s.name} `, h('span', { class: 'mono muted' }, s.number), s.deleted ? ' ' : null, deletedBadge(s)),
      h('section', { class: 'card' }, h('dl', { class: 'summary' },
        kv(t('organizer'), s.owner), kv(t('opened'), formatDateTime(s.opened_at)), kv(t('closed'), formatDateTime(s.closed_at)),
        kv(t('duration'), formatDuration(s.duration_seconds)), kv(t('reason'), reasonText(s.close_reason)),
        s.deleted ? kv(t('deleted_by'), `${s.deleted_by ?? ''} · ${formatDateTime(s.deleted_at)}`) : null)),
      s.has_recording ? h('section', { class: 'card' }, h('h2', {}, t('recording_player')),
        h('audio', { controls: true, preload: 'metadata', src: `/api/v1/conferences/past/${s.session_id}/recording`, 'aria-label': t('recording_player') })) : null,
      h('h2', {}, t('connections')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('phone'), t('name'), t('role'), t('joined'), t('left'), t('duration'), t('quality'), t('reason')].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, s.connections.map((c) => h('tr', {},
          h('td', { class: 'mono' }, c.caller_number), h('td', { 'data-invitee': c.invitee || null }, c.caller_name || (c.invitee ? null : '—'),
            c.invitee ? h('span', { class: 'muted' }, `${c.caller_name ? ' · ' : ''}${t('invitee')}: ${c.invitee}`) : null),
          h('td', {}, c.role === 'moderator' ? t('moderator') : t('user')),
          h('td', {}, formatDateTimeSeconds(c.joined_at)), h('td', {}, formatDateTimeSeconds(c.left_at)),
          h('td', {}, formatDuration(c.duration_seconds)), h('td', {}, quality(c)), h('td', { title: c.leave_reason }, reasonText(c.leave_reason))))))),
      h('div', { class: 'actions' }, h('button', { class: 'secondary', onclick: back }, '← ' + t('tab_past')))]);
  } catch (e) {
    clear(root);
    root.append(h('p', { class: 'form-error', role: 'alert' }, errorText(e)));
  }
}
