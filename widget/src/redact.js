// Masks card numbers, e-mail addresses and phone numbers in a typing preview
// before it leaves the page. The same rules run again on the server
// (server/services/redaction.py, where they are explained); both are tested
// against one table of cases (tests/typing/redaction_cases.json).

const MASK = "\u2022";
const mask = (s) => s.replace(/[\p{L}\p{N}]/gu, MASK);

function luhn(d) {
  let t = 0;
  for (let i = 0; i < d.length; i++) {
    let v = +d[d.length - 1 - i];
    if (i % 2) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    t += v;
  }
  return t % 10 == 0;
}

function run(r, trailing) {
  const n = r.replace(/\D/g, "").length;
  if (n >= 7 && n <= (r[0] == "+" ? 15 : 12) && !/^(\d{4}-\d\d-\d\d|\d\d?\.\d\d?\.\d{2,4})$/.test(r)) return mask(r);
  if (trailing && n > 6) return mask(r);
  const g = [...r.matchAll(/\d+/g)];
  let out = r;
  for (let f = 0; f < g.length; f++) {
    let d = "";
    for (let l = f; l < g.length && (d += g[l][0]).length < 20; l++) {
      const a = g[f].index, b = g[l].index + g[l][0].length;
      if (d.length > 12 && luhn(d)) out = out.slice(0, a) + mask(out.slice(a, b)) + out.slice(b);
    }
  }
  return out;
}

/** `text` with e-mail addresses, card numbers and phone numbers masked. */
export function redact(text) {
  return text
    .replace(/[^\s@]+@[^\s@]*/g, mask)
    .replace(/\+?\(?\d(?:[ .()-]{0,2}\d)*/g, (r, at, all) =>
      at && /[\p{L}\p{N}_\u2022]/u.test(all[at - 1]) ? r : run(r, /^[ .()-]*$/.test(all.slice(at + r.length))),
    );
}
