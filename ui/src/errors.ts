// Showing API errors: field errors next to their inputs, others as a message.
import { ApiError } from './api';
import { fieldLabel, t } from './i18n';

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('network_error');
    if (e.status === 403) return t('forbidden') + ' ' + e.message;
    if (e.fields.length) return e.fields.map((f) => `${fieldLabel(f.field)}: ${f.message}`).join(' · ');
    return e.message || t('error');
  }
  return t('error');
}
