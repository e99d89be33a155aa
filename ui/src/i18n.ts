// French and English; the choice is remembered in localStorage ("confpro.lang"), defaulting to the browser's.
const en = {
  app_name: 'Conference Pro', conference: 'Conference', access_number: 'Access number', sign_in: 'Sign in', username: 'Username', password: 'Password',
  sign_out: 'Sign out', signed_in_as: 'Signed in as', language: 'Language', bad_login: 'Invalid username or password.', session_ended: 'Your session has ended. Please sign in again.',
  throttled: 'Too many failed attempts. Try again later.', network_error: 'The server cannot be reached.',
  tab_schedule: 'Schedule', tab_future: 'Future', tab_current: 'Current', tab_past: 'Past', tab_delete: 'Delete',
  tab_reports: 'Reports', tab_users: 'Users', tab_access: 'Access numbers', tab_audit: 'Audit log',
  name: 'Name', owner: 'Owner', number: 'Conference number', user_pin: 'Participant PIN', moderator_pin: 'Moderator PIN',
  valid_from: 'Start of validity', duration_minutes: 'Duration (minutes)', validity_days: 'Validity (days)',
  max_participants: 'Max participants', prompt_language: 'Prompt language', join_policy: 'Who may join',
  join_pin: 'Anyone with the PIN', join_allow: 'Invitees only (allow-list)', options: 'Options',
  announce_moderator: 'Announce moderators', record: 'Record the conference', announce_users: 'Announce participants',
  listen_only: 'Participants listen only', wait_for_leader: 'Wait for the moderator', invitees: 'Invitees',
  email: 'E-mail', phone: 'Phone', personal_pin: 'Personal PIN', add_invitee: 'Add invitee', remove: 'Remove',
  generated_hint: 'Leave empty to generate', save: 'Save', saving: 'Saving…', cancel: 'Cancel', book: 'Book the conference',
  booked: 'Conference booked', saved: 'Changes saved', fix_errors: 'Please correct the highlighted fields.',
  french: 'French', english: 'English', search: 'Search', state: 'State', from: 'From', to: 'To', any: 'Any',
  scheduled: 'Scheduled', active: 'Active', ended: 'Ended', created: 'Created', expires: 'Expires',
  opened: 'Opened', closed: 'Closed', edit: 'Edit', no_results: 'Nothing found.', results: 'results', result: 'result',
  previous: 'Previous', next: 'Next', live_unavailable: 'The live conference service is not running.',
  no_live: 'No conference is running.', participants: 'Participants', role: 'Role', joined: 'Joined',
  talking: 'Talking', muted: 'Muted', mute: 'Mute', unmute: 'Unmute', eject: 'Eject', lock: 'Lock', unlock: 'Unlock',
  end: 'End', invite: 'Invite', invite_number: 'Number to call', locked: 'Locked', recording: 'Recording',
  ends_at: 'Ends at', confirm_end: 'End this conference for everyone?', confirm_eject: 'Eject this participant?',
  moderator: 'Moderator', user: 'Participant', duration: 'Duration', reason: 'Reason', detail: 'Detail',
  organizer: 'Organizer', left: 'Left', quality: 'Quality', recording_player: 'Recording', close: 'Close',
  connections: 'Connections', delete: 'Delete', confirm_delete: 'Delete this conference? This cannot be undone.',
  deleted: 'Conference deleted', delete_hint: 'Future and past conferences can be deleted; an active one is ended first.',
  totals: 'Totals', planned: 'Planned', used: 'Used', conference_minutes: 'Conference minutes',
  participant_minutes: 'Participant minutes', per_owner: 'Per owner', per_access_number: 'Per access number',
  minutes_per_day: 'Participant minutes per day', export_csv: 'Export CSV', show: 'Show', direct: 'Direct / dial-out',
  display_name: 'Display name', mobile: 'Mobile', admin: 'Administrator', make_admin: 'Make administrator', make_organizer: 'Make organizer', disable: 'Disable', enable: 'Enable', disabled: 'Disabled', add_user: 'Add user',
  new_password: 'New password', kind: 'Kind', label: 'Label', local: 'Local', toll_free: 'Toll-free',
  add_number: 'Add number', at: 'When', actor: 'Who', action: 'Action', target: 'Target', live_updates: 'Live',
  reconnecting: 'Reconnecting…', invite_sent: 'Calling', copy: 'Copy', loading: 'Loading…', yes: 'Yes', no: 'No',
  main_nav: 'Main sections', dial_in: 'Dial-in numbers', minutes: 'min', forbidden: 'You are not allowed to do this.',
  conflict: 'This conflicts with existing data.', error: 'Something went wrong.',
  // Why a conference closed or a participant left (the codes the server stores; see reasonText below).
  reason_duration_elapsed: 'Scheduled duration reached', reason_ended_by_moderator: 'Ended by a moderator',
  reason_ended_by_admin: 'Ended by an operator', reason_expired_unused: 'Expired without being used',
  reason_empty: 'Nobody left (grace time over)',
  reason_interrupted: 'Interrupted (server stopped)', reason_hangup: 'Hung up', reason_remote_bye: 'Hung up (called party)',
  reason_ejected: 'Ejected', reason_conference_ended: 'Conference ended', reason_rtp_timeout: 'Audio lost (no sound received)',
  reason_shutdown: 'Server shut down', reason_conference_gone: 'Conference no longer available',
  reason_media_error: 'Audio error', reason_refused: 'Refused', reason_cancelled: 'Call cancelled',
  reason_session_expired: 'Call session expired', reason_no_ack: 'Call set-up not confirmed',
  reason_rejected: 'Call rejected', reason_no_common_codec: 'No common audio format', reason_timeout: 'No answer',
  reason_ended: 'Call ended', reason_max_calls: 'Server at its call limit', reason_internal_error: 'Internal error',
  reason_sip: 'Telephone network error',
  pick_date: 'Choose on a calendar', date_expected: 'Write it as',
};
type Dict = typeof en;
export type Key = keyof Dict;

const fr: Dict = {
  app_name: 'Conference Pro', conference: 'Conférence', access_number: "Numéro d'accès", sign_in: 'Se connecter', username: 'Identifiant', password: 'Mot de passe',
  sign_out: 'Se déconnecter', signed_in_as: 'Connecté en tant que', language: 'Langue',
  bad_login: 'Identifiant ou mot de passe incorrect.', session_ended: 'Votre session a pris fin. Veuillez vous reconnecter.', throttled: 'Trop de tentatives. Réessayez plus tard.',
  network_error: 'Le serveur est injoignable.',
  tab_schedule: 'Réserver', tab_future: 'À venir', tab_current: 'En cours', tab_past: 'Passées', tab_delete: 'Supprimer',
  tab_reports: 'Rapports', tab_users: 'Utilisateurs', tab_access: "Numéros d'accès", tab_audit: "Journal d'audit",
  name: 'Nom', owner: 'Propriétaire', number: 'Numéro de conférence', user_pin: 'Code participant',
  moderator_pin: 'Code animateur', valid_from: 'Début de validité', duration_minutes: 'Durée (minutes)',
  validity_days: 'Validité (jours)', max_participants: 'Participants max.', prompt_language: 'Langue des messages',
  join_policy: 'Qui peut entrer', join_pin: 'Toute personne ayant le code', join_allow: 'Invités seulement (liste)',
  options: 'Options', announce_moderator: 'Annoncer les animateurs', record: 'Enregistrer la conférence',
  announce_users: 'Annoncer les participants', listen_only: 'Participants en écoute seule',
  wait_for_leader: "Attendre l'animateur", invitees: 'Invités', email: 'E-mail', phone: 'Téléphone',
  personal_pin: 'Code personnel', add_invitee: 'Ajouter un invité', remove: 'Retirer',
  generated_hint: 'Laisser vide pour générer', save: 'Enregistrer', saving: 'Enregistrement…', cancel: 'Annuler',
  book: 'Réserver la conférence', booked: 'Conférence réservée', saved: 'Modifications enregistrées',
  fix_errors: 'Veuillez corriger les champs signalés.', french: 'Français', english: 'Anglais', search: 'Rechercher',
  state: 'État', from: 'Du', to: 'Au', any: 'Tous', scheduled: 'Prévue', active: 'En cours', ended: 'Terminée',
  created: 'Créée', expires: 'Expire', opened: 'Ouverte', closed: 'Fermée', edit: 'Modifier',
  no_results: 'Aucun résultat.', results: 'résultats', result: 'résultat', previous: 'Précédent', next: 'Suivant',
  live_unavailable: "Le service de conférence en direct n'est pas démarré.", no_live: 'Aucune conférence en cours.',
  participants: 'Participants', role: 'Rôle', joined: 'Arrivée', talking: 'Parle', muted: 'Muet', mute: 'Couper le micro',
  unmute: 'Rétablir le micro', eject: 'Exclure', lock: 'Verrouiller', unlock: 'Déverrouiller', end: 'Terminer',
  invite: 'Inviter', invite_number: 'Numéro à appeler', locked: 'Verrouillée', recording: 'Enregistrement',
  ends_at: 'Fin prévue', confirm_end: 'Terminer cette conférence pour tous ?', confirm_eject: 'Exclure ce participant ?',
  moderator: 'Animateur', user: 'Participant', duration: 'Durée', reason: 'Motif', detail: 'Détail',
  organizer: 'Organisateur', left: 'Départ', quality: 'Qualité', recording_player: 'Enregistrement', close: 'Fermer',
  connections: 'Connexions', delete: 'Supprimer', confirm_delete: 'Supprimer cette conférence ? Action irréversible.',
  deleted: 'Conférence supprimée',
  delete_hint: "Les conférences à venir et passées peuvent être supprimées ; une conférence en cours est d'abord terminée.",
  totals: 'Totaux', planned: 'Prévues', used: 'Utilisées', conference_minutes: 'Minutes de conférence',
  participant_minutes: 'Minutes participants', per_owner: 'Par propriétaire', per_access_number: "Par numéro d'accès",
  minutes_per_day: 'Minutes participants par jour', export_csv: 'Exporter en CSV', show: 'Afficher',
  direct: 'Direct / appel sortant', display_name: 'Nom affiché', mobile: 'Mobile', admin: 'Administrateur', make_admin: 'Nommer administrateur', make_organizer: 'Nommer organisateur', disable: 'Désactiver', enable: 'Réactiver',
  disabled: 'Désactivé', add_user: 'Ajouter un utilisateur', new_password: 'Nouveau mot de passe', kind: 'Type',
  label: 'Libellé', local: 'Local', toll_free: 'Numéro vert', add_number: 'Ajouter un numéro', at: 'Quand',
  actor: 'Qui', action: 'Action', target: 'Cible', live_updates: 'En direct', reconnecting: 'Reconnexion…',
  invite_sent: 'Appel en cours', copy: 'Copier', loading: 'Chargement…', yes: 'Oui', no: 'Non',
  main_nav: 'Sections principales', dial_in: "Numéros d'accès", minutes: 'min',
  forbidden: "Vous n'êtes pas autorisé à faire ceci.", conflict: 'Conflit avec des données existantes.',
  error: "Une erreur s'est produite.",
  reason_duration_elapsed: 'Durée prévue atteinte', reason_ended_by_moderator: 'Terminée par un animateur',
  reason_ended_by_admin: 'Terminée par un opérateur', reason_expired_unused: 'Expirée sans avoir servi',
  reason_empty: 'Plus personne (délai écoulé)',
  reason_interrupted: 'Interrompue (arrêt du serveur)', reason_hangup: 'A raccroché',
  reason_remote_bye: 'A raccroché (personne appelée)', reason_ejected: 'Exclu', reason_conference_ended: 'Fin de la conférence',
  reason_rtp_timeout: 'Audio perdu (plus de son reçu)', reason_shutdown: 'Arrêt du serveur',
  reason_conference_gone: 'Conférence plus disponible', reason_media_error: 'Erreur audio', reason_refused: 'Refusé',
  reason_cancelled: 'Appel annulé', reason_session_expired: "Session d'appel expirée",
  reason_no_ack: "Établissement de l'appel non confirmé", reason_rejected: 'Appel rejeté',
  reason_no_common_codec: 'Aucun format audio commun', reason_timeout: 'Pas de réponse', reason_ended: 'Appel terminé',
  reason_max_calls: "Limite d'appels du serveur atteinte", reason_internal_error: 'Erreur interne',
  reason_sip: 'Erreur du réseau téléphonique',
  pick_date: 'Choisir dans un calendrier', date_expected: 'Format attendu :',
};

export type Lang = 'fr' | 'en';
const dicts: Record<Lang, Dict> = { fr, en };

function initial(): Lang {
  const saved = localStorage.getItem('confpro.lang');
  if (saved === 'fr' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

let current: Lang = initial();
export function lang(): Lang { return current; }
export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem('confpro.lang', l);
  document.documentElement.lang = l;
}
export function t(key: Key): string { return dicts[current][key]; }
document.documentElement.lang = current;

// Server field-error messages are English sentences; show them with the translated field name.
export function fieldLabel(field: string): string {
  const base = field.replace(/\[\d+\].*$/, '') as Key;
  return base in en ? t(base) : field;
}

// A close or leave reason code as the server stores it ("ended-by-admin", "ejected", "sip-486", …) in words; a code
// this console does not know is shown as it is. The codes come from src/domain (EndReason), src/conference
// (hang-up reasons), src/sip (call end causes, "caller-bye" stored as "hangup") and the store's crash recovery.
export function reasonText(code: string): string {
  if (!code) return '—';
  const sip = /^sip-(\d{3})$/.exec(code);
  if (sip) return `${t('reason_sip')} (SIP ${sip[1]})`;
  const key = 'reason_' + code.replace(/-/g, '_');
  return key in en ? t(key as Key) : code;
}
