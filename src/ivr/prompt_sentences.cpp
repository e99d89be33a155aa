// The sentence prompts. Recordings are Debian's asterisk-core-sounds-{en,fr}-wav names; a sentence with no
// fitting recording is generated from its text (FEATURES.md I5, notes/prompts.md). Keep keys stable:
// operators name their override files after them.
#include <array>

#include "ivr/prompt_table.h"

namespace confpro::ivr {

namespace {

// {key, recording en, recording fr, text en, text fr}
constexpr std::array kSentences = std::to_array<PromptEntry>({
    // Joining (I2)
    {"enter-conference-number", "conf-getconfno", "conf-getconfno",
     "Please enter your conference number followed by the pound key.",
     "Veuillez entrer votre numéro de conférence, suivi de la touche dièse."},
    {"enter-pin", "conf-getpin", "conf-getpin", "Please enter the conference PIN number.",
     "Veuillez entrer le code d'accès de la conférence."},
    {"invalid-pin", "conf-invalidpin", "conf-invalidpin", "That PIN is invalid for this conference.",
     "Ce code d'accès n'est pas valide pour cette conférence."},
    {"conference-unknown", "conf-invalid", "conf-invalid", "That is not a valid conference number.",
     "Ce numéro de conférence n'est pas valide."},
    {"conference-full", "conf-full", "conf-full", "The conference is full.", "La conférence est complète."},
    {"conference-locked", "conf-locked", "conf-locked", "This conference is locked.",
     "Cette conférence est verrouillée."},
    {"conference-not-yet-valid", "", "",
     "This conference has not started yet. Please call again at the scheduled time.",
     "Cette conférence n'a pas encore commencé. Veuillez rappeler à l'heure prévue."},
    {"conference-ended", "", "", "This conference has already ended.", "Cette conférence est déjà terminée."},
    {"conference-elsewhere", "", "", "This conference is taking place on another server. Please call again.",
     "Cette conférence se tient sur un autre serveur. Veuillez rappeler."},
    {"not-on-allow-list", "", "", "Your phone number is not on the list of participants of this conference.",
     "Votre numéro de téléphone ne figure pas sur la liste des participants de cette conférence."},
    {"only-person", "conf-onlyperson", "conf-onlyperson",
     "You are currently the only person in this conference.",
     "Vous êtes actuellement la seule personne dans cette conférence."},
    {"wait-for-leader", "conf-waitforleader", "conf-waitforleader",
     "The conference will begin when the leader arrives.",
     "La conférence commencera à l'arrivée de l'animateur."},
    {"record-name", "vm-rec-name", "vm-rec-name", "At the tone, please say your name.",
     "Après le signal sonore, veuillez dire votre nom."},
    {"beep", "beep", "beep", "Beep.", "Bip."},
    {"has-joined", "conf-hasjoin", "conf-hasjoin", "has joined the conference.",
     "s'est joint à la conférence."},
    {"has-left", "conf-hasleft", "conf-hasleft", "has left the conference.", "a quitté la conférence."},
    {"placed-into-conference", "conf-placeintoconf", "conf-placeintoconf",
     "You will now be placed into the conference.", "Vous allez maintenant être placé dans la conférence."},
    {"leader-has-left", "conf-leaderhasleft", "conf-leaderhasleft", "The leader has left the conference.",
     "L'animateur a quitté la conférence."},
    {"goodbye", "goodbye", "goodbye", "Goodbye.", "Au revoir."},
    {"try-again", "please-try-again", "please-try-again", "Please try again.", "Veuillez réessayer."},
    {"too-many-failures", "", "", "Too many unsuccessful attempts.", "Trop de tentatives infructueuses."},
    {"no-input", "", "", "We did not receive your entry.", "Nous n'avons pas reçu votre saisie."},
    {"invalid-choice", "", "", "That choice is not valid.", "Ce choix n'est pas valide."},
    {"please-hold", "one-moment-please", "one-moment-please", "One moment, please.",
     "Un moment, s'il vous plaît."},
    {"thank-you", "auth-thankyou", "auth-thankyou", "Thank you.", "Merci."},
    {"welcome", "", "", "Welcome to the conference service.", "Bienvenue sur le service de conférence."},
    // Main menu and creation by phone (I3)
    {"main-menu", "", "", "To create a conference, press 1. To join a conference, press 2.",
     "Pour créer une conférence, appuyez sur 1. Pour rejoindre une conférence, appuyez sur 2."},
    {"enter-account-number", "", "", "Please enter your account number, followed by the pound key.",
     "Veuillez entrer votre numéro de compte, suivi de la touche dièse."},
    {"enter-account-pin", "", "", "Please enter your personal code, followed by the pound key.",
     "Veuillez entrer votre code personnel, suivi de la touche dièse."},
    {"invalid-account", "", "", "That account number or personal code is not correct.",
     "Ce numéro de compte ou ce code personnel est incorrect."},
    {"not-allowed-to-create", "", "", "You are not allowed to create a conference.",
     "Vous n'êtes pas autorisé à créer une conférence."},
    {"too-many-conferences", "", "", "You already have as many conferences booked as your account allows.",
     "Vous avez déjà autant de conférences réservées que votre compte le permet."},
    {"insufficient-credit", "", "", "Your account does not have enough credit for this conference.",
     "Votre compte n'a pas assez de crédit pour cette conférence."},
    {"how-many-minutes", "", "",
     "How many minutes will the conference last? Enter a number followed by the pound key, or press pound "
     "for the usual duration.",
     "Combien de minutes durera la conférence ? Entrez un nombre suivi de la touche dièse, ou appuyez sur "
     "dièse pour la durée habituelle."},
    {"how-many-participants", "", "",
     "How many participants at most? Enter a number followed by the pound key, or press pound for the usual "
     "number.",
     "Combien de participants au maximum ? Entrez un nombre suivi de la touche dièse, ou appuyez sur dièse "
     "pour le nombre habituel."},
    {"value-out-of-range", "", "", "That number is outside the allowed range.",
     "Ce nombre est en dehors des limites autorisées."},
    {"conference-created", "", "", "Your conference has been created.", "Votre conférence a été créée."},
    {"conference-not-created", "", "", "Sorry, the conference could not be created.",
     "Désolé, la conférence n'a pas pu être créée."},
    {"your-conference-number-is", "", "", "Your conference number is",
     "Le numéro de votre conférence est le"},
    {"participant-pin-is", "", "", "The participant PIN is", "Le code d'accès des participants est le"},
    {"moderator-pin-is", "", "", "The moderator PIN is", "Le code d'accès de l'animateur est le"},
    {"valid-until", "", "", "It is valid until", "Elle est valable jusqu'au"},
    {"lasting", "", "", "It lasts", "Elle dure"},
    {"for-up-to", "", "", "for up to", "pour un maximum de"},
    {"participants", "", "", "participants", "participants"},
    {"minutes", "minutes", "minutes", "minutes", "minutes"},
    {"press-1-to-repeat", "", "", "To hear this again, press 1.",
     "Pour réécouter ces informations, appuyez sur 1."},
    {"details-sent", "", "", "These details have been sent to you by text message and e-mail.",
     "Ces informations vous ont été envoyées par SMS et par courriel."},
    // Invitation by dial-out (S2)
    {"invited-to-conference", "", "", "You are invited to join conference",
     "Vous êtes invité à rejoindre la conférence"},
    {"press-1-to-join", "", "", "To join it, press 1.", "Pour la rejoindre, appuyez sur 1."},
    // Life of the conference (B4) and in-call keys (I4)
    {"warning-5-minutes", "", "", "The conference will end in five minutes.",
     "La conférence se terminera dans cinq minutes."},
    {"credit-low", "", "", "The time paid for this conference is nearly used up. It will end in a moment.",
     "Le temps payé pour cette conférence est presque écoulé. Elle va bientôt se terminer."},
    {"conference-has-ended", "confbridge-conf-end", "confbridge-conf-end", "The conference has ended.",
     "La conférence est terminée."},
    {"muted", "conf-muted", "conf-muted", "You are now muted.", "Votre micro est maintenant coupé."},
    {"unmuted", "conf-unmuted", "conf-unmuted", "You are no longer muted.",
     "Votre micro est maintenant rétabli."},
    {"listen-only", "", "", "You are in listen-only mode.", "Vous êtes en mode écoute seule."},
    {"all-muted", "conf-now-muted", "conf-now-muted", "All participants are now muted.",
     "Tous les participants sont maintenant en sourdine."},
    {"all-unmuted", "conf-now-unmuted", "conf-now-unmuted", "All participants can now speak.",
     "Tous les participants peuvent maintenant parler."},
    {"locked-now", "conf-lockednow", "conf-lockednow", "The conference is now locked.",
     "La conférence est maintenant verrouillée."},
    {"unlocked-now", "conf-unlockednow", "conf-unlockednow", "The conference is now unlocked.",
     "La conférence est maintenant déverrouillée."},
    {"recording-started", "conf-now-recording", "conf-now-recording", "The conference is now being recorded.",
     "La conférence est maintenant enregistrée."},
    {"recording-stopped", "", "", "The recording has stopped.", "L'enregistrement est arrêté."},
    {"there-are", "conf-thereare", "conf-thereare", "There are currently", "Il y a actuellement"},
    {"other-participants", "conf-otherinparty", "conf-otherinparty", "other participants in the conference.",
     "autres participants dans la conférence."},
    {"one-other-participant", "conf-onlyone", "conf-onlyone",
     "There is one other participant in the conference.", "Il y a un autre participant dans la conférence."},
    {"participants-in-conference", "", "", "participants in the conference.",
     "participants dans la conférence."},
    {"help-user", "", "",
     "Press star 1 to mute or unmute yourself, star 2 to hear how many participants are here, star 0 to hear "
     "this help again.",
     "Appuyez sur étoile 1 pour couper ou rétablir votre micro, étoile 2 pour connaître le nombre de "
     "participants, étoile 0 pour réécouter cette aide."},
    {"help-moderator", "", "",
     "Press star 1 to mute or unmute yourself, star 2 for the number of participants, star 3 to lock or "
     "unlock "
     "the conference, star 4 to mute or unmute all participants, star 5 to start or stop recording, star 9 "
     "to end "
     "the conference, star 0 to hear this help again.",
     "Appuyez sur étoile 1 pour couper ou rétablir votre micro, étoile 2 pour le nombre de participants, "
     "étoile 3 "
     "pour verrouiller ou déverrouiller la conférence, étoile 4 pour couper ou rétablir le micro de tous les "
     "participants, étoile 5 pour démarrer ou arrêter l'enregistrement, étoile 9 pour terminer la "
     "conférence, "
     "étoile 0 pour réécouter cette aide."},
    {"kicked", "conf-kicked", "conf-kicked", "You have been removed from this conference.",
     "Vous avez été retiré de cette conférence."},
    {"conference-extended", "conf-extended", "conf-extended", "The conference has been extended.",
     "La conférence a été prolongée."},
    {"cannot-extend", "", "", "The conference cannot be extended.",
     "La conférence ne peut pas être prolongée."},
    {"conference-ending", "", "", "The moderator has ended the conference.",
     "L'animateur a mis fin à la conférence."},
});

}  // namespace

std::span<const PromptEntry> sentence_prompts() {
  return kSentences;
}

}  // namespace confpro::ivr
