// Schedule: book a conference; after saving, show the number and PINs with the dial-in numbers.
import { call, type AccessNumber, type Booking, type Invitee, type Page as ApiPage } from '../api';
import type { Page } from '../app';
import { bookingForm } from '../booking_form';
import { clear, h } from '../dom';
import { formatDateTime } from '../format';
import { t, type Key } from '../i18n';

// What was booked, all of it: the person reads it back to the participants (owner, options and invitees included).
export function bookingSummary(b: Booking, numbers: AccessNumber[]): HTMLElement {
  const row = (label: string, value: string, cls = '') => h('div', { class: 'kv' }, h('dt', {}, label), h('dd', { class: cls }, value));
  const optionNames: Key[] = ['announce_moderator', 'record', 'announce_users', 'listen_only', 'wait_for_leader'];
  const options = optionNames.filter((o) => b[o as keyof Booking]).map((o) => t(o));
  const invitee = (i: Invitee) => [i.email, i.phone].filter((x) => x).join(' · ') + (i.personal_pin ? ` (${t('personal_pin')} ${i.personal_pin})` : '');
  return h('dl', { class: 'summary' },
    row(t('name'), b.name),
    row(t('owner'), b.owner),
    row(t('number'), b.number, 'big-number'),
    row(t('user_pin'), b.user_pin, 'big-number'),
    row(t('moderator_pin'), b.moderator_pin, 'big-number'),
    row(t('valid_from'), formatDateTime(b.valid_from)),
    row(t('expires'), formatDateTime(b.valid_until)),
    row(t('duration_minutes'), String(b.duration_minutes)),
    row(t('max_participants'), String(b.max_participants)),
    row(t('prompt_language'), b.language === 'fr' ? t('french') : t('english')),
    row(t('join_policy'), b.join_policy === 'pin' ? t('join_pin') : t('join_allow')),
    h('div', { class: 'kv kv-wide', 'data-kv': 'options' }, h('dt', {}, t('options')),
      h('dd', {}, options.length ? h('ul', { class: 'plain' }, options.map((o) => h('li', {}, o))) : t('none'))),
    h('div', { class: 'kv kv-wide', 'data-kv': 'invitees' }, h('dt', {}, t('invitees')),
      h('dd', {}, b.invitees.length ? h('ul', { class: 'plain' }, b.invitees.map((i) => h('li', {}, invitee(i)))) : t('none'))),
    numbers.length ? h('div', { class: 'kv kv-wide' }, h('dt', {}, t('dial_in')),
      h('dd', {}, numbers.map((n) => `${n.number}${n.label ? ' (' + n.label + ')' : ''}`).join(', '))) : null);
}

export const schedulePage: Page = (root, ctx) => {
  const draw = () => {
    clear(root);
    root.append(h('h1', {}, t('tab_schedule')), bookingForm(ctx, {
      onSaved: async (b) => {
        let numbers: AccessNumber[] = [];
        try { numbers = (await call<ApiPage<AccessNumber>>('GET', '/access-numbers')).items; } catch { /* optional */ }
        clear(root);
        root.append(h('h1', {}, t('booked')),
          h('section', { class: 'card result', 'aria-labelledby': 'result-title' },
            h('h2', { id: 'result-title' }, b.name), bookingSummary(b, numbers)),
          h('div', { class: 'actions' },
            h('button', { class: 'primary', onclick: draw }, t('tab_schedule')),
            h('button', { class: 'secondary', onclick: () => ctx.navigate('/future') }, t('tab_future'))));
      },
    }));
  };
  draw();
};
