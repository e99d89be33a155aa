// Accounts (issue 16 item 5): billing accounts with balance, held and available credit, and an account's
// statement. Administrators see every account, open new ones, credit or debit one (amount, reason, then a
// confirmation; audited by the server) and share one with users or directory groups; organizers see their own
// and those shared with them, read-only. The tariff plans are listed below.
import { call, query, type BillingAccount, type Statement, type TariffPlan } from '../api';
import type { Page } from '../app';
import { clear, h, uid } from '../dom';
import { errorText, labelled } from '../errors';
import { formatDateTime, formatMoney, perMinuteTerms } from '../format';
import { hasKey, lang, t, type Key } from '../i18n';

const PAGE = 20;
// An amount as typed in the language (the comma is read as the decimal point too).
const example = (amount: string) => (lang() === 'fr' ? amount.replace('.', ',') : amount);

export const accountsPage: Page = (root, ctx, param) => {
  const list = h('div', { class: 'table-wrap', id: 'accounts' });
  const detail = h('section', { id: 'account-detail' });
  const plans = h('section', { id: 'tariffs' });

  function open(name: string): void { ctx.navigate(`/accounts/${encodeURIComponent(name)}`); }

  async function loadList(): Promise<void> {
    try {
      const { items } = await call<{ items: BillingAccount[] }>('GET', '/accounts');
      clear(list);
      if (!items.length) { list.appendChild(h('p', { class: 'notice' }, t('acct_none'))); return; }
      list.appendChild(h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, [t('acct_name'), t('owner'), t('acct_type'), t('acct_balance'), t('acct_held'), t('acct_available'), '']
          .map((x, i) => h('th', { scope: 'col', class: i >= 3 && i <= 5 ? 'num' : '' }, x)))),
        h('tbody', {}, items.map((a) => h('tr', { 'data-account': a.name, class: a.name === param ? 'selected' : '' },
          h('td', {}, h('a', { href: `/accounts/${encodeURIComponent(a.name)}`, onclick: (ev: Event) => { ev.preventDefault(); open(a.name); } }, a.name)),
          h('td', {}, a.owner), h('td', {}, t(a.prepaid ? 'acct_prepaid' : 'acct_postpaid')),
          h('td', { class: 'num' }, formatMoney(a.balance, a.currency)), h('td', { class: 'num' }, formatMoney(a.held, a.currency)),
          h('td', { class: 'num', 'data-available': a.available }, formatMoney(a.available, a.currency)),
          h('td', { class: 'row-actions' }, h('button', { class: 'secondary small', onclick: () => open(a.name) }, t('acct_statement'))))))));
    } catch (e) { clear(list); list.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }

  // The adjustment: amount and reason, then a confirmation that says what will happen, then the server's answer.
  function adjustForm(a: BillingAccount, reload: () => void): HTMLElement {
    const amount = h('input', { id: 'adj-amount', name: 'amount', type: 'text', inputmode: 'decimal', placeholder: example('20.00'), autocomplete: 'off' });
    const reason = h('input', { id: 'adj-reason', name: 'reason', type: 'text', maxlength: 500, autocomplete: 'off' });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const confirmBox = h('div', { id: 'adj-confirm' });
    const form: HTMLFormElement = h('form', { class: 'search', id: 'adjust-form', onsubmit: (ev: Event) => {
      ev.preventDefault();
      error.textContent = '';
      clear(confirmBox);
      const value = amount.value.trim().replace(',', '.');
      // The server checks it again; this only spares a round trip for the obvious.
      if (!/^-?\d{1,10}(\.\d{1,2})?$/.test(value) || Number(value) === 0) { error.textContent = t('acct_amount_hint'); amount.focus(); return; }
      if (!reason.value.trim()) { error.textContent = t('acct_reason_needed'); reason.focus(); return; }
      const credit = !value.startsWith('-');
      const money = formatMoney(credit ? value : value.slice(1), a.currency);
      const yes = h('button', { type: 'button', class: credit ? 'primary' : 'danger', id: 'adj-yes', onclick: async () => {
        yes.disabled = true;
        try {
          await call('POST', `/accounts/${encodeURIComponent(a.name)}/adjustments`, { amount: value, reason: reason.value.trim() });
          ctx.notify(t('acct_adjusted'));
          reload();
        } catch (e) { clear(confirmBox); error.textContent = errorText(e); }
      } }, t('confirm'));
      confirmBox.append(h('div', { class: 'card confirm-card', role: 'alertdialog', 'aria-labelledby': 'adj-q' },
        h('p', { id: 'adj-q' }, t(credit ? 'acct_confirm_credit' : 'acct_confirm_debit').replace('{amount}', money).replace('{account}', a.name)),
        h('p', { class: 'muted' }, labelled(t('reason'), reason.value.trim())),
        h('div', { class: 'actions' }, yes, h('button', { type: 'button', class: 'secondary', onclick: () => clear(confirmBox) }, t('cancel')))));
      yes.focus();
    } },
    h('div', { class: 'field' }, h('label', { for: 'adj-amount' }, t('acct_amount')), amount, h('span', { class: 'hint' }, t('acct_amount_hint'))),
    h('div', { class: 'field field-wide' }, h('label', { for: 'adj-reason' }, t('reason')), reason),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('acct_adjust'))));
    return h('div', {}, h('h3', {}, t('acct_adjust_title')), form, error, confirmBox);
  }

  // Sharing (administrators): who besides the owner books with the account and sees it, one per line.
  function shareForm(a: BillingAccount, reload: () => void): HTMLElement {
    const members = h('textarea', { id: 'share-members', name: 'members', rows: 3, 'aria-describedby': 'share-hint' }) as HTMLTextAreaElement;
    members.value = a.members.join('\n');
    const error = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { class: 'search', id: 'share-form', onsubmit: async (ev: Event) => {
      ev.preventDefault();
      error.textContent = '';
      const list = members.value.split('\n').map((m) => m.trim()).filter((m) => m);
      try {
        await call('PUT', `/accounts/${encodeURIComponent(a.name)}/members`, { members: list });
        ctx.notify(t('saved'));
        reload();
      } catch (e) { error.textContent = errorText(e); members.focus(); }
    } },
    h('div', { class: 'field field-wide' }, h('label', { for: 'share-members' }, t('acct_members')), members,
      h('span', { class: 'hint', id: 'share-hint' }, t('acct_share_hint'))),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('acct_share_save'))));
    return h('div', {}, h('h3', {}, t('acct_share_title')), form, error);
  }

  async function loadDetail(name: string, offset = 0): Promise<void> {
    try {
      const s = await call<Statement>('GET', `/accounts/${encodeURIComponent(name)}/ledger` + query({ limit: PAGE, offset }));
      const a = s.account;
      clear(detail);
      const kv = (label: string, value: string, id?: string) => h('div', {}, h('dt', {}, label), h('dd', { id }, value));
      detail.append(h('div', { class: 'card' },
        h('h2', {}, `${t('acct_statement')} `, h('span', { class: 'mono' }, a.name)),
        h('dl', { class: 'summary kv' },
          kv(t('owner'), a.owner), kv(t('acct_type'), t(a.prepaid ? 'acct_prepaid' : 'acct_postpaid') +
            (a.prepaid ? '' : ` (${t('acct_limit')} ${formatMoney(a.credit_limit, a.currency)})`)),
          kv(t('acct_balance'), formatMoney(a.balance, a.currency), 'acct-balance'),
          kv(t('acct_held'), formatMoney(a.held, a.currency), 'acct-held'),
          kv(t('acct_available'), formatMoney(a.available, a.currency), 'acct-available'),
          kv(t('acct_shared'), a.members.length ? a.members.join(', ') : t('acct_owner_only'), 'acct-shared')),
        ctx.isAdmin ? adjustForm(a, () => { void loadList(); void loadDetail(name); }) : null,
        ctx.isAdmin ? shareForm(a, () => void loadDetail(name)) : null,
        s.items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'ledger' },
          h('thead', {}, h('tr', {}, [t('at'), t('kind'), t('acct_amount'), t('acct_hold'), t('notif_booking'), t('acct_by'), t('acct_note')]
            .map((x, i) => h('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : '' }, x)))),
          h('tbody', {}, s.items.map((l) => h('tr', { 'data-kind': l.kind },
            h('td', {}, formatDateTime(l.at)), h('td', {}, hasKey(`ledger_${l.kind}`) ? t(`ledger_${l.kind}` as Key) : l.kind),
            h('td', { class: 'num' }, l.amount === '0.00' ? '' : formatMoney(l.amount, a.currency)),
            h('td', { class: 'num' }, l.hold === '0.00' ? '' : formatMoney(l.hold, a.currency)),
            h('td', {}, l.booking_id ? `#${l.booking_id}` : ''), h('td', {}, l.actor), h('td', {}, l.note))))))
          : h('p', { class: 'notice' }, t('no_results')),
        h('div', { class: 'actions' },
          offset > 0 ? h('button', { class: 'secondary small', onclick: () => void loadDetail(name, Math.max(0, offset - PAGE)) }, t('previous')) : null,
          s.has_more ? h('button', { class: 'secondary small', onclick: () => void loadDetail(name, offset + PAGE) }, t('next')) : null)));
    } catch (e) { clear(detail); detail.appendChild(h('p', { class: 'form-error' }, errorText(e))); }
  }

  function createForm(): HTMLElement {
    const error = h('p', { class: 'form-error', role: 'alert' });
    const field = (name: string, label: Key, input: HTMLInputElement | HTMLSelectElement) => {
      input.id = uid('na-' + name);
      input.name = name;
      return h('div', { class: 'field' }, h('label', { for: input.id }, t(label)), input);
    };
    const name = h('input', { type: 'text', maxlength: 100, autocomplete: 'off' });
    const owner = h('input', { type: 'text', maxlength: 100, autocomplete: 'off' });
    const credit = h('input', { type: 'text', inputmode: 'decimal', placeholder: example('0.00') });
    const type = h('select', {}, h('option', { value: 'prepaid' }, t('acct_prepaid')), h('option', { value: 'postpaid' }, t('acct_postpaid')));
    const limit = h('input', { type: 'text', inputmode: 'decimal', placeholder: example('0.00') });
    const currency = h('input', { type: 'text', value: 'EUR', maxlength: 3 });
    return h('section', {}, h('h2', {}, t('acct_new')), h('form', { class: 'search', id: 'new-account', onsubmit: async (ev: Event) => {
      ev.preventDefault();
      error.textContent = '';
      const body: Record<string, string> = { name: name.value.trim(), owner: owner.value.trim(), type: type.value, currency: currency.value.trim() };
      if (credit.value.trim()) body.credit = credit.value.trim().replace(',', '.');
      if (limit.value.trim()) body.credit_limit = limit.value.trim().replace(',', '.');
      try {
        await call('POST', '/accounts', body);
        ctx.notify(t('saved'));
        for (const el of [name, owner, credit, limit]) el.value = '';
        void loadList();
      } catch (e) { error.textContent = errorText(e); }
    } }, field('name', 'acct_name', name), field('owner', 'owner', owner), field('credit', 'acct_opening', credit),
    field('type', 'acct_type', type), field('credit_limit', 'acct_limit', limit), field('currency', 'acct_currency', currency),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'primary' }, t('acct_create')))), error);
  }

  async function loadPlans(): Promise<void> {
    try {
      const { items } = await call<{ items: TariffPlan[] }>('GET', '/tariffs');
      clear(plans);
      plans.append(h('h2', {}, t('tariffs')), items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'tariff-table' },
        h('thead', {}, h('tr', {}, [t('name'), t('tariff_up_to_minutes'), t('tariff_up_to_participants'), t('price'), t('tariff_terms')]
          .map((x, i) => h('th', { scope: 'col', class: i && i < 4 ? 'num' : '' }, x)))),
        h('tbody', {}, items.map((p) => h('tr', {}, h('td', {}, p.name), h('td', { class: 'num' }, p.max_duration_minutes),
          h('td', { class: 'num' }, p.max_participants), h('td', { class: 'num' }, formatMoney(p.price, p.currency)),
          h('td', { class: 'terms' }, perMinuteTerms(p).join('; ') || '—'))))))
        : h('p', { class: 'notice' }, t('tariff_none')));
    } catch { /* the accounts still show */ }
  }

  root.append(h('h1', {}, t(ctx.isAdmin ? 'tab_accounts' : 'acct_mine')), list, detail, ...(ctx.isAdmin ? [createForm()] : []), plans);
  void loadList();
  if (param) void loadDetail(decodeURIComponent(param));
  void loadPlans();
};
