// The word prompts say.h assembles numbers, dates and durations from: Debian's digits/… recordings, with a
// text for each so a missing piece (French has no digits/billion or feminine "une") is generated.
#include <algorithm>
#include <array>

#include "ivr/prompt_table.h"

namespace confpro::ivr {

namespace {

// {key, recording en, recording fr, text en, text fr}
constexpr std::array kWords = std::to_array<PromptEntry>({
    // Cardinal numbers: digits/0..20 and the tens
    {"digits/0", "digits/0", "digits/0", "zero", "zéro"},
    {"digits/1", "digits/1", "digits/1", "one", "un"},
    {"digits/2", "digits/2", "digits/2", "two", "deux"},
    {"digits/3", "digits/3", "digits/3", "three", "trois"},
    {"digits/4", "digits/4", "digits/4", "four", "quatre"},
    {"digits/5", "digits/5", "digits/5", "five", "cinq"},
    {"digits/6", "digits/6", "digits/6", "six", "six"},
    {"digits/7", "digits/7", "digits/7", "seven", "sept"},
    {"digits/8", "digits/8", "digits/8", "eight", "huit"},
    {"digits/9", "digits/9", "digits/9", "nine", "neuf"},
    {"digits/10", "digits/10", "digits/10", "ten", "dix"},
    {"digits/11", "digits/11", "digits/11", "eleven", "onze"},
    {"digits/12", "digits/12", "digits/12", "twelve", "douze"},
    {"digits/13", "digits/13", "digits/13", "thirteen", "treize"},
    {"digits/14", "digits/14", "digits/14", "fourteen", "quatorze"},
    {"digits/15", "digits/15", "digits/15", "fifteen", "quinze"},
    {"digits/16", "digits/16", "digits/16", "sixteen", "seize"},
    {"digits/17", "digits/17", "digits/17", "seventeen", "dix-sept"},
    {"digits/18", "digits/18", "digits/18", "eighteen", "dix-huit"},
    {"digits/19", "digits/19", "digits/19", "nineteen", "dix-neuf"},
    {"digits/20", "digits/20", "digits/20", "twenty", "vingt"},
    {"digits/30", "digits/30", "digits/30", "thirty", "trente"},
    {"digits/40", "digits/40", "digits/40", "forty", "quarante"},
    {"digits/50", "digits/50", "digits/50", "fifty", "cinquante"},
    {"digits/60", "digits/60", "digits/60", "sixty", "soixante"},
    {"digits/70", "digits/70", "digits/70", "seventy", "soixante-dix"},
    {"digits/80", "digits/80", "digits/80", "eighty", "quatre-vingts"},
    {"digits/90", "digits/90", "digits/90", "ninety", "quatre-vingt-dix"},
    // French feminine one (une heure, vingt et une minutes); Debian's French set has no recording of it
    {"digits/1F", "digits/1", "digits/1F", "one", "une"},
    {"digits/hundred", "digits/hundred", "digits/hundred", "hundred", "cent"},
    {"digits/thousand", "digits/thousand", "digits/thousand", "thousand", "mille"},
    {"digits/million", "digits/million", "digits/million", "million", "million"},
    {"digits/billion", "digits/billion", "digits/billion", "billion", "milliard"},
    {"digits/minus", "digits/minus", "digits/minus", "minus", "moins"},
    {"digits/et", "digits/et", "digits/et", "and", "et"},
    {"digits/oh", "digits/oh", "digits/oh", "oh", "zéro"},
    {"digits/star", "digits/star", "digits/star", "star", "étoile"},
    {"digits/pound", "digits/pound", "digits/pound", "pound", "dièse"},
    // Weekdays (0 = Sunday) and months (0 = January)
    {"digits/day-0", "digits/day-0", "digits/day-0", "Sunday", "dimanche"},
    {"digits/day-1", "digits/day-1", "digits/day-1", "Monday", "lundi"},
    {"digits/day-2", "digits/day-2", "digits/day-2", "Tuesday", "mardi"},
    {"digits/day-3", "digits/day-3", "digits/day-3", "Wednesday", "mercredi"},
    {"digits/day-4", "digits/day-4", "digits/day-4", "Thursday", "jeudi"},
    {"digits/day-5", "digits/day-5", "digits/day-5", "Friday", "vendredi"},
    {"digits/day-6", "digits/day-6", "digits/day-6", "Saturday", "samedi"},
    {"digits/mon-0", "digits/mon-0", "digits/mon-0", "January", "janvier"},
    {"digits/mon-1", "digits/mon-1", "digits/mon-1", "February", "février"},
    {"digits/mon-2", "digits/mon-2", "digits/mon-2", "March", "mars"},
    {"digits/mon-3", "digits/mon-3", "digits/mon-3", "April", "avril"},
    {"digits/mon-4", "digits/mon-4", "digits/mon-4", "May", "mai"},
    {"digits/mon-5", "digits/mon-5", "digits/mon-5", "June", "juin"},
    {"digits/mon-6", "digits/mon-6", "digits/mon-6", "July", "juillet"},
    {"digits/mon-7", "digits/mon-7", "digits/mon-7", "August", "août"},
    {"digits/mon-8", "digits/mon-8", "digits/mon-8", "September", "septembre"},
    {"digits/mon-9", "digits/mon-9", "digits/mon-9", "October", "octobre"},
    {"digits/mon-10", "digits/mon-10", "digits/mon-10", "November", "novembre"},
    {"digits/mon-11", "digits/mon-11", "digits/mon-11", "December", "décembre"},
    // Ordinals for days of the month (English 1st..20th, 30th; French uses only premier)
    {"digits/h-1", "digits/h-1", "digits/h-1", "first", "premier"},
    {"digits/h-2", "digits/h-2", "digits/h-2", "second", "deuxième"},
    {"digits/h-3", "digits/h-3", "digits/h-3", "third", "troisième"},
    {"digits/h-4", "digits/h-4", "digits/h-4", "fourth", "quatrième"},
    {"digits/h-5", "digits/h-5", "digits/h-5", "fifth", "cinquième"},
    {"digits/h-6", "digits/h-6", "digits/h-6", "sixth", "sixième"},
    {"digits/h-7", "digits/h-7", "digits/h-7", "seventh", "septième"},
    {"digits/h-8", "digits/h-8", "digits/h-8", "eighth", "huitième"},
    {"digits/h-9", "digits/h-9", "digits/h-9", "ninth", "neuvième"},
    {"digits/h-10", "digits/h-10", "digits/h-10", "tenth", "dixième"},
    {"digits/h-11", "digits/h-11", "digits/h-11", "eleventh", "onzième"},
    {"digits/h-12", "digits/h-12", "digits/h-12", "twelfth", "douzième"},
    {"digits/h-13", "digits/h-13", "digits/h-13", "thirteenth", "treizième"},
    {"digits/h-14", "digits/h-14", "digits/h-14", "fourteenth", "quatorzième"},
    {"digits/h-15", "digits/h-15", "digits/h-15", "fifteenth", "quinzième"},
    {"digits/h-16", "digits/h-16", "digits/h-16", "sixteenth", "seizième"},
    {"digits/h-17", "digits/h-17", "digits/h-17", "seventeenth", "dix-septième"},
    {"digits/h-18", "digits/h-18", "digits/h-18", "eighteenth", "dix-huitième"},
    {"digits/h-19", "digits/h-19", "digits/h-19", "nineteenth", "dix-neuvième"},
    {"digits/h-20", "digits/h-20", "digits/h-20", "twentieth", "vingtième"},
    {"digits/h-30", "digits/h-30", "digits/h-30", "thirtieth", "trentième"},
    // Time of day and durations
    {"digits/at", "digits/at", "digits/at", "at", "à"},
    {"digits/oclock", "digits/oclock", "digits/oclock", "o'clock", "heures"},
    {"digits/a-m", "digits/a-m", "digits/a-m", "a.m.", "du matin"},
    {"digits/p-m", "digits/p-m", "digits/p-m", "p.m.", "de l'après-midi"},
    {"digits/today", "digits/today", "digits/today", "today", "aujourd'hui"},
    {"digits/tomorrow", "digits/tomorrow", "digits/tomorrow", "tomorrow", "demain"},
    {"hour", "", "digits/oclock", "hour", "heure"},
    {"hours", "hours", "hours", "hours", "heures"},
    {"minute", "minute", "minute", "minute", "minute"},
});

}  // namespace

std::span<const PromptEntry> word_prompts() {
  return kWords;
}

const PromptEntry* find_prompt(std::string_view key) {
  for (auto list : {sentence_prompts(), word_prompts()}) {
    auto it = std::find_if(list.begin(), list.end(), [&](const PromptEntry& e) { return e.key == key; });
    if (it != list.end()) return &*it;
  }
  return nullptr;
}

}  // namespace confpro::ivr
