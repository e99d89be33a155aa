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
  connections: 'Connections', delete: 'Delete', confirm_delete: 'Delete this conference? It leaves Future and no longer answers calls; what it was used for stays in Past and the reports.',
  deleted: 'Conference deleted', delete_hint: 'Future and past conferences can be deleted; an active one is ended first.',
  totals: 'Totals', planned: 'Planned', used: 'Used', conference_minutes: 'Conference minutes',
  participant_minutes: 'Participant minutes', per_owner: 'Per owner', per_access_number: 'Per access number',
  minutes_per_day: 'Participant minutes per day', export_csv: 'Export CSV', show: 'Show', direct: 'Direct / dial-out',
  display_name: 'Display name', mobile: 'Mobile', admin: 'Administrator', make_admin: 'Make administrator', make_organizer: 'Make organizer', disable: 'Disable', enable: 'Enable', disabled: 'Disabled', add_user: 'Add user',
  new_password: 'New password', kind: 'Kind', label: 'Label', local: 'Local', toll_free: 'Toll-free',
  source_ldap: 'LDAP', source_ldap_title: 'From the directory (LDAP): password and groups are managed there',
  state_deleted: 'Deleted', deleted_by: 'Deleted by', conferences_list: 'Conferences', planned_start: 'Planned start',
  planned_end: 'Valid until', sessions: 'Sessions', export_conferences_csv: 'Export conferences (CSV)',
  list_truncated: 'Only the first 5,000 conferences are listed; the CSV export has the same rows. Narrow the dates to see the rest.',
  phone_account: 'Phone account', phone_pin: 'Phone PIN', keep_empty: 'Leave empty to keep', phone_access: 'Phone access',
  edit_user: 'Edit user', confirm_delete_user: 'Delete this user? Their past conferences stay in the history.',
  user_deleted: 'User deleted', purge_title: 'Purge old history', retention_days: 'Older than (days)',
  purge_hint: 'Deleting a conference keeps what it was used for in Past and the reports. A purge removes finished or deleted conferences older than the given number of days for good, with their connections and recordings. Count first.',
  purge_count: 'Count', purge_run: 'Purge', confirm_purge: 'Remove this history for good? This cannot be undone.',
  purge_would: 'Would remove', purge_done: 'Removed', recordings: 'recordings',
  col_number: 'Number', col_planned: 'Planned', col_minutes: 'Minutes (conf. / part.)',
  err_user_owns_bookings: 'Not deleted: {username} owns {count} upcoming or running conference(s). Give them to another owner (Future → Edit) or delete them first, or disable the user instead.',
  err_too_short: 'At least {min} characters', err_phone_pin_required: 'Required with a phone account', err_phone_account_required: 'Required with a phone PIN',
  err_own_admin_rights: 'You cannot remove your own administrator rights.', err_delete_self: 'You cannot delete yourself.',
  err_external_directory: 'Users are managed in the external directory.', word_admin: 'admin', word_organizer: 'organizer', word_local: 'local', 'word_toll-free': 'toll-free',
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
  // Current page: invites by number, wait-for-leader, listen-only (issue 12 items 5, 9, 14).
  invites: 'Invites', invite_dialing: 'Dialling…', invite_ringing: 'Ringing…', invite_answered: 'Answered, hearing the invitation',
  invite_joined: 'Joined', invite_refused: 'Refused', invite_no_answer: 'No answer', invite_failed: 'Failed',
  invite_why_locked: 'conference locked', invite_why_full: 'conference full', invite_why_ended: 'conference ended',
  invite_why_hung_up: 'hung up during the invitation', invite_why_no_key: '1 was never pressed', invite_why_busy: 'busy',
  invite_err_conference_locked: 'This conference is locked: unlock it before inviting someone.',
  invite_err_conference_full: 'This conference is full (invites being answered count too).',
  invite_err_conference_ended: 'This conference has ended.',
  invite_err_number_not_allowed: 'This number may not be called from this server (outside the allowed numbers).',
  invite_err_dial_out_limit: 'Too many calls out right now. Try again in a moment.',
  invite_err_dial_out_unavailable: 'Calling out is not available on this server.',
  invite_err_bad_number: 'Enter a phone number: digits, with an optional leading +.',
  waiting_for_leader: 'Waiting for the moderator', listening_only: 'Listen only', not_opened: 'Not started',
  // API errors by reason (errors.ts); {name} is a parameter the server sends with the reason.
  err_required: 'Required', err_digits_only: 'Digits only', err_digits_range: '{min}–{max} digits',
  err_pin_length: 'Must be exactly {length} digits', err_number_length: 'Must be exactly {length} digits',
  err_leading_zero: 'Must not start with 0', err_pin_trivial: 'Too easy to guess (repeated digits, a run like 1234 or a repeated pattern)',
  err_printable_only: 'Printable characters only', err_too_long: 'At most {max} characters', err_too_many: 'At most {max}',
  err_email_invalid: 'Not a valid e-mail address', err_phone_digits_only: 'Digits only, with an optional leading +',
  err_phone_plus_position: '+ is allowed only at the start', err_phone_length: '{min} to {max} digits',
  err_username_invalid: 'Must be a username (letters, digits, . _ @ -; at most {max})', err_range: 'Between {min} and {max}',
  err_pins_equal: 'Must differ from the participant PIN', err_pin_reused: 'Must differ from the participant and moderator PINs',
  err_pin_duplicate: "Must differ from the other invitees' PINs", err_one_of: 'Must be one of: {allowed}',
  err_window_ended: 'The validity period would already be over', err_not_editable: 'Cannot be changed',
  err_not_editable_in_state: 'Cannot be changed while the conference is {state}', err_contact_required: 'An e-mail or a phone is required',
  err_ends_in_past: 'Would end the running conference in the past', err_wrong_type: 'Wrong type ({type} expected)',
  err_unknown_field: 'Unknown field', err_malformed_json: 'Malformed request', err_duplicate_key: 'Given more than once',
  err_after_from: 'Must be after the start date', err_taken: 'Already taken', err_positive_integer: 'Must be a positive whole number',
  err_service_down: 'The booking service is not running.', err_booking_not_found: 'This conference does not exist (any more).',
  err_own_bookings_only: 'Organizers may only see and book their own conferences.', err_admin_only: 'Only an administrator may do this.',
  err_outside_dial_plan: 'The number {number} may not be called (outside the dial plan).',
  err_invalid_argument: 'The request is not valid.', err_not_found: 'Not found.', err_resource_exhausted: 'Too many requests; try again later.',
  err_unavailable: 'The service is unavailable; try again later.', invitee: 'invitee',
  word_scheduled: 'scheduled', word_active: 'running', word_ended: 'ended', word_string: 'text', word_integer: 'whole number',
  word_boolean: 'yes/no', word_object: 'object', ends: 'Ends', start: 'Start', col_max: 'Max.', none: 'None', err_unknown_user: 'No such user: {username}', err_too_large: 'Too large (at most {max} bytes)', err_not_found_or_not_yours: 'This conference does not exist or is not yours.',
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
  connections: 'Connexions', delete: 'Supprimer', confirm_delete: "Supprimer cette conférence ? Elle quitte À venir et ne répond plus aux appels ; son utilisation reste dans Passées et les rapports.",
  deleted: 'Conférence supprimée',
  delete_hint: "Les conférences à venir et passées peuvent être supprimées ; une conférence en cours est d'abord terminée.",
  totals: 'Totaux', planned: 'Prévues', used: 'Utilisées', conference_minutes: 'Minutes de conférence',
  participant_minutes: 'Minutes participants', per_owner: 'Par propriétaire', per_access_number: "Par numéro d'accès",
  minutes_per_day: 'Minutes participants par jour', export_csv: 'Exporter en CSV', show: 'Afficher',
  direct: 'Direct / appel sortant', display_name: 'Nom affiché', mobile: 'Mobile', admin: 'Administrateur', make_admin: 'Nommer administrateur', make_organizer: 'Nommer organisateur', disable: 'Désactiver', enable: 'Réactiver',
  disabled: 'Désactivé', add_user: 'Ajouter un utilisateur', new_password: 'Nouveau mot de passe', kind: 'Type',
  source_ldap: 'LDAP', source_ldap_title: "Issu de l'annuaire (LDAP) : mot de passe et groupes y sont gérés",
  state_deleted: 'Supprimée', deleted_by: 'Supprimée par', conferences_list: 'Conférences', planned_start: 'Début prévu',
  planned_end: "Fin de validité", sessions: 'Sessions', export_conferences_csv: 'Exporter les conférences (CSV)',
  list_truncated: "Seules les 5 000 premières conférences sont listées ; l'export CSV contient les mêmes lignes. Réduisez la période pour voir la suite.",
  phone_account: 'Compte téléphonique', phone_pin: 'Code PIN téléphone', keep_empty: 'Laisser vide pour conserver', phone_access: 'Accès téléphone',
  edit_user: "Modifier l'utilisateur", confirm_delete_user: "Supprimer cet utilisateur ? Ses conférences passées restent dans l'historique.",
  user_deleted: 'Utilisateur supprimé', purge_title: "Purger l'historique ancien", retention_days: 'Plus anciennes que (jours)',
  purge_hint: "Supprimer une conférence conserve son utilisation dans Passées et les rapports. Une purge efface définitivement les conférences terminées ou supprimées plus anciennes que le nombre de jours indiqué, avec leurs connexions et enregistrements. Comptez d'abord.",
  purge_count: 'Compter', purge_run: 'Purger', confirm_purge: 'Effacer définitivement cet historique ? Cette action est irréversible.',
  purge_would: 'Seraient effacées', purge_done: 'Effacées', recordings: 'enregistrements',
  col_number: 'Numéro', col_planned: 'Prévue', col_minutes: 'Minutes (conf. / part.)',
  err_user_owns_bookings: "Non supprimé : {username} possède {count} conférence(s) à venir ou en cours. Confiez-les à un autre propriétaire (À venir → Modifier) ou supprimez-les d'abord, ou désactivez plutôt l'utilisateur.",
  err_too_short: '{min} caractères au moins', err_phone_pin_required: 'Obligatoire avec un compte téléphonique', err_phone_account_required: 'Obligatoire avec un code PIN téléphone',
  err_own_admin_rights: "Vous ne pouvez pas retirer vos propres droits d'administrateur.", err_delete_self: 'Vous ne pouvez pas vous supprimer vous-même.',
  err_external_directory: "Les utilisateurs sont gérés dans l'annuaire externe.", word_admin: 'administrateur', word_organizer: 'organisateur', word_local: 'local', 'word_toll-free': 'numéro vert',
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
  invites: 'Invitations', invite_dialing: 'Numérotation…', invite_ringing: 'Sonnerie…', invite_answered: "Décroché, écoute l'invitation",
  invite_joined: 'A rejoint', invite_refused: 'Refusée', invite_no_answer: 'Pas de réponse', invite_failed: 'Échec',
  invite_why_locked: 'conférence verrouillée', invite_why_full: 'conférence complète', invite_why_ended: 'conférence terminée',
  invite_why_hung_up: "a raccroché pendant l'invitation", invite_why_no_key: "n'a pas appuyé sur 1", invite_why_busy: 'occupé',
  invite_err_conference_locked: "Cette conférence est verrouillée : déverrouillez-la avant d'inviter quelqu'un.",
  invite_err_conference_full: 'Cette conférence est complète (les invitations en cours comptent aussi).',
  invite_err_conference_ended: 'Cette conférence est terminée.',
  invite_err_number_not_allowed: "Ce numéro ne peut pas être appelé depuis ce serveur (hors des numéros autorisés).",
  invite_err_dial_out_limit: "Trop d'appels sortants en ce moment. Réessayez dans un instant.",
  invite_err_dial_out_unavailable: "Les appels sortants ne sont pas disponibles sur ce serveur.",
  invite_err_bad_number: 'Saisissez un numéro de téléphone : des chiffres, avec un + initial facultatif.',
  waiting_for_leader: "En attente de l'animateur", listening_only: 'Écoute seule', not_opened: 'Pas commencée',
  err_required: 'Obligatoire', err_digits_only: 'Chiffres uniquement', err_digits_range: '{min} à {max} chiffres',
  err_pin_length: 'Doit comporter exactement {length} chiffres', err_number_length: 'Doit comporter exactement {length} chiffres',
  err_leading_zero: 'Ne doit pas commencer par 0', err_pin_trivial: 'Trop facile à deviner (chiffres répétés, suite comme 1234 ou motif répété)',
  err_printable_only: 'Caractères imprimables uniquement', err_too_long: '{max} caractères au plus', err_too_many: '{max} au plus',
  err_email_invalid: 'Adresse e-mail non valide', err_phone_digits_only: 'Chiffres uniquement, avec un + initial facultatif',
  err_phone_plus_position: 'Le + est permis seulement au début', err_phone_length: 'De {min} à {max} chiffres',
  err_username_invalid: 'Doit être un identifiant (lettres, chiffres, . _ @ - ; {max} au plus)', err_range: 'Entre {min} et {max}',
  err_pins_equal: 'Doit différer du code participant', err_pin_reused: 'Doit différer des codes participant et animateur',
  err_pin_duplicate: 'Doit différer des codes des autres invités', err_one_of: 'Valeurs possibles : {allowed}',
  err_window_ended: 'La période de validité serait déjà terminée', err_not_editable: 'Ne peut pas être modifié',
  err_not_editable_in_state: 'Ne peut pas être modifié quand la conférence est {state}', err_contact_required: 'Un e-mail ou un téléphone est requis',
  err_ends_in_past: 'Terminerait la conférence en cours dans le passé', err_wrong_type: 'Type incorrect ({type} attendu)',
  err_unknown_field: 'Champ inconnu', err_malformed_json: 'Requête mal formée', err_duplicate_key: 'Donné plusieurs fois',
  err_after_from: 'Doit être après la date de début', err_taken: 'Déjà utilisé', err_positive_integer: 'Doit être un nombre entier positif',
  err_service_down: "Le service de réservation n'est pas démarré.", err_booking_not_found: "Cette conférence n'existe pas (ou plus).",
  err_own_bookings_only: 'Un organisateur ne voit et ne réserve que ses propres conférences.', err_admin_only: 'Seul un administrateur peut faire ceci.',
  err_outside_dial_plan: 'Le numéro {number} ne peut pas être appelé (hors du plan de numérotation).',
  err_invalid_argument: "La requête n'est pas valide.", err_not_found: 'Introuvable.', err_resource_exhausted: 'Trop de demandes ; réessayez plus tard.',
  err_unavailable: 'Le service est indisponible ; réessayez plus tard.', invitee: 'invité',
  word_scheduled: 'prévue', word_active: 'en cours', word_ended: 'terminée', word_string: 'texte', word_integer: 'nombre entier',
  word_boolean: 'oui/non', word_object: 'objet', ends: 'Fin', start: 'Début', col_max: 'Max.', none: 'Aucun', err_unknown_user: 'Utilisateur inconnu : {username}', err_too_large: 'Trop volumineux ({max} octets au plus)', err_not_found_or_not_yours: "Cette conférence n'existe pas ou n'est pas la vôtre.",
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
// Whether `key` is a text of the console (for keys built from a server's code).
export function hasKey(key: string): key is Key { return key in en; }
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
