// Delete: any booking (future or past) after confirmation; an active one is ended first by the server (S4).
import { call } from '../api';
import type { Page } from '../app';
import { h } from '../dom';
import { errorText } from '../errors';
import { t } from '../i18n';
import { bookingTable } from './booking_table';

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
};
