// Colours derived from the site's brand colour: a darker shade for
// gradients and links, and a text colour that stays readable on it.

function channels(hex) {
  let h = hex.slice(1);
  if (h.length === 3) h = h.replace(/./g, "$&$&");
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

function luminance([r, g, b]) {
  const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrastWithWhite(rgb) {
  return 1.05 / (luminance(rgb) + 0.05);
}

function hex(rgb) {
  return "#" + rgb.map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, "0")).join("");
}

/** CSS custom properties for a validated #rgb / #rrggbb colour. */
export function themeVars(color) {
  const rgb = channels(color);
  let ink = rgb;
  for (let i = 0; i < 12 && contrastWithWhite(ink) < 4.5; i++) ink = ink.map((c) => c * 0.85);
  return {
    "--accent": color,
    "--accent2": hex(rgb.map((c) => c * 0.78)),
    "--on": contrastWithWhite(rgb) >= 2.6 ? "#ffffff" : "#111827",
    "--ink": hex(ink),
  };
}
