// Showing API errors in the console's language. The server sends each error with a stable code: the category
// (`code`: not_found, permission_denied, …), and for a rule a `reason` with `params` ({"min": 4, "max": 12}), on the
// error itself and on each field error; the texts here (i18n.ts, err_*) word them. A reason this console does not
// know yet is shown with the server's English message; an error without a reason gets its category's sentence.
import { ApiError, type ErrorParams, type FieldError } from './api';
import { placeholder } from './date_field';
import { formatNumber } from './format';
import { fieldLabel, hasKey, lang, t, type Key } from './i18n';

// "{min}–{max}" → the values of `params`; a value that is itself a word of the console ("active"), or a list of
// such words ("admin, organizer"), is translated; numbers are written the language's way.
function word(v: string): string { return hasKey('word_' + v) ? t(('word_' + v) as Key) : v; }
function fill(text: string, params: ErrorParams = {}): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) return '';
    return typeof v === 'string' ? v.split(', ').map(word).join(', ') : formatNumber(v);
  });
}

// The rule `reason` with its `params` in words, or null when this console does not know the reason.
export function reasonText(reason: string | undefined, params: ErrorParams = {}): string | null {
  if (!reason) return null;
  if (reason === 'date_format') return `${t('date_expected')} ${placeholder(false)}`;
  if (reason === 'date_time_format') return `${t('date_expected')} ${placeholder(true)}`;
  const key = 'err_' + reason;
  return hasKey(key) ? fill(t(key), params) : null;
}

// One field error's rule in words (the server's message when its reason is unknown).
export function fieldErrorText(f: FieldError): string {
  return reasonText(f.reason, f.params) ?? f.message;
}

// "Personal PIN (invitee 2)" for "invitees[1].personal_pin"; the field's label otherwise.
export function fieldName(field: string): string {
  const inv = /^invitees\[(\d+)\]\.(\w+)$/.exec(field);
  if (inv) return `${fieldLabel(inv[2])} (${t('invitee')} ${Number(inv[1]) + 1})`;
  return fieldLabel(field);
}

// "Label: rule" with the language's punctuation (French puts a narrow no-break space before the colon).
export function labelled(label: string, text: string): string {
  return lang() === 'fr' ? `${label}\u202f: ${text}` : `${label}: ${text}`;
}

const byCode: Record<string, Key> = {
  invalid_argument: 'err_invalid_argument', not_found: 'err_not_found', already_exists: 'conflict',
  permission_denied: 'forbidden', unauthenticated: 'session_ended', failed_precondition: 'conflict',
  resource_exhausted: 'err_resource_exhausted', unavailable: 'err_unavailable', internal: 'error',
};

// `labels`: a page's own names for fields whose general label would mislead (the access-number form's "number").
export function errorText(e: unknown, labels: Record<string, string> = {}): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('network_error');
    const known = reasonText(e.reason, e.params);
    if (known) return known;
    if (e.fields.length) return e.fields.map((f) => labelled(labels[f.field] ?? fieldName(f.field), fieldErrorText(f))).join(' · ');
    // No reason this console knows: the server's own sentence in English, the category's sentence in French.
    if (lang() === 'en' && e.message) return e.status === 403 ? `${t('forbidden')} ${e.message}` : e.message;
    const generic = byCode[e.code];
    return generic ? t(generic) : e.message || t('error');
  }
  return t('error');
}
