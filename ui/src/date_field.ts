// A date or date-and-time field written the console's way whatever the browser's locale: day/month/year and a
// 24-hour clock ("25/11/2026 14:30"), the order both its languages (en-GB, fr-FR) use. A native <input type="date">
// shows the browser's own locale (mm/dd/yyyy in an English Chromium) and ignores the page's language, so the text
// is typed in a plain text input; a button opens the browser's picker (a hidden native input) to choose instead.
// Values go to the server as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (read in the console's zone).
import { h, svg } from './dom';
import { lang, t } from './i18n';

export interface DateField {
  el: HTMLElement;              // the text input and its picker button
  input: HTMLInputElement;      // the text input (label it with its id)
  iso(): string;                // "" when empty; the server's form when it reads; else the text as typed (the server names the field)
  valid(): boolean;             // empty or readable
}

const pad = (n: number) => String(n).padStart(2, '0');

// "25/11/2026", "25/11/2026 14:30", "25.11.2026 9:05", "2026-11-25", "2026-11-25T14:30" → [y, m, d, hh, mm]; null
// when unreadable or not a real date/time. The time is required exactly when `withTime`.
export function parseDate(text: string, withTime: boolean): number[] | null {
  const s = text.trim();
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+(\d{1,2})[:h.](\d{2}))?$/.exec(s);
  const ymd = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2}))?$/.exec(s);
  const m = dmy ?? ymd;
  if (!m) return null;
  const [y, mo, d] = dmy ? [m[3], m[2], m[1]].map(Number) : [m[1], m[2], m[3]].map(Number);
  const hasTime = m[4] !== undefined;
  if (hasTime !== withTime) return null;
  const hh = hasTime ? Number(m[4]) : 0, mi = hasTime ? Number(m[5]) : 0;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  if (hh > 23 || mi > 59) return null;
  return withTime ? [y, mo, d, hh, mi] : [y, mo, d];
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (a native input's value) → "25/11/2026" or "25/11/2026 14:30".
export function displayDate(isoText: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(isoText);
  if (!m) return '';
  return `${m[3]}/${m[2]}/${m[1]}` + (m[4] ? ` ${m[4]}:${m[5]}` : '');
}

export function placeholder(withTime: boolean): string {
  const date = lang() === 'fr' ? 'jj/mm/aaaa' : 'dd/mm/yyyy';
  return withTime ? `${date} hh:mm` : date;
}

// A small calendar drawn in SVG (an emoji needs a font a server or kiosk may not have).
function calendarIcon(): SVGElement {
  return svg('svg', { viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' },
    svg('rect', { x: 1.5, y: 3, width: 13, height: 11.5, rx: 1.5, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.4 }),
    svg('path', { d: 'M1.5 6.5h13M5 1.2v3.3M11 1.2v3.3M4.5 9.5h2M9.5 9.5h2M4.5 12h2', fill: 'none', stroke: 'currentColor', 'stroke-width': 1.4 }));
}

// `value`: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" to start with.
export function dateField(opts: { id?: string; withTime: boolean; value?: string; required?: boolean; disabled?: boolean }): DateField {
  const input = h('input', { type: 'text', id: opts.id, value: displayDate(opts.value ?? ''), placeholder: placeholder(opts.withTime),
    autocomplete: 'off', spellcheck: 'false', required: opts.required, disabled: opts.disabled,
    maxlength: opts.withTime ? 20 : 12, class: 'date-text' });
  const native = h('input', { type: opts.withTime ? 'datetime-local' : 'date', tabindex: '-1', 'aria-hidden': 'true',
    class: 'date-native', disabled: opts.disabled });
  native.addEventListener('change', () => {
    if (!native.value) return;
    input.value = displayDate(native.value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const pick = h('button', { type: 'button', class: 'secondary small date-pick', 'aria-label': t('pick_date'),
    title: t('pick_date'), disabled: opts.disabled, onclick: () => {
      const p = parseDate(input.value, opts.withTime);
      native.value = p ? `${p[0]}-${pad(p[1])}-${pad(p[2])}` + (opts.withTime ? `T${pad(p[3])}:${pad(p[4])}` : '') : '';
      try { native.showPicker(); } catch { input.focus(); }
    } }, calendarIcon());
  const iso = (): string => {
    const text = input.value.trim();
    if (!text) return '';
    const p = parseDate(text, opts.withTime);
    if (!p) return text;
    return `${p[0]}-${pad(p[1])}-${pad(p[2])}` + (opts.withTime ? ` ${pad(p[3])}:${pad(p[4])}` : '');
  };
  const valid = () => !input.value.trim() || parseDate(input.value, opts.withTime) !== null;
  const check = () => input.setAttribute('aria-invalid', valid() ? 'false' : 'true');
  input.addEventListener('change', check);
  return { el: h('div', { class: 'date-field' }, input, native, pick), input, iso, valid };
}
