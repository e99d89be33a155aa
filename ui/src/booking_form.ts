// The booking form (FEATURES.md B1/B2), used by Schedule (create) and Future (edit). Checks fields as they are
// typed; the server's field errors are shown under the fields they name.
import { ApiError, call, query, type BillingAccount, type Booking, type FieldError, type MyPolicy, type Quote, type TariffPlan } from './api';
import type { AppContext } from './app';
import { h, uid } from './dom';
import { errorText, fieldErrorText, fieldName, labelled, reasonText } from './errors';
import { dateField, parseDate } from './date_field';
import { formatMoney, perMinuteTerms, toLocalInput } from './format';
import { t, type Key } from './i18n';

export interface BookingFormOptions {
  booking?: Booking;                 // edit when given
  onSaved(b: Booking): void;
  onCancel?(): void;
}

// A check returns the rule broken in the console's language (the same reason codes the server sends), or ''.
type Check = (v: string) => string;
const rule = (reason: string, params = {}) => reasonText(reason, params) ?? reason;
const digits = (min: number, max: number): Check => (v) =>
  v === '' ? '' : /^\d+$/.test(v) ? (v.length < min || v.length > max ? rule('digits_range', { min, max }) : '') : rule('digits_only');
// `bounds` is read at each check: the user's category (GET /me/policy) narrows it once known.
const range = (bounds: { min: number; max: number }): Check => (v) => {
  if (v === '') return '';
  const n = Number(v);
  const { min, max } = bounds;
  return Number.isInteger(n) && n >= min && n <= max ? '' : rule('range', { min, max });
};

export function bookingForm(ctx: AppContext, opts: BookingFormOptions): HTMLFormElement {
  const b = opts.booking;
  const editing = !!b;
  const locked = b?.state === 'active';   // only some fields may change while it runs
  const errors = new Map<string, HTMLElement>();
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();

  // `control`: what to show in place of `input` when it is part of a bigger control (the date field).
  function field(name: string, label: Key, input: HTMLInputElement | HTMLSelectElement, hint?: string, check?: Check,
    control?: HTMLElement): HTMLElement {
    const id = uid('f-' + name);
    input.id = id;
    input.name = name;
    const err = h('span', { class: 'field-error', id: id + '-err', 'aria-live': 'polite' });
    input.setAttribute('aria-describedby', id + '-err');
    errors.set(name, err);
    inputs.set(name, input);
    input.addEventListener('input', () => { input.dataset.typed = '1'; });
    if (check) {
      input.addEventListener('input', () => setError(name, check(input.value.trim())));
    }
    return h('div', { class: 'field', 'data-field': name },
      h('label', { for: id }, t(label)), control ?? input, hint ? h('span', { class: 'hint' }, hint) : null, err);
  }
  function setError(name: string, message: string): void {
    const el = errors.get(name);
    const input = inputs.get(name);
    if (el) el.textContent = message;
    if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
  }
  const text = (value = '', attrs: Record<string, string | number | boolean> = {}) =>
    h('input', { type: 'text', value, ...attrs });
  const num = (value: number | string, min: number, max: number) =>
    h('input', { type: 'number', value: String(value), min, max, inputmode: 'numeric' });

  // What the form offers until the user's booking category (B7) is known, then what it allows.
  const bounds = {
    duration_minutes: { min: 5, max: 480 }, validity_days: { min: 1, max: 365 }, max_participants: { min: 2, max: 100 },
  };

  // Validity starts when the booking is made (FEATURES.md B1: creation date = start of validity), so callers
  // can join at once; the minute shown is the current one.
  const now = new Date().toISOString();
  const validFrom = dateField({ withTime: true, value: toLocalInput(b?.valid_from ?? now), disabled: locked });
  const basic = h('fieldset', { class: 'grid' }, h('legend', {}, t('conference')),
    field('name', 'name', text(b?.name ?? '', { required: true, maxlength: 100 }), undefined,
      (v) => (v === '' ? rule('required') : '')),
    ctx.isAdmin ? field('owner', 'owner', text(b?.owner ?? ctx.session.user.username, { maxlength: 64 })) : null,
    field('number', 'number', text(b?.number ?? '', { inputmode: 'numeric', maxlength: 12, disabled: locked }),
      t('generated_hint'), digits(4, 12)),
    field('user_pin', 'user_pin', text(b?.user_pin ?? '', { inputmode: 'numeric', maxlength: 12, disabled: locked }),
      t('generated_hint'), digits(4, 12)),
    field('moderator_pin', 'moderator_pin', text(b?.moderator_pin ?? '', { inputmode: 'numeric', maxlength: 12, disabled: locked }),
      t('generated_hint'), (v) => digits(4, 12)(v) || (v !== '' && v === inputs.get('user_pin')?.value.trim() ? rule('pins_equal') : '')),
    field('valid_from', 'valid_from', validFrom.input, undefined,
      (v) => (v === '' || parseDate(v, true) ? '' : rule('date_time_format')), validFrom.el),
    field('duration_minutes', 'duration_minutes', num(b?.duration_minutes ?? 60, 5, 480), undefined, range(bounds.duration_minutes)),
    field('validity_days', 'validity_days', num(b?.validity_days ?? 1, 1, 365), undefined, range(bounds.validity_days)),
    field('max_participants', 'max_participants', num(b?.max_participants ?? 10, 2, 100), undefined, range(bounds.max_participants)),
    field('language', 'prompt_language', h('select', { disabled: locked },
      h('option', { value: 'fr', selected: (b?.language ?? 'fr') === 'fr' }, t('french')),
      h('option', { value: 'en', selected: b?.language === 'en' }, t('english')))),
    field('join_policy', 'join_policy', h('select', { disabled: locked },
      h('option', { value: 'pin', selected: (b?.join_policy ?? 'pin') === 'pin' }, t('join_pin')),
      h('option', { value: 'allow-list', selected: b?.join_policy === 'allow-list' }, t('join_allow')))));

  const optionNames: Key[] = ['announce_moderator', 'record', 'announce_users', 'listen_only', 'wait_for_leader'];
  const boxes = new Map<string, HTMLInputElement>();
  const options = h('fieldset', { class: 'options' }, h('legend', {}, t('options')),
    optionNames.map((name) => {
      const id = uid('opt-' + name);
      const box = h('input', { type: 'checkbox', id, name, checked: b ? Boolean(b[name as keyof Booking]) : false, disabled: locked });
      boxes.set(name, box);
      return h('label', { class: 'check', for: id }, box, t(name));
    }));

  const inviteeRows = h('div', { class: 'invitees' });
  function addInvitee(email = '', phone = '', pin = ''): void {
    const i = inviteeRows.children.length;
    const e = h('input', { type: 'email', value: email, 'aria-label': `${t('email')} ${i + 1}`, placeholder: t('email'), class: 'inv-email' });
    const p = h('input', { type: 'tel', value: phone, 'aria-label': `${t('phone')} ${i + 1}`, placeholder: t('phone'), class: 'inv-phone' });
    const pp = h('input', { type: 'text', value: pin, inputmode: 'numeric', 'aria-label': `${t('personal_pin')} ${i + 1}`, placeholder: t('personal_pin'), class: 'inv-pin' });
    const row: HTMLElement = h('div', { class: 'invitee-row' }, e, p, pp,
      h('button', { type: 'button', class: 'secondary small', onclick: () => row.remove() }, t('remove')));
    inviteeRows.appendChild(row);
  }
  for (const inv of b?.invitees ?? []) addInvitee(inv.email, inv.phone, inv.personal_pin);
  const inviteeErr = h('span', { class: 'field-error', 'aria-live': 'polite' });
  errors.set('invitees', inviteeErr);
  const invitees = h('fieldset', { class: 'invitees-set' }, h('legend', {}, t('invitees')), inviteeRows, inviteeErr,
    h('button', { type: 'button', class: 'secondary', onclick: () => addInvitee() }, '+ ' + t('add_invitee')));

  // Billing (issue 16), only when tariff plans are configured: the account that pays (new bookings) and the price
  // of the booking as it stands, asked again when the duration or the participants change.
  const billing = h('fieldset', { class: 'grid billing', hidden: true }, h('legend', {}, t('price')));
  const price = h('p', { class: 'price-quote', id: 'price-quote', 'aria-live': 'polite' });
  const terms = h('p', { class: 'hint price-terms', id: 'price-terms' });
  let accountSelect: HTMLSelectElement | null = null;
  let accountRequired = false;  // a billed category (GET /me/policy): no "none" to choose
  function requireAccount(): void {
    if (accountRequired && accountSelect?.options[0]?.value === '') accountSelect.options[0].remove();
  }
  let quoteSeq = 0;
  let quoteTimer: ReturnType<typeof setTimeout> | undefined;
  async function showQuote(): Promise<void> {
    const seq = ++quoteSeq;
    const duration = (inputs.get('duration_minutes')?.value ?? '').trim();
    const participants = (inputs.get('max_participants')?.value ?? '').trim();
    if (!/^\d+$/.test(duration) || !/^\d+$/.test(participants)) { price.textContent = ''; terms.textContent = ''; return; }
    try {
      // The account chosen prices it by the plans sold to it (a negotiated tariff), else the category's, else public.
      const account = accountSelect?.value || undefined;
      const q = await call<Quote>('GET', '/tariffs/quote' + query({ duration_minutes: duration, max_participants: participants, account }));
      if (seq !== quoteSeq) return;
      price.className = 'price-quote';
      price.dataset.price = q.price;
      price.textContent = t('price_quote').replace('{price}', formatMoney(q.price, q.currency)).replace('{plan}', q.plan.name);
      const perMinute = perMinuteTerms(q.plan);
      terms.textContent = perMinute.length ? `${t('price_terms')} ${perMinute.join('; ')}` : '';
    } catch (e) {
      if (seq !== quoteSeq) return;
      terms.textContent = '';
      price.className = 'price-quote form-error';
      delete price.dataset.price;
      price.textContent = e instanceof ApiError && e.fields[0]?.reason === 'no_plan' ? t('price_no_plan') : errorText(e);
    }
  }
  async function setUpBilling(): Promise<void> {
    const plans = (await call<{ items: TariffPlan[] }>('GET', '/tariffs')).items;
    if (!plans.length) return;
    if (!editing) {
      const accounts = (await call<{ items: BillingAccount[] }>('GET', '/accounts')).items;
      accountSelect = h('select', {}, h('option', { value: '' }, t('no_account')),
        accounts.map((a) => h('option', { value: a.name }, `${a.name} (${t('acct_available')} ${formatMoney(a.available, a.currency)})`)));
      billing.appendChild(field('account', 'billing_account', accountSelect));
      requireAccount();
      accountSelect.addEventListener('change', () => void showQuote());
    }
    billing.append(price, terms);
    billing.hidden = false;
    for (const name of ['duration_minutes', 'max_participants']) {
      inputs.get(name)?.addEventListener('input', () => { clearTimeout(quoteTimer); quoteTimer = setTimeout(() => void showQuote(), 250); });
    }
    await showQuote();
  }

  const formError = h('p', { class: 'form-error', role: 'alert' });
  const policyNote = h('p', { class: 'hint policy-note' });
  const submit = h('button', { type: 'submit', class: 'primary' }, editing ? t('save') : t('book'));
  const actions = h('div', { class: 'actions' }, submit,
    opts.onCancel ? h('button', { type: 'button', class: 'secondary', onclick: opts.onCancel }, t('cancel')) : null);

  function body(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const str = (name: string) => (inputs.get(name)?.value ?? '').trim();
    out.name = str('name');
    if (ctx.isAdmin && str('owner')) out.owner = str('owner');
    if (!locked) {
      for (const name of ['number', 'user_pin', 'moderator_pin']) if (str(name)) out[name] = str(name);
      if (validFrom.iso()) out.valid_from = validFrom.iso();
      out.language = str('language');
      out.join_policy = str('join_policy');
      for (const [name, box] of boxes) out[name] = box.checked;
    }
    for (const name of ['duration_minutes', 'validity_days', 'max_participants']) {
      const v = str(name);
      if (v !== '' && !(locked && name === 'validity_days')) out[name] = Number.isInteger(Number(v)) ? Number(v) : v;
    }
    out.invitees = [...inviteeRows.children].map((row) => ({
      email: (row.querySelector('.inv-email') as HTMLInputElement).value.trim(),
      phone: (row.querySelector('.inv-phone') as HTMLInputElement).value.trim(),
      personal_pin: (row.querySelector('.inv-pin') as HTMLInputElement).value.trim(),
    }));
    if (accountSelect?.value) out.account = accountSelect.value;
    if (b) out.version = b.version;
    return out;
  }

  function showFieldErrors(fields: FieldError[]): void {
    for (const f of fields) {
      const base = f.field.startsWith('invitees') ? 'invitees' : f.field;
      const el = errors.get(base);
      if (el) {
        el.textContent = base === 'invitees'
          ? [el.textContent, labelled(fieldName(f.field), fieldErrorText(f))].filter((x) => x).join(' · ')
          : fieldErrorText(f);
        inputs.get(base)?.setAttribute('aria-invalid', 'true');
      }
    }
    // A field the form does not show (an unknown one, the body): said under the form, not lost.
    const other = fields.filter((f) => !errors.has(f.field.startsWith('invitees') ? 'invitees' : f.field));
    if (other.length) formError.textContent = [t('fix_errors'), ...other.map((f) => labelled(fieldName(f.field), fieldErrorText(f)))].join(' ');
    const first = fields.map((f) => inputs.get(f.field)).find((x) => x);
    first?.focus();
  }

  const form = h('form', { class: 'booking-form', novalidate: true, onsubmit: async (ev: Event) => {
    ev.preventDefault();
    for (const name of errors.keys()) setError(name, '');
    formError.textContent = '';
    // What the form can tell without the server: a missing name, a date it cannot read.
    const local: [string, string][] = [];
    if (!(inputs.get('name')?.value.trim())) local.push(['name', rule('required')]);
    if (!validFrom.valid()) local.push(['valid_from', rule('date_time_format')]);
    if (local.length) {
      for (const [name, message] of local) setError(name, message);
      formError.textContent = t('fix_errors');
      inputs.get(local[0][0])?.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('saving');
    try {
      const saved = b ? await call<Booking>('PATCH', `/bookings/${b.id}`, body())
        : await call<Booking>('POST', '/bookings', body());
      ctx.notify(b ? t('saved') : t('booked'));
      opts.onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) {
        formError.textContent = t('fix_errors');
        showFieldErrors(e.fields);
      } else {
        formError.textContent = errorText(e);
      }
    } finally {
      submit.disabled = false;
      submit.textContent = editing ? t('save') : t('book');
    }
  } }, policyNote, basic, billing, options, invitees, formError, actions);

  // The booking policy (B7): offer only what the user's category allows, and say why it may not book.
  function applyPolicy(p: MyPolicy): void {
    const l = p.limits;
    const offer = (name: 'duration_minutes' | 'validity_days' | 'max_participants', min: number, max: number, def: number) => {
      Object.assign(bounds[name], { min, max });  // in place: the field checks hold these objects
      const input = inputs.get(name) as HTMLInputElement | undefined;
      if (!input) return;
      input.min = String(min);
      input.max = String(max);
      // The category's default, unless the user already typed something (the answer may come late).
      if (!b && !input.dataset.typed) input.value = String(def);
    };
    offer('duration_minutes', l.min_duration_minutes, l.max_duration_minutes, l.default_duration_minutes);
    offer('validity_days', 1, l.max_validity_days, l.default_validity_days);
    offer('max_participants', 2, l.max_participants, l.default_max_participants);
    if (!billing.hidden) void showQuote();  // the defaults may have changed
    accountRequired = !!p.account_required;
    requireAccount();
    const record = boxes.get('record');
    if (record && !l.recording_allowed && !record.checked) {
      record.disabled = true;
      record.closest('label')?.setAttribute('title', rule('recording_not_allowed', { category: p.category }));
    }
    if (p.limited) policyNote.textContent = t('policy_category').replace('{category}', p.category);
    if (!b && !p.may_book && p.refusal) {
      // Said at the top, before anything is filled in.
      policyNote.className = 'form-error policy-note';
      policyNote.setAttribute('role', 'alert');
      policyNote.textContent = reasonText(p.refusal.reason, p.refusal.params) ?? p.refusal.message;
      submit.disabled = true;
      form.dataset.refused = p.refusal.reason ?? 'refused';
    }
  }
  // Editing someone else's booking (an administrator) is not limited by the editor's category.
  setUpBilling().catch(() => { /* no billing shown; the server still prices the booking */ });
  if (!ctx.isAdmin) call<MyPolicy>('GET', '/me/policy').then(applyPolicy).catch(() => { /* the server still decides */ });
  return form;
}
