// The widget's words. Each is written in English where it is used, t("Online now");
// other languages arrive from the server with the site's widget settings, as a
// table from the English words to the site's language.

let strings = {};

export function setStrings(table) {
  strings = table || {};
}

export function t(english) {
  return typeof strings[english] == "string" ? strings[english] : english;
}
