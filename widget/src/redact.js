// Masks card numbers, e-mail addresses and phone numbers in a typing preview
// before it leaves the page. The same rules run again on the server
// (server/services/redaction.py, where they are explained); both are tested
// against one table of cases (tests/typing/redaction_cases.json).

const mask = (s) => s.replace(/[\p{L}\p{N}]/gu, "\u2022");

const luhn = (d) => !([...d].reverse().reduce((t, c, i) => t + (i % 2 ? (c * 2 > 9 ? c * 2 - 9 : c * 2) : +c), 0) % 10);

function run(r, trailing) {
  const n = r.replace(/\D/g, "").length;
  // A phone number (not a date), or digits still being typed at the end.
  if (n > 6 && (trailing || (n <= (r[0] == "+" ? 15 : 12) && !/^(\d{4}-\d\d-\d\d|\d\d?\.\d\d?\.\d{2,4})$/.test(r)))) return mask(r);
  // A card number, alone or inside a longer run of digit groups: the whole run is masked.
  const g = r.match(/\d+/g);
  for (let f = 0; f < g.length; f++) {
    for (let l = f, d = ""; l < g.length && (d += g[l]).length < 20; l++) if (d.length > 12 && luhn(d)) return mask(r);
  }
  return r;
}

/** `text` with e-mail addresses, card numbers and phone numbers masked. */
export function redact(text) {
  return text
    .replace(/[^\s@]+@[^\s@]*/g, mask)
    .replace(/\+?\(?\d(?:[ .()-]{0,2}\d)*/g, (r, at, all) =>
      at && /[\p{L}\p{N}_\u2022]/u.test(all[at - 1]) ? r : run(r, /^[ .()-]*$/.test(all.slice(at + r.length))),
    );
}
