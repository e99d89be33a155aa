// Access numbers (administrators): the dialled numbers that lead to the service (I1).
import { call, type AccessNumber, type Page as ApiPage } from '../api';
import type { Page } from '../app';
import { clear, h } from '../dom';
import { errorText } from '../errors';
import { t } from '../i18n';

export const accessPage: Page = (root, ctx) => {
  const body = h('div', { class: 'table-wrap' });
  async function load(): Promise<void> {
    try {
      const items = (await call<ApiPage<AccessNumber>>('GET', '/access-numbers')).items;
      clear(body);
      if (!items.length) { body.appendChild(h('p', { class: 'muted' }, t('no_results'))); return; }
      body.appendChild(h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('access_number'), t('label'), t('kind'), t('prompt_language'), ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, items.map((n) => h('tr', {}, h('td', { class: 'mono' }, n.number), h('td', {}, n.label),
          h('td', {}, n.kind === 'toll-free' ? t('toll_free') : t('local')), h('td', {}, n.language),
          h('td', {}, h('button', { class: 'danger small', onclick: async () => {
            if (!confirm(`${t('remove')} ${n.number}?`)) return;
            try { await call('DELETE', `/access-numbers/${encodeURIComponent(n.number)}`); void load(); }
            catch (e) { ctx.notify(errorText(e), 'error'); }
          } }, t('remove'))))))));
    } catch (e) { clear(body); body.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }
  const number = h('input', { id: 'an-number', inputmode: 'tel', required: true });
  const label = h('input', { id: 'an-label' });
  const kind = h('select', { id: 'an-kind' }, h('option', { value: 'local' }, t('local')), h('option', { value: 'toll-free' }, t('toll_free')));
  const language = h('select', { id: 'an-lang' }, h('option', { value: 'fr' }, t('french')), h('option', { value: 'en' }, t('english')));
  const error = h('p', { class: 'form-error', role: 'alert' });
  root.append(h('h1', {}, t('tab_access')), body, h('h2', {}, t('add_number')),
    h('form', { class: 'search', onsubmit: async (ev: Event) => {
      ev.preventDefault();
      error.textContent = '';
      try {
        await call('POST', '/access-numbers', { number: number.value.trim(), label: label.value.trim(), kind: kind.value, language: language.value });
        number.value = ''; label.value = ''; void load();
      } catch (e) { error.textContent = errorText(e, { number: t('access_number') }); }
    } },
    h('div', { class: 'field' }, h('label', { for: 'an-number' }, t('access_number')), number),
    h('div', { class: 'field' }, h('label', { for: 'an-label' }, t('label')), label),
    h('div', { class: 'field' }, h('label', { for: 'an-kind' }, t('kind')), kind),
    h('div', { class: 'field' }, h('label', { for: 'an-lang' }, t('prompt_language')), language),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('add_number')))), error);
  void load();
};
