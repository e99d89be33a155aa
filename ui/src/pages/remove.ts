// Delete: any booking (future or past) after confirmation; an active one is ended first by the server (S4). A
// deleted booking keeps its history (Past, reports); administrators purge old history here, counting first.
import { call, type PurgeResult } from '../api';
import type { AppContext, Page } from '../app';
import { h } from '../dom';
import { errorText } from '../errors';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import { bookingTable } from './booking_table';

function purgeSection(ctx: AppContext): HTMLElement {
  const days = h('input', { id: 'purge-days', type: 'number', min: 1, max: 36500, inputmode: 'numeric', placeholder: '365' });
  const out = h('p', { class: 'muted', 'aria-live': 'polite', id: 'purge-result' });
  const describe = (r: PurgeResult) => `${t(r.dry_run ? 'purge_would' : 'purge_done')} (< ${formatDateTime(r.before)}): ` +
    `${r.bookings} ${t('conferences_list').toLowerCase()}, ${r.sessions} ${t('sessions').toLowerCase()}, ` +
    `${r.connections} ${t('connections').toLowerCase()}, ${r.recordings} ${t('recordings')}`;
  async function run(dryRun: boolean): Promise<void> {
    if (!dryRun && !confirm(t('confirm_purge'))) return;
    const body: Record<string, unknown> = { dry_run: dryRun };
    if (days.value.trim()) body.retention_days = Number(days.value.trim());
    try {
      const r = await call<PurgeResult>('POST', '/history/purge', body);
      out.textContent = describe(r);
      if (!days.value.trim()) days.value = String(r.retention_days);
      if (!dryRun) ctx.notify(t('saved'));
    } catch (e) { out.textContent = errorText(e); }
  }
  return h('section', { class: 'card', id: 'purge' }, h('h2', {}, t('purge_title')), h('p', { class: 'muted' }, t('purge_hint')),
    h('form', { class: 'search', onsubmit: (ev: Event) => { ev.preventDefault(); void run(true); } },
      h('div', { class: 'field' }, h('label', { for: 'purge-days' }, t('retention_days')), days),
      h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'secondary' }, t('purge_count'))),
      h('div', { class: 'field field-button' }, h('button', { type: 'button', class: 'danger', onclick: () => void run(false) }, t('purge_run')))),
    out);
}

export const deletePage: Page = (root, ctx) => {
  root.append(h('h1', {}, t('tab_delete')), h('p', { class: 'muted' }, t('delete_hint')), bookingTable(ctx, {
    states: ['', 'scheduled', 'active', 'ended'], defaultState: '',
    action: (b, reload) => h('button', { class: 'danger small', 'aria-label': `${t('delete')} ${b.name}`, onclick: async () => {
      if (!confirm(`${t('confirm_delete')}\n${b.name} (${b.number})`)) return;
      try {
        await call('DELETE', `/bookings/${b.id}`);
        ctx.notify(t('deleted'));
        reload();
      } catch (e) {
        ctx.notify(errorText(e), 'error');
      }
    } }, t('delete')),
  }));
  if (ctx.isAdmin) root.append(purgeSection(ctx));
};
