// Current: running conferences, kept live by the server's event stream (SSE). Participants appear and
// disappear, talking indicators follow the speakers; moderation buttons act on the call.
import { ApiError, call, type LiveConference, type LiveEvent, type Page as ApiPage } from '../api';
import type { Page } from '../app';
import { clear, h } from '../dom';
import { errorText } from '../errors';
import { formatTime } from '../format';
import { t } from '../i18n';

export const currentPage: Page = (root, ctx) => {
  let conferences: LiveConference[] = [];
  let source: EventSource | null = null;
  let closed = false;
  const live = h('span', { class: 'live-dot', 'aria-live': 'polite' }, t('loading'));
  const list = h('div', { class: 'live-list' });
  root.append(h('div', { class: 'title-row' }, h('h1', {}, t('tab_current')), live), list);

  // A snapshot and the event stream race: an event can reach the page before a snapshot taken earlier on the
  // server. So while a snapshot loads, events are queued and replayed on top of it (every event carries the new
  // value, so replaying one the snapshot already reflects changes nothing), and one load runs at a time: a
  // request for another while one is in flight is folded into one more round after it.
  let loading = false;
  let again = false;
  let pending: LiveEvent[] = [];

  async function reload(): Promise<void> {
    if (loading) { again = true; return; }
    loading = true;
    try {
      do {
        again = false;
        pending = [];
        try {
          conferences = (await call<ApiPage<LiveConference>>('GET', '/conferences/live')).items;
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

  function apply(ev: LiveEvent): void {
    if (ev.type === 'invite') { ctx.notify(`${t('invite_sent')}: ${ev.detail}`); return; }  // news, not state
    if (loading) { pending.push(ev); return; }
    if (applyOne(ev)) draw();
    else void reload();
  }

  // Applies one event to `conferences`; false when it names a conference the page does not have yet (or opens
  // one), which only a new snapshot can show.
  function applyOne(ev: LiveEvent): boolean {
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
        const x = p && c.participants.find((y) => y.id === p.id);
        if (x) { if (ev.type === 'talking') x.talking = ev.flag; else x.muted = ev.flag; }
        break;
      }
      case 'locked': c.locked = ev.flag; break;
      case 'recording': c.recording = ev.flag; break;
      default: break;
    }
    return true;
  }

  async function act(path: string, confirmText?: string, body?: unknown): Promise<void> {
    if (confirmText && !confirm(confirmText)) return;
    try { await call('POST', path, body); } catch (e) { ctx.notify(errorText(e), 'error'); }
  }

  function card(c: LiveConference): HTMLElement {
    const base = `/conferences/live/${c.booking_id}`;
    const inviteInput = h('input', { type: 'tel', id: `invite-${c.booking_id}`, placeholder: '+33…', inputmode: 'tel' });
    return h('section', { class: 'card live-card', 'data-booking': c.booking_id, 'aria-labelledby': `lc-${c.booking_id}` },
      h('div', { class: 'live-head' },
        h('h2', { id: `lc-${c.booking_id}` }, c.name, ' ', h('span', { class: 'mono muted' }, c.number)),
        h('div', { class: 'badges' },
          c.locked ? h('span', { class: 'badge badge-locked' }, t('locked')) : null,
          c.recording ? h('span', { class: 'badge badge-rec' }, '● ' + t('recording')) : null,
          h('span', { class: 'muted' }, `${t('owner')}: ${c.owner} · ${t('ends_at')} ${formatTime(c.ends_at)} · ${c.participants.length}/${c.max_participants}`))),
      c.participants.length === 0 ? h('p', { class: 'muted' }, '—') :
        h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['', t('phone'), t('name'), t('role'), t('joined'), t('muted'), ''].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, c.participants.map((p) => h('tr', { 'data-participant': p.id, class: p.talking ? 'talking' : '' },
            h('td', {}, h('span', { class: p.talking ? 'talk on' : 'talk', role: 'img', 'aria-label': p.talking ? t('talking') : '' })),
            h('td', { class: 'mono' }, p.caller_number), h('td', {}, p.name || '—'),
            h('td', {}, p.role === 'moderator' ? t('moderator') : t('user')),
            h('td', {}, formatTime(p.joined_at)), h('td', {}, p.muted ? t('yes') : t('no')),
            h('td', { class: 'row-actions' },
              h('button', { class: 'secondary small', onclick: () => act(`${base}/participants/${p.id}/${p.muted ? 'unmute' : 'mute'}`) },
                p.muted ? t('unmute') : t('mute')),
              h('button', { class: 'danger small', onclick: () => act(`${base}/participants/${p.id}/eject`, t('confirm_eject')) }, t('eject')))))))),
      h('div', { class: 'live-actions' },
        h('button', { class: 'secondary', onclick: () => act(`${base}/${c.locked ? 'unlock' : 'lock'}`) }, c.locked ? t('unlock') : t('lock')),
        h('button', { class: 'danger', onclick: () => act(`${base}/end`, t('confirm_end')) }, t('end')),
        h('form', { class: 'invite', onsubmit: (ev: Event) => { ev.preventDefault(); void act(`${base}/invite`, undefined, { number: inviteInput.value.trim() }); inviteInput.value = ''; } },
          h('label', { for: `invite-${c.booking_id}` }, t('invite_number')), inviteInput,
          h('button', { type: 'submit', class: 'primary' }, t('invite')))));
  }

  function draw(): void {
    clear(list);
    if (!conferences.length) list.appendChild(h('p', { class: 'notice' }, t('no_live')));
    for (const c of conferences) list.appendChild(card(c));
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
      source.addEventListener(type, (m) => apply(JSON.parse((m as MessageEvent).data) as LiveEvent));
    }
  }

  void reload();
  connect();
  return () => { closed = true; source?.close(); };
};
