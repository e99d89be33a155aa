// Boot: ask who is signed in, then draw the login form or the console with its tabs. Pages are paths
// (/schedule, /future, /past/12, …) served by confpro's SPA fallback.
import './style.css';
import { ApiError, call, setCsrf, type SessionInfo } from './api';
import type { AppContext, Page } from './app';
import { clear, h } from './dom';
import { errorText } from './errors';
import { setZone } from './format';
import { lang, setLang, t, type Key, type Lang } from './i18n';
import { schedulePage } from './pages/schedule';
import { futurePage } from './pages/future';
import { currentPage } from './pages/current';
import { pastPage } from './pages/past';
import { deletePage } from './pages/remove';
import { reportsPage } from './pages/reports';
import { usersPage } from './pages/users';
import { accessPage } from './pages/access';
import { auditPage } from './pages/audit';
import { phonePage } from './pages/phone';
import { notificationsPage } from './pages/notifications';
import { accountsPage } from './pages/accounts';

interface Tab { path: string; label: Key; page: Page; admin?: boolean; hidden?: boolean }  // hidden: not in the bar
const tabs: Tab[] = [
  { path: 'schedule', label: 'tab_schedule', page: schedulePage },
  { path: 'future', label: 'tab_future', page: futurePage },
  { path: 'current', label: 'tab_current', page: currentPage },
  { path: 'past', label: 'tab_past', page: pastPage },
  { path: 'delete', label: 'tab_delete', page: deletePage },
  { path: 'reports', label: 'tab_reports', page: reportsPage },
  { path: 'accounts', label: 'tab_accounts', page: accountsPage },  // organizers: their own, read-only
  { path: 'users', label: 'tab_users', page: usersPage, admin: true },
  { path: 'access', label: 'tab_access', page: accessPage, admin: true },
  { path: 'audit', label: 'tab_audit', page: auditPage, admin: true },
  { path: 'notifications', label: 'tab_notifications', page: notificationsPage, admin: true },
  { path: 'phone-access', label: 'my_phone_access', page: phonePage, hidden: true },  // from the name in the top bar
];

const root = document.getElementById('app') as HTMLElement;
let session: SessionInfo | null = null;
let leave: (() => void) | void;

function languageSwitch(onChange: () => void): HTMLElement {
  const select = h('select', { id: 'lang', 'aria-label': t('language'), class: 'lang-select',
    onchange: (ev: Event) => { setLang((ev.target as HTMLSelectElement).value as Lang); onChange(); } },
    h('option', { value: 'fr', selected: lang() === 'fr' }, 'Français'),
    h('option', { value: 'en', selected: lang() === 'en' }, 'English'));
  return select;
}

// The person and their role in the console's language. A display name that only names a role ("Administrator", as
// the first account is made) would read "Administrator (Administrateur)" in French: the username stands in for it.
function whoName(s: SessionInfo): string {
  const role = s.user.role === 'admin' ? t('admin') : t('organizer');
  const roleWords = ['administrator', 'administrateur', 'admin', 'organizer', 'organisateur'];
  const name = roleWords.includes(s.user.display_name.trim().toLowerCase()) || !s.user.display_name.trim()
    ? s.user.username : s.user.display_name;
  return `${name} (${role})`;
}

function showLogin(message = ''): void {
  if (leave) leave();
  leave = undefined;
  clear(root);
  const error = h('p', { class: 'form-error', role: 'alert' }, message);
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, t('sign_in'));
  const form = h('form', { class: 'login-card', 'aria-labelledby': 'login-title', onsubmit: async (ev: Event) => {
    ev.preventDefault();
    button.disabled = true;
    error.textContent = '';
    try {
      const s = await call<SessionInfo>('POST', '/session', { username: user.value, password: pass.value });
      start(s);
    } catch (e) {
      button.disabled = false;
      error.textContent = e instanceof ApiError && e.status === 401 ? t('bad_login')
        : e instanceof ApiError && e.status === 429 ? t('throttled') : errorText(e);
      pass.select();
    }
  } },
  h('div', { class: 'brand brand-large' }, h('img', { src: '/favicon.svg', alt: '', width: 40, height: 40 }), t('app_name')),
  h('h1', { id: 'login-title' }, t('sign_in')),
  h('label', { for: 'login-user' }, t('username')), user,
  h('label', { for: 'login-pass' }, t('password')), pass,
  error, button,
  h('div', { class: 'login-lang' }, languageSwitch(() => showLogin(error.textContent ?? ''))));
  root.appendChild(h('main', { class: 'login-page' }, form));
  user.focus();
}

function currentPath(): { tab: Tab; param?: string } {
  const [, first, second] = location.pathname.split('/');
  const visible = tabs.filter((tb) => !tb.admin || session?.user.role === 'admin');
  const tab = visible.find((tb) => tb.path === first) ?? visible[0];
  return { tab, param: tab.path === first ? second : undefined };
}

function render(): void {
  if (!session) return showLogin();
  if (leave) leave();
  leave = undefined;
  clear(root);
  const s = session;
  const { tab, param } = currentPath();
  const toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
  const ctx: AppContext = {
    session: s,
    isAdmin: s.user.role === 'admin',
    navigate: (path: string) => { history.pushState(null, '', path); render(); },
    notify: (message: string, kind: 'ok' | 'error' = 'ok') => {
      const el = h('div', { class: `toast toast-${kind}` }, message);
      toasts.appendChild(el);
      setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
    },
  };
  const nav = h('nav', { class: 'tabs', 'aria-label': t('main_nav') },
    tabs.filter((tb) => (!tb.admin || ctx.isAdmin) && !tb.hidden).map((tb) => h('a', {
      href: '/' + tb.path, class: tb === tab ? 'tab active' : 'tab', 'aria-current': tb === tab ? 'page' : null,
      onclick: (ev: Event) => { ev.preventDefault(); ctx.navigate('/' + tb.path); },
    }, t(tb.label))));
  const logout = h('button', { class: 'link-button', onclick: async () => {
    try { await call('DELETE', '/session'); } catch { /* already gone */ }
    session = null;
    history.pushState(null, '', '/');
    showLogin();
  } }, t('sign_out'));
  const header = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, h('img', { src: '/favicon.svg', alt: '', width: 28, height: 28 }), t('app_name')),
    h('div', { class: 'who' }, h('a', { class: 'who-name', href: '/phone-access', title: t('my_phone_access'),
      onclick: (ev: Event) => { ev.preventDefault(); ctx.navigate('/phone-access'); } }, whoName(s)),
      languageSwitch(render), logout));
  const main = h('main', { id: 'main', class: 'page', tabindex: -1 });
  root.append(header, nav, main, toasts);
  document.title = `${t(tab.label)} · ${t('app_name')}`;
  leave = tab.page(main, ctx, param);
}

function start(s: SessionInfo): void {
  session = s;
  setCsrf(s.csrf_token);
  setZone(s.time_zone);
  render();
}

window.addEventListener('popstate', () => render());
window.addEventListener('unhandledrejection', (ev) => {
  // A 401 anywhere (the session expired or was ended) brings the login form; it is handled, not an error.
  if (ev.reason instanceof ApiError && ev.reason.status === 401) {
    ev.preventDefault();
    session = null;
    showLogin(t('session_ended'));
  }
});

call<SessionInfo>('GET', '/session').then(start).catch(() => showLogin());
