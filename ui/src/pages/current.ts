// Current: running conferences, kept live by the server's event stream (SSE). Participants appear and
// disappear, talking indicators follow the speakers; moderation buttons act on the call. A conference waiting
// for its leader says so (it has no end time yet) until it opens; listen-only and waiting participants say so
// instead of offering Mute. Invites by number show their state live (ringing, answered, joined, refused, …).
import {
  ApiError, call, type LiveConference, type LiveEvent, type LiveParticipant, type Page as ApiPage,
} from '../api';
import type { Page } from '../app';
import { clear, h } from '../dom';
import { errorText, labelled } from '../errors';
import { formatTime } from '../format';
import { t, type Key } from '../i18n';

// What the live API sends beyond api.ts's types: invites, a participant waiting for the leader, and no times
// (null) for a conference not opened yet.
interface LiveInvite { id: string; number: string; state: string; reason: string; at: string }
type Participant = LiveParticipant & { waiting?: boolean };
type Conference = Omit<LiveConference, 'opened_at' | 'ends_at' | 'participants'> & {
  opened_at: string | null; ends_at: string | null; participants: Participant[]; invites?: LiveInvite[];
};
type LiveEv = Omit<LiveEvent, 'participant'> & { participant?: Participant; invite?: LiveInvite };

// An invite's state (and why) in words.
function inviteStateText(i: LiveInvite): string {
  const state = t(('invite_' + i.state.replace(/-/g, '_')) as Key) ?? i.state;
  if (!i.reason || i.state === 'joined') return state;
  const why = i.reason === 'sip-486' ? 'busy' : i.reason.replace(/-/g, '_');
  const text = t(('invite_why_' + why) as Key);
  return text ? `${state} (${text})` : state;
}

// An invite refused by the server, worded: its code when the server gave one, else the number's field error.
function inviteErrorText(e: unknown): string {
  if (e instanceof ApiError) {
    const coded = e.code ? t(('invite_err_' + e.code) as Key) : undefined;
    if (coded) return coded;
    if (e.fields.some((f) => f.field === 'number')) return t('invite_err_bad_number');
  }
  return errorText(e);
}

export const currentPage: Page = (root, ctx) => {
  let conferences: Conference[] = [];
  // The invite box of each conference keeps what was typed and the last error across redraws (every event redraws).
  const drafts = new Map<number, { value: string; error: string }>();
  let source: EventSource | null = null;
  let closed = false;
  const live = h('span', { class: 'live-dot', 'aria-live': 'polite' }, t('loading'));
  const list = h('div', { class: 'live-list' });
  const nodes = h('section', { id: 'nodes' });
  root.append(h('div', { class: 'title-row' }, h('h1', {}, t('tab_current')), live), list, ...(ctx.isAdmin ? [nodes] : []));

  // Administrators: every node sharing the store, from its heartbeat (issue 18), refreshed every 5 s.
  async function loadNodes(): Promise<void> {
    try {
      const { items } = await call<{ items: { node: string; last_seen: string; up: boolean; conferences: number; participants: number }[] }>('GET', '/nodes');
      clear(nodes);
      nodes.append(h('h2', {}, t('nodes_title')), h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'node-table' },
        h('thead', {}, h('tr', {}, [t('node_name'), t('node_state'), t('node_last_seen'), t('node_conferences'), t('node_participants')]
          .map((x, i) => h('th', { scope: 'col', class: i >= 3 ? 'num' : '' }, x)))),
        h('tbody', {}, items.map((n) => h('tr', { 'data-node': n.node, 'data-up': String(n.up) },
          h('td', { class: 'mono' }, n.node), h('td', {}, t(n.up ? 'node_up' : 'node_silent')), h('td', {}, formatTime(n.last_seen)),
          h('td', { class: 'num' }, n.conferences), h('td', { class: 'num' }, n.participants)))))));
    } catch { /* the conferences still show */ }
    if (!closed) setTimeout(() => void loadNodes(), 5000);
  }

  // A snapshot and the event stream race: an event can reach the page before a snapshot taken earlier on the
  // server. So while a snapshot loads, events are queued and replayed on top of it (every event carries the new
  // value, so replaying one the snapshot already reflects changes nothing), and one load runs at a time: a
  // request for another while one is in flight is folded into one more round after it.
  let loading = false;
  let again = false;
  let pending: LiveEv[] = [];

  async function reload(): Promise<void> {
    if (loading) { again = true; return; }
    loading = true;
    try {
      do {
        again = false;
        pending = [];
        try {
          conferences = (await call<ApiPage<Conference>>('GET', '/conferences/live')).items;
        } catch (e) {
          clear(list);
          live.textContent = '';
          list.appendChild(h('p', { class: 'notice', role: 'status' },
            e instanceof ApiError && e.status === 503 ? t('live_unavailable') : errorText(e)));
          return;
        }
        const queued = pending;
        pending = [];
        for (const ev of queued) if (!applyOne(ev)) again = true;  // newer than the snapshot: load again
        draw();
      } while (again && !closed);
    } finally {
      loading = false;
    }
  }

  function apply(ev: LiveEv): void {
    if (loading) { pending.push(ev); return; }
    if (applyOne(ev)) draw();
    else void reload();
  }

  // Applies one event to `conferences`; false when it names a conference the page does not have yet (or opens
  // one), which only a new snapshot can show.
  function applyOne(ev: LiveEv): boolean {
    if (ev.type === 'opened') return false;  // its end time and session: only a snapshot has them
    if (ev.type === 'ended') {
      // Dropped at once: a reload racing the end could still list it, and no later event would correct that.
      conferences = conferences.filter((x) => x.booking_id !== ev.booking_id);
      return true;
    }
    const c = conferences.find((x) => x.booking_id === ev.booking_id);
    if (!c) return false;
    const p = ev.participant;
    switch (ev.type) {
      case 'joined':
        if (p && !c.participants.some((x) => x.id === p.id)) c.participants.push(p);
        break;
      case 'left':
        if (p) c.participants = c.participants.filter((x) => x.id !== p.id);
        break;
      case 'talking':
      case 'muted': {
        // The event carries the participant as it is now (a user released by the moderator stops waiting).
        const x = p && c.participants.find((y) => y.id === p.id);
        if (x) { Object.assign(x, p); if (ev.type === 'talking') x.talking = ev.flag; else x.muted = ev.flag; }
        break;
      }
      case 'invite': {
        const i = ev.invite;
        if (!i) break;
        const list = c.invites ?? (c.invites = []);
        const at = list.findIndex((x) => x.id === i.id);
        if (at >= 0) list[at] = i; else list.push(i);
        break;
      }
      case 'locked': {
        c.locked = ev.flag;
        const draft = drafts.get(c.booking_id);
        if (draft) draft.error = '';  // a refusal for being locked (or not) may no longer hold
        break;
      }
      case 'recording': c.recording = ev.flag; break;
      default: break;
    }
    return true;
  }

  async function act(path: string, confirmText?: string, body?: unknown): Promise<void> {
    if (confirmText && !confirm(confirmText)) return;
    try { await call('POST', path, body); } catch (e) { ctx.notify(errorText(e), 'error'); }
  }

  // The room's new end comes with no event of its own: read the list back once the server took it.
  async function extend(c: Conference): Promise<void> {
    try {
      await call('POST', `/conferences/live/${c.booking_id}/extend`, { minutes: 15 });
      await reload();
    } catch (e) { ctx.notify(errorText(e), 'error'); }
  }

  async function invite(c: Conference, input: HTMLInputElement): Promise<void> {
    const draft = drafts.get(c.booking_id) ?? { value: '', error: '' };
    draft.value = input.value.trim();
    drafts.set(c.booking_id, draft);
    try {
      await call('POST', `/conferences/live/${c.booking_id}/invite`, { number: draft.value });
      drafts.delete(c.booking_id);  // sent: the number now shows among the invites
    } catch (e) {
      draft.error = inviteErrorText(e);  // the number stays, to correct it
    }
    draw();
  }

  function participantRow(c: Conference, p: Participant): HTMLElement {
    const base = `/conferences/live/${c.booking_id}`;
    const state = p.waiting ? t('waiting_for_leader') : p.listen_only ? t('listening_only') : p.muted ? t('yes') : t('no');
    return h('tr', { 'data-participant': p.id, class: p.talking ? 'talking' : '' },
      h('td', {}, h('span', { class: p.talking ? 'talk on' : 'talk', role: 'img', 'aria-label': p.talking ? t('talking') : '' })),
      h('td', { class: 'mono' }, p.caller_number), h('td', {}, p.name || '—'),
      h('td', {}, p.role === 'moderator' ? t('moderator') : t('user')),
      h('td', {}, formatTime(p.joined_at)),
      h('td', { class: p.waiting || p.listen_only ? 'participant-state' : '' }, state),
      h('td', { class: 'row-actions' },
        // A listen-only participant cannot speak (the server refuses to unmute them), a waiting one is not heard yet.
        p.listen_only || p.waiting ? null :
          h('button', { class: 'secondary small', onclick: () => act(`${base}/participants/${p.id}/${p.muted ? 'unmute' : 'mute'}`) },
            p.muted ? t('unmute') : t('mute')),
        h('button', { class: 'danger small', onclick: () => act(`${base}/participants/${p.id}/eject`, t('confirm_eject')) }, t('eject'))));
  }

  function card(c: Conference): HTMLElement {
    const base = `/conferences/live/${c.booking_id}`;
    const draft = drafts.get(c.booking_id) ?? { value: '', error: '' };
    const errorId = `invite-error-${c.booking_id}`;
    const inviteInput = h('input', {
      type: 'tel', id: `invite-${c.booking_id}`, placeholder: '+33…', inputmode: 'tel', value: draft.value,
      'aria-invalid': draft.error ? 'true' : null, 'aria-describedby': draft.error ? errorId : null,
      oninput: () => { drafts.set(c.booking_id, { value: inviteInput.value, error: draft.error }); },
    });
    const waiting = c.waiting_for_leader || c.participants.some((p) => p.waiting);
    const invites = c.invites ?? [];
    const when = c.ends_at ? `${t('ends_at')} ${formatTime(c.ends_at)}` : t('not_opened');
    const granted = c.granted_until && c.ends_at && c.granted_until === c.ends_at;
    return h('section', { class: 'card live-card', 'data-booking': c.booking_id, 'aria-labelledby': `lc-${c.booking_id}` },
      h('div', { class: 'live-head' },
        h('h2', { id: `lc-${c.booking_id}` }, c.name, ' ', h('span', { class: 'mono muted' }, c.number)),
        h('div', { class: 'badges' },
          waiting ? h('span', { class: 'badge badge-waiting', 'data-state': 'waiting-for-leader' }, t('waiting_for_leader')) : null,
          c.locked ? h('span', { class: 'badge badge-locked' }, t('locked')) : null,
          c.recording ? h('span', { class: 'badge badge-rec' }, '● ' + t('recording')) : null,
          granted ? h('span', { class: 'badge badge-credit', title: t('credit_limited_hint') }, t('credit_limited')) : null,
          h('span', { class: 'muted' }, `${labelled(t('owner'), c.owner)} · ${when} · ${c.participants.length}/${c.max_participants}`))),
      c.participants.length === 0 ? h('p', { class: 'muted' }, '—') :
        h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['', t('phone'), t('name'), t('role'), t('joined'), t('muted'), ''].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, c.participants.map((p) => participantRow(c, p))))),
      invites.length === 0 ? null :
        h('div', { class: 'invites', 'aria-live': 'polite' },
          h('h3', {}, t('invites')),
          h('ul', {}, invites.slice().reverse().map((i) =>
            h('li', { 'data-invite': i.id, 'data-state': i.state, class: `invite-state invite-${i.state}` },
              h('span', { class: 'mono' }, i.number), ' — ', inviteStateText(i), ' ',
              h('span', { class: 'muted' }, formatTime(i.at)))))),
      h('div', { class: 'live-actions' },
        h('button', { class: 'secondary', onclick: () => act(`${base}/${c.locked ? 'unlock' : 'lock'}`) }, c.locked ? t('unlock') : t('lock')),
        c.ends_at ? h('button', { class: 'secondary', 'data-action': 'extend', onclick: () => void extend(c) }, t('extend_15')) : null,
        h('button', { class: 'danger', onclick: () => act(`${base}/end`, t('confirm_end')) }, t('end')),
        h('form', { class: 'invite', onsubmit: (ev: Event) => { ev.preventDefault(); void invite(c, inviteInput); } },
          h('label', { for: `invite-${c.booking_id}` }, t('invite_number')), inviteInput,
          h('button', { type: 'submit', class: 'primary' }, t('invite')),
          draft.error ? h('p', { class: 'field-error invite-error', id: errorId, role: 'alert' }, draft.error) : null)));
  }

  function draw(): void {
    // Redrawn on every event: the invite box being typed in keeps its focus and caret.
    const focused = document.activeElement instanceof HTMLInputElement && list.contains(document.activeElement)
      ? { id: document.activeElement.id, at: document.activeElement.selectionStart } : null;
    clear(list);
    if (!conferences.length) list.appendChild(h('p', { class: 'notice' }, t('no_live')));
    for (const c of conferences) list.appendChild(card(c));
    const again = focused ? document.getElementById(focused.id) : null;
    if (focused && again instanceof HTMLInputElement) {
      again.focus();
      if (focused.at !== null) again.setSelectionRange(focused.at, focused.at);
    }
  }

  function connect(): void {
    if (closed || !ctx.session.live_service) return;
    source = new EventSource('/api/v1/events');
    source.onopen = () => { live.textContent = '● ' + t('live_updates'); live.classList.add('on'); void reload(); };
    source.onerror = () => {
      live.textContent = t('reconnecting');
      live.classList.remove('on');
      // The browser gives up on a stream the server refused (its session ended: expired, logged out elsewhere,
      // dropped by the per-user cap): ask for the session — a 401 brings the login form — else open it again.
      if (source?.readyState !== EventSource.CLOSED) return;
      source = null;
      void call('GET', '/session').then(() => { if (!closed) setTimeout(connect, 2000); }, (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) throw e;  // → the login form (main.ts)
        if (!closed) setTimeout(connect, 5000);
      });
    };
    for (const type of ['opened', 'joined', 'left', 'talking', 'muted', 'locked', 'recording', 'warning', 'ended', 'invite']) {
      source.addEventListener(type, (m) => apply(JSON.parse((m as MessageEvent).data) as LiveEv));
    }
  }

  void reload();
  connect();
  if (ctx.isAdmin) void loadNodes();
  return () => { closed = true; source?.close(); };
};
