// Notifications (administrators): the e-mails and SMS of the outbox with their delivery state, newest first;
// a failed one can be sent again (issue 15 item 5). The API never gives the body (it holds PINs).
import { call, query, type NotificationRow } from '../api';
import type { Page } from '../app';
import { clear, h } from '../dom';
import { errorText } from '../errors';
import { formatDateTime } from '../format';
import { t, type Key } from '../i18n';

// An SMS's delivery report (issue 15 item 3): its state and time, the SMSC's answer as a tooltip; '' for none.
export function reportCell(n: NotificationRow): HTMLElement | string {
  if (!n.report_state) return '';
  const badge = n.report_state === 'delivered' ? 'badge-active' : n.report_state === 'failed' ? 'badge-rec' : 'badge-waiting';
  return h('span', { class: 'report', title: n.report_answer },
    h('span', { class: `badge ${badge}` }, t(`notif_report_${n.report_state}` as Key)),
    n.report_at ? ' ' + formatDateTime(n.report_at) : '');
}

const stateBadge: Record<NotificationRow['status'], string> = { pending: 'badge-waiting', sent: 'badge-active', failed: 'badge-rec' };
const stateCell = (n: NotificationRow) => h('span', { class: `badge ${stateBadge[n.status]}` }, t(`notif_${n.status}` as Key));
const recipientCell = (n: NotificationRow) => [h('span', { class: 'muted' }, t(`notif_${n.kind}` as Key) + ' '), n.recipient];

// A booking's page (issue 15 item 5): what was sent about it to whom, with its state and delivery report. The API
// gives an organizer the rows of their own bookings only (403 otherwise, shown as the error).
export function sentList(bookingId: number): HTMLElement {
  const out = h('section', { class: 'sent-list', 'aria-labelledby': 'sent-title' },
    h('h2', { id: 'sent-title' }, t('notif_sent_list')), h('p', { class: 'muted' }, t('loading')));
  void (async () => {
    try {
      const page = await call<{ items: NotificationRow[] }>('GET', '/notifications' + query({ booking: bookingId, limit: 200 }));
      out.lastElementChild?.remove();
      if (page.items.length === 0) { out.appendChild(h('p', { class: 'muted' }, t('notif_none'))); return; }
      out.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('notif_recipient'), t('notif_subject'), t('state'), t('notif_report'), t('at')]
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, page.items.map((n) => h('tr', { 'data-id': String(n.id) },
          h('td', {}, ...recipientCell(n)), h('td', {}, n.subject), h('td', {}, stateCell(n)),
          h('td', {}, reportCell(n)), h('td', {}, formatDateTime(n.created_at))))))));
    } catch (e) {
      out.lastElementChild?.remove();
      out.appendChild(h('p', { class: 'form-error' }, errorText(e)));
    }
  })();
  return out;
}

export const notificationsPage: Page = (root, ctx) => {
  const body = h('div', { class: 'table-wrap' });
  const status = h('select', { id: 'n-status' }, h('option', { value: '' }, t('any')),
    ...(['pending', 'sent', 'failed'] as const).map((s) => h('option', { value: s }, t(`notif_${s}` as Key))));
  const booking = h('input', { id: 'n-booking', type: 'number', min: '1', inputmode: 'numeric' });
  async function resend(n: NotificationRow): Promise<void> {
    try {
      await call('POST', `/notifications/${n.id}/resend`);
      await load();
    } catch (e) { clear(body); body.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }
  function bookingLink(id: number | null): HTMLElement | string {
    if (id === null) return '';
    return h('a', { href: `/future/${id}`, onclick: (ev: Event) => { ev.preventDefault(); ctx.navigate(`/future/${id}`); } }, `#${id}`);
  }
  async function load(): Promise<void> {
    try {
      const page = await call<{ items: NotificationRow[] }>('GET', '/notifications' +
        query({ status: status.value, booking: booking.value.trim(), limit: 200 }));
      clear(body);
      if (page.items.length === 0) { body.appendChild(h('p', {}, t('notif_none'))); return; }
      body.appendChild(h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('state'), t('notif_recipient'), t('notif_subject'), t('notif_attempts'), t('notif_last_error'),
          t('notif_report'), t('notif_booking'), t('at'), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, page.items.map((n) => h('tr', { 'data-id': String(n.id) },
          h('td', {}, stateCell(n)),
          h('td', {}, ...recipientCell(n)),
          h('td', {}, n.subject), h('td', { class: 'num' }, String(n.attempts)),
          h('td', { class: 'mono' }, n.last_error), h('td', {}, reportCell(n)), h('td', {}, bookingLink(n.booking_id)),
          h('td', {}, formatDateTime(n.created_at)),
          h('td', {}, n.status === 'failed'
            ? h('button', { class: 'secondary small', 'aria-label': `${t('notif_resend')} ${n.recipient}`, onclick: () => void resend(n) }, t('notif_resend'))
            : ''))))));
    } catch (e) { clear(body); body.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }
  root.append(h('h1', {}, t('tab_notifications')),
    h('form', { class: 'search', role: 'search', onsubmit: (ev: Event) => { ev.preventDefault(); void load(); } },
      h('div', { class: 'field' }, h('label', { for: 'n-status' }, t('state')), status),
      h('div', { class: 'field' }, h('label', { for: 'n-booking' }, t('notif_booking')), booking),
      h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('search')))), body);
  void load();
};
