// Future: scheduled (and running) bookings with search; edit opens the booking form.
import { call, type Booking } from '../api';
import type { Page } from '../app';
import { bookingForm } from '../booking_form';
import { clear, h } from '../dom';
import { errorText } from '../errors';
import { t } from '../i18n';
import { bookingTable } from './booking_table';
import { sentList } from './notifications';

export const futurePage: Page = (root, ctx, param) => {
  const list = () => {
    clear(root);
    root.append(h('h1', {}, t('tab_future')), bookingTable(ctx, {
      states: ['scheduled', 'active', ''], defaultState: 'scheduled',
      action: (b) => b.state === 'ended' ? null
        : h('button', { class: 'secondary small', 'aria-label': `${t('edit')} ${b.name}`, onclick: () => ctx.navigate(`/future/${b.id}`) }, t('edit')),
    }));
  };
  const edit = async (id: string) => {
    clear(root);
    root.append(h('p', { class: 'muted' }, t('loading')));
    try {
      const b = await call<Booking>('GET', `/bookings/${id}`);
      clear(root);
      root.append(h('h1', {}, `${t('edit')} — ${b.name}`),
        h('p', { class: 'muted' }, `${t('number')} ${b.number} · ${t(b.state)}`),
        bookingForm(ctx, { booking: b, onSaved: () => ctx.navigate('/future'), onCancel: () => ctx.navigate('/future') }),
        sentList(b.id));
    } catch (e) {
      clear(root);
      root.append(h('p', { class: 'form-error', role: 'alert' }, errorText(e)));
    }
  };
  if (param) void edit(param); else list();
};
