// Users (administrators): list, add, change role, disable, set a password.
import { call, type AccountRow, type Page as ApiPage } from '../api';
import type { Page } from '../app';
import { clear, h, uid } from '../dom';
import { errorText } from '../errors';
import { t, type Key } from '../i18n';

export const usersPage: Page = (root, ctx) => {
  const body = h('div', { class: 'table-wrap' });
  async function load(): Promise<void> {
    try {
      const users = (await call<ApiPage<AccountRow>>('GET', '/users')).items;
      clear(body);
      body.appendChild(h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('username'), t('display_name'), t('email'), t('mobile'), t('role'), t('disabled'), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, users.map((u) => h('tr', { 'data-user': u.username },
          h('td', {}, u.username), h('td', {}, u.display_name), h('td', {}, u.email), h('td', {}, u.mobile),
          h('td', {}, u.role === 'admin' ? t('admin') : t('organizer')), h('td', {}, u.disabled ? t('yes') : t('no')),
          h('td', { class: 'row-actions' },
            h('button', { class: 'secondary small', onclick: () => patch(u.username, { role: u.role === 'admin' ? 'organizer' : 'admin' }) },
              u.role === 'admin' ? t('make_organizer') : t('make_admin')),
            h('button', { class: 'secondary small', onclick: () => patch(u.username, { disabled: !u.disabled }) },
              u.disabled ? t('enable') : t('disable')),
            h('button', { class: 'secondary small', onclick: () => {
              const p = prompt(t('new_password'));
              if (p) void patch(u.username, { password: p });
            } }, t('new_password'))))))));
    } catch (e) { clear(body); body.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }
  async function patch(username: string, change: Record<string, unknown>): Promise<void> {
    try { await call('PATCH', `/users/${encodeURIComponent(username)}`, change); ctx.notify(t('saved')); void load(); }
    catch (e) { ctx.notify(errorText(e), 'error'); }
  }
  const fields: [string, Key, string][] = [['username', 'username', 'text'], ['password', 'password', 'password'],
    ['display_name', 'display_name', 'text'], ['email', 'email', 'email'], ['mobile', 'mobile', 'tel']];
  const inputs = new Map<string, HTMLInputElement>();
  const role = h('select', { id: 'nu-role' }, h('option', { value: 'organizer' }, t('organizer')), h('option', { value: 'admin' }, t('admin')));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'search', onsubmit: async (ev: Event) => {
    ev.preventDefault();
    error.textContent = '';
    const b: Record<string, string> = { role: role.value };
    for (const [k, el] of inputs) if (el.value.trim()) b[k] = el.value.trim();
    try { await call('POST', '/users', b); ctx.notify(t('saved')); for (const el of inputs.values()) el.value = ''; void load(); }
    catch (e) { error.textContent = errorText(e); }
  } }, fields.map(([name, label, type]) => {
    const id = uid('nu');
    const el = h('input', { id, name, type, autocomplete: type === 'password' ? 'new-password' : 'off' });
    inputs.set(name, el);
    return h('div', { class: 'field' }, h('label', { for: id }, t(label)), el);
  }), h('div', { class: 'field' }, h('label', { for: 'nu-role' }, t('role')), role),
  h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('add_user'))));
  root.append(h('h1', {}, t('tab_users')), body, h('h2', {}, t('add_user')), form, error);
  void load();
};
