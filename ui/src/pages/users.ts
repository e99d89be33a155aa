// Users (administrators): list, add, edit (details, role, phone account and PIN, password), disable/enable, delete;
// with an LDAP directory configured, its servers' state and a test login (issue 14).
import { call, type AccountRow, type DirectoryStatus, type Page as ApiPage, type TestLogin } from '../api';
import type { Page } from '../app';
import { clear, h, uid } from '../dom';
import { errorText } from '../errors';
import { t, type Key } from '../i18n';

type Field = [string, Key, string];
// The fields of the add form; the edit form has the same but the username (fixed) and with "leave empty to keep"
// for the password and the phone PIN.
const FIELDS: Field[] = [['username', 'username', 'text'], ['password', 'password', 'password'],
  ['display_name', 'display_name', 'text'], ['email', 'email', 'email'], ['mobile', 'mobile', 'tel'],
  ['phone_account', 'phone_account', 'text'], ['phone_pin', 'phone_pin', 'password']];

export const usersPage: Page = (root, ctx) => {
  const body = h('div', { class: 'table-wrap' });
  const editor = h('div');
  async function load(): Promise<void> {
    try {
      const users = (await call<ApiPage<AccountRow>>('GET', '/users')).items;
      clear(body);
      body.appendChild(h('table', { class: 'data' },
        // Mobile is in the edit form; a disabled or LDAP user is marked beside the name (fits a 1024 px laptop).
        h('thead', {}, h('tr', {}, [t('username'), t('display_name'), t('email'), t('role'), t('phone'), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, users.map((u) => h('tr', { 'data-user': u.username },
          h('td', {}, u.username, u.disabled ? ' ' : null, u.disabled ? h('span', { class: 'badge badge-locked' }, t('disabled')) : null,
            // Where the account lives: an LDAP user's password and groups are the directory's.
            u.source === 'ldap' ? ' ' : null,
            u.source === 'ldap' ? h('span', { class: 'badge badge-ended', 'data-source': 'ldap', title: t('source_ldap_title') }, t('source_ldap')) : null),
          h('td', {}, u.display_name), h('td', {}, u.email),
          h('td', {}, u.role === 'admin' ? t('admin') : t('organizer')), h('td', { class: 'mono' }, u.phone_account || '—'),
          h('td', { class: 'row-actions' },
            h('button', { class: 'secondary small', onclick: () => edit(u) }, t('edit')),
            h('button', { class: 'secondary small', onclick: () => patch(u.username, { disabled: !u.disabled }) },
              u.disabled ? t('enable') : t('disable')),
            h('button', { class: 'danger small', 'aria-label': `${t('delete')} ${u.username}`, onclick: () => remove(u.username) }, t('delete'))))))));
    } catch (e) { clear(body); body.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }
  async function patch(username: string, change: Record<string, unknown>): Promise<boolean> {
    try { await call('PATCH', `/users/${encodeURIComponent(username)}`, change); ctx.notify(t('saved')); void load(); return true; }
    catch (e) { ctx.notify(errorText(e), 'error'); return false; }
  }
  async function remove(username: string): Promise<void> {
    if (!confirm(`${t('confirm_delete_user')}\n${username}`)) return;
    try { await call('DELETE', `/users/${encodeURIComponent(username)}`); ctx.notify(t('user_deleted')); clear(editor); void load(); }
    // Refused (reason user_owns_bookings {username, count}): errorText words it, with what to do instead.
    catch (e) { ctx.notify(errorText(e), 'error'); }
  }
  // One form for both: `user` set = edit that user (PATCH the fields, secrets only when typed), else add (POST).
  function form(user: AccountRow | null, error: HTMLElement): HTMLFormElement {
    const prefix = user ? 'eu' : 'nu';
    const inputs = new Map<string, HTMLInputElement>();
    const role = h('select', { id: `${prefix}-role` }, h('option', { value: 'organizer' }, t('organizer')), h('option', { value: 'admin' }, t('admin')));
    if (user) role.value = user.role;
    const fields = FIELDS.filter(([name]) => !user || name !== 'username').map(([name, label, type]) => {
      const id = uid(prefix);
      const secret = type === 'password';
      const value = user && !secret ? String((user as unknown as Record<string, unknown>)[name] ?? '') : '';
      const el = h('input', { id, name, type, value, autocomplete: secret ? 'new-password' : 'off',
        inputmode: name === 'phone_account' || name === 'phone_pin' ? 'numeric' : null,
        placeholder: user && secret ? t('keep_empty') : null });
      inputs.set(name, el);
      return h('div', { class: 'field' }, h('label', { for: id }, t(user && name === 'password' ? 'new_password' : label)), el);
    });
    return h('form', { class: 'search', onsubmit: async (ev: Event) => {
      ev.preventDefault();
      error.textContent = '';
      const b: Record<string, string> = { role: role.value };
      for (const [k, el] of inputs) {
        const v = el.value.trim();
        if (v || (user && el.type !== 'password')) b[k] = v;  // editing: an emptied field clears it, an empty secret keeps it
      }
      if (user) {
        if (await patch(user.username, b)) clear(editor);
        return;
      }
      try { await call('POST', '/users', b); ctx.notify(t('saved')); for (const el of inputs.values()) el.value = ''; void load(); }
      catch (e) { error.textContent = errorText(e); }
    } }, fields, h('div', { class: 'field' }, h('label', { for: `${prefix}-role` }, t('role')), role),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, user ? t('save') : t('add_user'))),
    user ? h('div', { class: 'field field-button' }, h('button', { type: 'button', class: 'secondary', onclick: () => clear(editor) }, t('cancel'))) : null);
  }
  function edit(u: AccountRow): void {
    clear(editor);
    const error = h('p', { class: 'form-error', role: 'alert' });
    editor.append(h('section', { class: 'card', id: 'edit-user' }, h('h2', {}, `${t('edit_user')} `, h('span', { class: 'mono' }, u.username)), form(u, error), error));
    editor.querySelector('input')?.focus();
  }
  // The directory: each LDAP server contacted now (reachable or not, last error), and a test login. Shown only
  // when [directory.ldap] is configured; loaded apart from the table (a dead server takes its connect timeout).
  const directory = h('section', { id: 'directory' });
  async function loadDirectory(): Promise<void> {
    let st: DirectoryStatus;
    try { st = await call<DirectoryStatus>('GET', '/directory/status'); } catch { return; }
    clear(directory);
    if (!st.ldap_configured) return;
    const result = h('div', { id: 'test-login-result', role: 'status' });
    const user = h('input', { id: 'tl-user', name: 'username', type: 'text', autocomplete: 'off' });
    const pass = h('input', { id: 'tl-pass', name: 'password', type: 'password', autocomplete: 'new-password' });
    directory.append(h('h2', {}, t('directory_ldap')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('directory_server'), t('directory_state'), t('last_error')].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, st.servers.map((s) => h('tr', { 'data-server': s.uri },
          h('td', { class: 'mono' }, s.uri),
          h('td', {}, h('span', { class: s.reachable ? 'badge badge-active' : 'badge badge-locked' }, s.reachable ? t('reachable') : t('unreachable'))),
          h('td', {}, s.last_error)))))),
      h('p', {}, h('button', { type: 'button', class: 'secondary small', onclick: () => void loadDirectory() }, t('check_again'))),
      h('h3', {}, t('test_login')), h('p', { class: 'muted' }, t('test_login_hint')),
      h('form', { class: 'search', onsubmit: async (ev: Event) => {
        ev.preventDefault();
        clear(result);
        try {
          const r = await call<TestLogin>('POST', '/directory/test-login', { username: user.value.trim(), password: pass.value });
          result.append(h('section', { class: 'card' }, h('dl', { class: 'summary kv' },
            h('div', {}, h('dt', {}, t('username')), h('dd', {}, r.username)),
            h('div', {}, h('dt', {}, t('display_name')), h('dd', {}, r.display_name)),
            h('div', {}, h('dt', {}, t('role')), h('dd', { 'data-role': r.role }, r.role === 'admin' ? t('admin') : t('organizer'))),
            // Group DNs are long: one per line, wrapped anywhere rather than past the window's edge.
            h('div', { class: 'dn-list' }, h('dt', {}, t('groups')), h('dd', { class: 'mono' }, r.groups.length ? r.groups.map((g) => h('div', {}, g)) : '—')))));
        } catch (e) { result.append(h('p', { class: 'form-error' }, errorText(e))); }
        pass.value = '';
      } },
      h('div', { class: 'field' }, h('label', { for: 'tl-user' }, t('username')), user),
      h('div', { class: 'field' }, h('label', { for: 'tl-pass' }, t('password')), pass),
      h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('test_login')))),
      result);
  }
  const addError = h('p', { class: 'form-error', role: 'alert' });
  root.append(h('h1', {}, t('tab_users')), body, editor, h('h2', {}, t('add_user')), form(null, addError), addError, directory);
  void load();
  void loadDirectory();
};
