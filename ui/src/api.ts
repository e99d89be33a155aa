// The REST API client: same-origin fetch with the session cookie; the CSRF token from login goes in
// X-CSRF-Token on every state-changing request. Errors come back as ApiError with the server's field list.
// `reason` and `params`: the rule broken, as a stable code with the values it names ({"min": 4, "max": 12}), so the
// console words it in its own language (errors.ts); `message` is the server's English sentence.
export type ErrorParams = Record<string, string | number>;
export interface FieldError { field: string; message: string; reason?: string; params?: ErrorParams }

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public fields: FieldError[] = [],
    public reason = '', public params: ErrorParams = {}) {
    super(message);
  }
}

export interface User { username: string; display_name: string; role: 'admin' | 'organizer' }
export interface SessionInfo { user: User; csrf_token: string; time_zone: string; live_service: boolean }

export interface Invitee { email: string; phone: string; personal_pin: string }
export interface Booking {
  id: number; name: string; owner: string; number: string; user_pin: string; moderator_pin: string;
  created_at: string; valid_from: string; valid_until: string; duration_minutes: number; validity_days: number;
  max_participants: number; language: 'fr' | 'en'; join_policy: 'pin' | 'allow-list';
  announce_moderator: boolean; record: boolean; announce_users: boolean; listen_only: boolean;
  wait_for_leader: boolean; invitees: Invitee[]; created_via: string; state: 'scheduled' | 'active' | 'ended';
  end_reason: string; opened_at: string | null; ended_at: string | null; version: number;
}
export interface Page<T> { items: T[]; total: number; limit?: number; offset?: number }

export interface LiveParticipant {
  id: number; caller_number: string; name: string; role: string; joined_at: string; talking: boolean;
  muted: boolean; listen_only: boolean; access_number: string; codec: string;
}
export interface LiveConference {
  booking_id: number; session_id: number; name: string; number: string; owner: string; opened_at: string;
  ends_at: string; granted_until?: string | null; max_participants: number; locked: boolean; recording: boolean; waiting_for_leader: boolean;
  participants: LiveParticipant[];
}
export interface LiveEvent {
  seq: number; type: string; booking_id: number; number: string; owner: string; at: string;
  participant?: LiveParticipant; flag: boolean; detail: string;
}
export interface PastConference {
  session_id: number; booking_id: number; number: string; name: string; owner: string; opened_at: string;
  closed_at: string | null; duration_seconds: number; close_reason: string; has_recording: boolean;
  deleted?: boolean; deleted_at?: string | null; deleted_by?: string | null;
}
export interface Connection {
  id: number; caller_number: string; caller_name: string; role: string; access_number: string; joined_at: string;
  left_at: string | null; duration_seconds: number; leave_reason: string; codec: string; loss_fraction: number;
  jitter_ms: number; rtt_ms: number; invitee: string;
}
export interface ReportRow { key: string; planned: number; used: number; conference_minutes: number; participant_minutes: number }
export interface Report {
  from: string; to: string; totals: ReportRow; per_owner: ReportRow[]; per_access_number: ReportRow[]; per_day: ReportRow[];
  conferences?: ReportConference[]; conferences_truncated?: boolean;
}
export interface ReportConference {
  booking_id: number; number: string; name: string; owner: string; planned_start: string; planned_end: string;
  duration_minutes: number; state: string; sessions: number; conference_minutes: number; participant_minutes: number;
  participants: number;
}
export interface PurgeResult { dry_run: boolean; retention_days: number; before: string; bookings: number; sessions: number; connections: number; recordings: number }
export interface AccountRow {
  id: number; username: string; display_name: string; email: string; mobile: string; role: string;
  phone_account: string; has_phone_pin?: boolean; disabled: boolean; created_at: string;
  source?: 'local' | 'ldap';
}
// GET /directory/status and POST /directory/test-login (issue 14).
export interface DirectoryStatus {
  ldap_configured: boolean; order: string[]; servers: { uri: string; reachable: boolean; last_error: string }[];
}
export interface TestLogin { username: string; display_name: string; email: string; role: string; source: string; groups: string[] }
export interface AccessNumber { number: string; label: string; kind: string; language: string }
export interface NotificationRow {
  id: number; kind: 'email' | 'sms'; recipient: string; subject: string; booking_id: number | null;
  status: 'pending' | 'sent' | 'failed'; attempts: number; next_attempt_at: string; last_error: string; created_at: string;
  report_state: '' | 'buffered' | 'accepted' | 'delivered' | 'failed'; report_at: string | null; report_answer: string;
}
export interface AuditRow { id: number; at: string; actor: string; action: string; target: string; details: string; source: string }

let csrfToken = '';
export function setCsrf(token: string): void { csrfToken = token; }

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    const e = (json as { error?: { code: string; message: string; fields?: FieldError[]; reason?: string; params?: ErrorParams } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? res.statusText, e?.fields ?? [],
      e?.reason ?? '', e?.params ?? {});
  }
  return json as T;
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

// GET /api/v1/me/policy: the signed-in user's booking category (B7) and what it allows.
export interface PolicyLimits {
  min_duration_minutes: number; max_duration_minutes: number; default_duration_minutes: number;
  max_participants: number; default_max_participants: number; max_validity_days: number;
  default_validity_days: number; max_active_bookings: number; recording_allowed: boolean;
}
export interface MyPolicy {
  category: string; mode: 'free' | 'refused' | 'billed'; limited: boolean; may_book: boolean; limits: PolicyLimits;
  account_required?: boolean;  // billed (issue 16): the booking names the billing account that pays
  refusal?: { code: string; message: string; reason?: string; params?: ErrorParams };
}

// Billing (issue 16): amounts are decimal strings ("5.00"), never numbers.
export interface TariffPlan {
  name: string; max_duration_minutes: number; max_participants: number; price: string; currency: string;
  // Charged at the end on top of the package, per started minute of each leg (issue 16 P1).
  overage_per_participant_minute: string | null; included_participant_minutes: number; toll_free_per_minute: string;
  dial_out: { prefix: string; per_minute: string }[];
  accounts?: string[]; categories?: string[];  // sold to these only (none: the public tariff)
}
export interface Quote { plan: TariffPlan; price: string; currency: string }
export interface BillingAccount {
  name: string; owner: string; prepaid: boolean; type: 'prepaid' | 'postpaid'; currency: string; credit_limit: string;
  balance: string; held: string; available: string; created_at: string; members: string[];
}
export interface LedgerLine {
  id: number; at: string; kind: string; amount: string; hold: string; booking_id: number | null; actor: string; note: string;
}
export interface Statement { account: BillingAccount; items: LedgerLine[]; limit: number; offset: number; has_more: boolean }
export interface RevenueRow { key: string; currency: string; amount: string; captures: number }
export interface Revenue { by: string; items: RevenueRow[]; totals: { currency: string; amount: string; captures: number }[] }
