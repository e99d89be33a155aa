// Audit log (administrators): who did what, newest first.
import { call, query, type AuditRow, type Page as ApiPage } from '../api';
import type { Page } from '../app';
import { clear, h } from '../dom';
import { errorText } from '../errors';
import { formatDateTime } from '../format';
import { t } from '../i18n';

export const auditPage: Page = (root) => {
  const body = h('div', { class: 'table-wrap' });
  const actor = h('input', { id: 'a-actor', type: 'search' });
  async function load(): Promise<void> {
    try {
      const page = await call<ApiPage<AuditRow>>('GET', '/audit' + query({ actor: actor.value.trim(), limit: 200 }));
      clear(body);
      body.appendChild(h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('at'), t('actor'), t('action'), t('target'), t('detail')].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, page.items.map((e) => h('tr', {}, h('td', {}, formatDateTime(e.at)), h('td', {}, e.actor),
          h('td', { class: 'mono' }, e.action), h('td', { class: 'mono' }, e.target), h('td', {}, e.details))))));
    } catch (e) { clear(body); body.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }
  root.append(h('h1', {}, t('tab_audit')),
    h('form', { class: 'search', role: 'search', onsubmit: (ev: Event) => { ev.preventDefault(); void load(); } },
      h('div', { class: 'field' }, h('label', { for: 'a-actor' }, t('actor')), actor),
      h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('search')))), body);
  void load();
};
