// My phone access (issue 14, FEATURES.md I3): the signed-in user's own phone account and phone PIN, for creating
// conferences by phone. An LDAP user sets theirs here: the directory holds no phone PINs. Reached from the user's
// name in the top bar.
import { call } from '../api';
import type { Page } from '../app';
import { h } from '../dom';
import { errorText } from '../errors';
import { t } from '../i18n';

interface PhoneAccess { phone_account: string; has_phone_pin: boolean }

export const phonePage: Page = (root, ctx) => {
  const account = h('input', { id: 'my-phone-account', name: 'phone_account', type: 'text', inputmode: 'numeric', autocomplete: 'off' });
  const pin = h('input', { id: 'my-phone-pin', name: 'phone_pin', type: 'password', inputmode: 'numeric', autocomplete: 'new-password' });
  const state = h('p', { class: 'muted', id: 'my-phone-state' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const show = (p: PhoneAccess): void => {
    account.value = p.phone_account;
    pin.placeholder = p.has_phone_pin ? t('keep_empty') : '';
    state.textContent = p.has_phone_pin ? t('phone_pin_is_set') : t('phone_pin_not_set');
  };
  root.append(h('h1', {}, t('my_phone_access')), h('p', {}, t('my_phone_access_hint')), state,
    h('form', { class: 'search', onsubmit: async (ev: Event) => {
      ev.preventDefault();
      error.textContent = '';
      try {
        const body: Record<string, string> = { phone_account: account.value.trim() };
        if (pin.value) body.phone_pin = pin.value.trim();
        show(await call<PhoneAccess>('PUT', '/session/phone-access', body));
        pin.value = '';
        ctx.notify(t('saved'));
      } catch (e) { error.textContent = errorText(e); }
    } },
    h('div', { class: 'field' }, h('label', { for: 'my-phone-account' }, t('phone_account')), account),
    h('div', { class: 'field' }, h('label', { for: 'my-phone-pin' }, t('phone_pin')), pin),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('save')))),
    error);
  call<PhoneAccess>('GET', '/session/phone-access').then(show).catch((e) => { error.textContent = errorText(e); });
};
