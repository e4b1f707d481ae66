// Small behaviours every console page shares: the site picker, copy buttons,
// confirmations, selects that save on change, relative times.

const MINUTE = 60_000;

export function ago(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const minutes = Math.round((now - t) / MINUTE);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

function sitePicker() {
  const select = document.getElementById("site-picker");
  if (!select) return;
  select.addEventListener("change", () => {
    location.assign(`/dashboard/settings/${select.value}/${select.dataset.section || "general"}`);
  });
}

async function copy(button) {
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = "value" in source && source.tagName !== "PRE" ? source.value : source.textContent;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    // Clipboard refused (permissions, insecure origin): select it for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(source);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    if (source.select) source.select();
    button.textContent = "Press Ctrl+C";
  }
  setTimeout(() => (button.textContent = label), 1800);
}

function copyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => copy(button));
  }
}

function confirmations() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (ev) => {
      if (!confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }
  // "Type the site's name to confirm": the button wakes up when it matches.
  for (const input of document.querySelectorAll("[data-must-equal]")) {
    const button = input.form.querySelector("[data-confirm-button]");
    const check = () => (button.disabled = input.value.trim() !== input.dataset.mustEqual);
    input.addEventListener("input", check);
    check();
  }
}

function autosubmit() {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
}

function relativeTimes() {
  for (const el of document.querySelectorAll("time.ago[datetime]")) {
    const text = ago(el.getAttribute("datetime"));
    if (text) {
      el.title = el.textContent;
      el.textContent = text;
    }
  }
}

export function setupCommon() {
  sitePicker();
  copyButtons();
  confirmations();
  autosubmit();
  relativeTimes();
}

const ALERT_ICON =
  '<svg class="icon" width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M3 12a9 9 0 1 0 18 0a9 9 0 1 0 -18 0"/><path d="M12 8v4.5"/><path d="M12 16h.01"/></svg>';

/** Each field's error beside it (the same markup the server renders), or none. */
export function showFieldErrors(form, fields = {}) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  }
  let first = null;
  for (const [name, message] of Object.entries(fields)) {
    const input = form.elements[name];
    const el = input && (input.nodeType ? input : input[0]);
    const place = el && el.closest(".field");
    if (!place) continue;
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `${name}-error`;
    note.innerHTML = ALERT_ICON; // the same mark as the server's field errors
    note.append(Object.assign(document.createElement("span"), { textContent: message }));
    const after = place.querySelector(".color-field") || el;
    after.after(note);
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", note.id);
    first = first || el;
  }
  return first;
}
