// The widget settings form: every change shows in the live preview at once;
// Save sends the settings to the server, which checks them and passes them on
// to every widget open on the website.
import { call } from "./api.js";
import { showFieldErrors } from "./common.js";
import { createPreview } from "./preview.js";

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

function readData() {
  try {
    return JSON.parse(document.getElementById("preview-data").textContent);
  } catch {
    return { defaults: {}, strings: {} };
  }
}

/** The form's fields as the settings object the server and the widget take. */
export function readForm(form) {
  const bools = (form.elements._bools?.value || "").split(",").filter(Boolean);
  const data = {};
  for (const el of form.elements) {
    if (!el.name || el.name.startsWith("_") || el.name === "csrf_token" || el.disabled) continue;
    if (bools.includes(el.name)) data[el.name] = el.checked;
    else if (el.type === "radio") {
      if (el.checked) data[el.name] = el.value;
    } else data[el.name] = el.value;
  }
  return data;
}

export function setupWidgetEditor() {
  const form = document.getElementById("widget-form");
  const stage = document.getElementById("widget-preview");
  if (!form || !stage) return;
  const { defaults, strings } = readData();
  const preview = createPreview(stage, { siteName: stage.dataset.siteName || "", strings });
  const state = document.getElementById("save-state");
  const color = form.elements.color;
  const swatch = document.getElementById("color-swatch");
  const language = form.elements.language;
  let saved = JSON.stringify(readForm(form));
  let lastLanguage = language.value;

  // An unfinished or mistyped colour keeps the last good one in the preview, and says
  // what a colour looks like beside the field.
  let goodColor = HEX.test(color.value.trim()) ? color.value.trim() : "#2563eb";

  function refresh() {
    const data = readForm(form);
    const typed = data.color.trim();
    if (HEX.test(typed)) {
      goodColor = typed;
      if (color.getAttribute("aria-invalid") === "true") showFieldErrors(form, {});
    } else if (color.getAttribute("aria-invalid") !== "true") {
      showFieldErrors(form, { color: "Enter a colour as # and 3 or 6 hex digits, like #2563eb" });
    }
    preview.apply({ ...data, color: goodColor });
    const dirty = JSON.stringify(data) !== saved;
    form.classList.toggle("is-dirty", dirty);
    if (state && dirty) setState("Unsaved changes", "dirty");
    else if (state && state.dataset.kind === "dirty") setState("", "");
  }

  function setState(text, kind) {
    state.textContent = text;
    state.dataset.kind = kind;
  }

  // A greeting or away message still at one language's default follows the language
  // ("The visitor's browser" starts from English, and leaves a default as it is: the
  // server gives each visitor their language's default).
  function followLanguage() {
    const from = defaults[lastLanguage] || defaults.en || {};
    const to = defaults[language.value] || {};
    for (const name of ["greeting", "offline_message"]) {
      const field = form.elements[name];
      if (field && to[name] && field.value.trim() === (from[name] || "").trim()) field.value = to[name];
    }
    lastLanguage = language.value;
  }

  swatch.addEventListener("input", () => {
    color.value = swatch.value;
    refresh();
  });
  color.addEventListener("input", () => {
    if (HEX.test(color.value.trim()) && color.value.trim().length === 7) swatch.value = color.value.trim();
  });
  language.addEventListener("change", followLanguage);
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = readForm(form);
    const button = document.getElementById("save-widget");
    button.disabled = true;
    setState("Saving…", "busy");
    const answer = await call("PATCH", form.dataset.api, data);
    button.disabled = false;
    const wrong = showFieldErrors(form, answer.fields || {});
    if (answer.ok) {
      saved = JSON.stringify(data);
      form.classList.remove("is-dirty");
      setState("Saved. Widgets open on your website have been updated.", "ok");
    } else if (wrong) {
      setState("Not saved: see the marked field.", "error");
      wrong.focus();
    } else {
      setState(answer.error || "Could not save.", "error");
    }
  });

  const away = document.getElementById("preview-away");
  if (away) away.addEventListener("change", () => preview.setOnline(!away.checked));

  preview.apply(readForm(form));
}
