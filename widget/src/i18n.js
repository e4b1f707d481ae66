// The widget's words. Each is written in English where it is used, t("Online now");
// other languages arrive from the server with the site's widget settings, as a
// table from the English words to the visitor's language (server/services/widget_words.py).

let strings = {};
let lang = "en";

export function setStrings(table, language) {
  strings = table || {};
  lang = language || "en";
}

/** The locale for dates and times: the browser's own when it speaks the widget's language. */
export function locale() {
  const own = navigator.language || "";
  return own.split("-")[0].toLowerCase() == lang ? own : lang;
}

/** The server's own explanation when the widget speaks English; else these words, translated. */
export function explain(serverText, words) {
  return lang == "en" && serverText ? serverText : words;
}

/** The words in the widget's language; {name} in them becomes vars.name. */
export function t(english, vars) {
  let s = typeof strings[english] == "string" ? strings[english] : english;
  for (const k in vars) s = s.split("{" + k + "}").join(vars[k]);
  return s;
}

/** The plural form for n, tn(n, "{n} unread message", "{n} unread messages"), by Intl.PluralRules. */
export function tn(n, one, other) {
  const forms = strings[other] || { one, other };
  let kind = "other";
  try {
    kind = new Intl.PluralRules(lang).select(n);
  } catch (_) {
    kind = n == 1 ? "one" : kind; // engines without Intl.PluralRules
  }
  return (forms[kind] || forms.other).split("{n}").join(n);
}

/** The widget's language (for dates and times written with Intl). */
export function language() {
  return lang;
}
