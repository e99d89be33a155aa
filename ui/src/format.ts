// Dates and durations in the console's time zone (from the server's session answer) and language.
import type { TariffPlan } from './api';
import { lang, t } from './i18n';

let zone = 'UTC';
export function setZone(z: string): void { zone = z; }
export function timeZone(): string { return zone; }

function parts(iso: string): Record<string, string> {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(iso))) out[p.type] = p.value;
  return out;
}

// Dates in tables and summaries are numeric and compact, the way the date fields are written (day/month/year, 24 h),
// in both languages: "25/11/2026 14:30". The space before the time does not break, so a date never wraps.
export const NBSP = '\u00a0';

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const p = parts(iso);
  return `${p.day}/${p.month}/${p.year}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const p = parts(iso);
  return `${p.day}/${p.month}/${p.year}${NBSP}${p.hour}:${p.minute}`;
}

export function formatDateTimeSeconds(iso: string | null | undefined): string {
  if (!iso) return '—';
  const seconds = new Intl.DateTimeFormat('en-GB', { timeZone: zone, second: '2-digit' }).format(new Date(iso));
  return `${formatDateTime(iso)}:${seconds.padStart(2, '0')}`;
}

// The end of something that started at `startIso`: only the time when it is the same day, else date and time.
export function formatEnd(startIso: string, endIso: string): string {
  return formatDate(startIso) === formatDate(endIso) ? formatDateTime(endIso).split(NBSP)[1] : formatDateTime(endIso);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang() === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: zone, timeStyle: 'medium' })
    .format(new Date(iso));
}

// ISO instant → "YYYY-MM-DDTHH:MM" in the zone (a date field's starting value).
export function toLocalInput(iso: string): string {
  const p = parts(iso);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export function today(offsetDays = 0): string {
  const p = parts(new Date(Date.now() + offsetDays * 86400000).toISOString());
  return `${p.year}-${p.month}-${p.day}`;
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return (h > 0 ? `${h} h ${String(m).padStart(2, '0')}` : `${m} min ${String(s).padStart(2, '0')} s`).replace(/ /g, NBSP);
}

// A number the language's way: "0,2" in French, "0.2" in English (`digits` decimals, fixed).
export function formatNumber(value: number, digits = 0): string {
  return new Intl.NumberFormat(lang() === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    .format(value);
}

// A fraction (0.002) as a percentage with one decimal: "0,2 %" in French, "0.2 %" in English (no break before %).
export function formatPercent(fraction: number): string {
  return `${formatNumber(fraction * 100, 1)}${NBSP}%`;
}

// A decimal amount string from the server ("-1234.50") with its currency, the language's way, without going
// through floating point: "-1,234.50 EUR" in English, "-1 234,50 EUR" in French (no break before the code).
export function formatMoney(amount: string, currency: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m) return `${amount}${NBSP}${currency}`;
  const sep = lang() === 'fr' ? '\u202f' : ',';
  const units = m[2].replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const cents = (m[3] ?? '').padEnd(2, '0');
  return `${m[1] ? '−' : ''}${units}${lang() === 'fr' ? ',' : '.'}${cents}${NBSP}${currency}`;
}

// A plan's per-minute terms in words, one each (none for a flat package): what the end of the conference adds
// to the package price (issue 16 P1).
export function perMinuteTerms(p: TariffPlan): string[] {
  const rate = (amount: string) => formatMoney(amount, p.currency);
  const terms: string[] = [];
  if (p.overage_per_participant_minute && p.overage_per_participant_minute !== '0.00')
    terms.push(t('term_overage').replace('{rate}', rate(p.overage_per_participant_minute))
      .replace('{included}', String(p.included_participant_minutes)));
  if (p.toll_free_per_minute && p.toll_free_per_minute !== '0.00')
    terms.push(t('term_toll_free').replace('{rate}', rate(p.toll_free_per_minute)));
  for (const d of p.dial_out ?? []) terms.push(t('term_dial_out').replace('{prefix}', d.prefix).replace('{rate}', rate(d.per_minute)));
  return terms;
}
