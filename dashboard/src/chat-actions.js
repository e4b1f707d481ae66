// The chat header's working tools: status (resolve / reopen, snooze), owner (assign,
// transfer with a note for the team) and tags. Every change goes to the server and comes
// back to every open dashboard as conversation_updated; the buttons only ask.
// Shortcuts (with the conversation open): Alt+E resolve or reopen · Alt+S snooze until
// the visitor replies · Alt+A assign to me.
import { h, setText } from "./dom.js";
import { fullDate } from "./time.js";
import { toast } from "./toast.js";

function snoozeUntil(choice, now = new Date()) {
  const at = new Date(now);
  if (choice === "hour") return new Date(now.getTime() + 3_600_000);
  if (choice === "tomorrow") {
    at.setDate(at.getDate() + 1);
    at.setHours(9, 0, 0, 0);
    return at;
  }
  if (choice === "week") {
    at.setDate(at.getDate() + ((8 - at.getDay()) % 7 || 7));
    at.setHours(9, 0, 0, 0);
    return at;
  }
  return null; // until the visitor replies
}

export function createChatActions({ store, api, conversation, visitor = () => null }) {
  const agent = store.state.agent || {};

  const statusPill = h("span", { class: "status-pill" });
  const resolveBtn = h("button", { class: "btn btn-primary btn-sm chat-resolve", type: "button", onclick: toggleResolved });
  const snoozeSelect = h(
    "select",
    { class: "select select--sm chat-snooze", "aria-label": "Snooze", title: "Snooze (Alt+S: until the visitor replies)", onchange: snoozeChosen },
    h("option", { value: "" }, "Snooze…"),
    h("option", { value: "hour" }, "For 1 hour"),
    h("option", { value: "tomorrow" }, "Until tomorrow 9:00"),
    h("option", { value: "week" }, "Until Monday 9:00"),
    h("option", { value: "reply" }, "Until the visitor replies"),
  );
  const assignSelect = h("select", { class: "select select--sm chat-assign", "aria-label": "Assignee", title: "Assign (Alt+A: to me)", onchange: assignChosen });
  const noteInput = h("input", { class: "input input--sm", type: "text", maxlength: "1000", placeholder: "Note for the team (optional)", "aria-label": "Transfer note" });
  const noteForm = h(
    "form",
    { class: "transfer-note", hidden: true, onsubmit: (e) => (e.preventDefault(), transfer()) },
    noteInput,
    h("button", { class: "btn btn-primary btn-sm", type: "submit" }, "Transfer"),
    h("button", { class: "btn btn-quiet btn-sm", type: "button", onclick: cancelTransfer }, "Cancel"),
  );
  const transcriptBtn = h("button", { class: "btn btn-quiet btn-sm chat-transcript", type: "button", hidden: true, onclick: sendTranscript }, "Send transcript");
  const tagList = h("span", { class: "chat-tags" });
  const tagSelect = h("select", { class: "select select--sm chat-tag-add", "aria-label": "Add a tag", onchange: tagChosen });
  // On a phone the tags, transcript and snooze fold into a "More" menu, so the tools stay
  // one row; on a wider screen the menu's box does not exist (display: contents).
  const moreItems = h("div", { class: "chat-more-items", id: "chat-more-items" }, tagList, tagSelect, h("span", { class: "chat-tools-gap" }), transcriptBtn, snoozeSelect);
  const moreBtn = h(
    "button",
    { class: "icon-btn chat-more-btn", type: "button", "aria-label": "More actions", "aria-expanded": "false", "aria-controls": "chat-more-items", onclick: () => setMore(!moreOpen) },
    h("span", { "aria-hidden": "true" }, "⋯"),
  );
  const row = h("div", { class: "chat-tools-row" }, statusPill, assignSelect, moreItems, resolveBtn, moreBtn);
  const el = h("div", { class: "chat-tools", hidden: true }, row, noteForm);

  let moreOpen = false;
  function setMore(open) {
    moreOpen = open;
    moreItems.classList.toggle("is-open", open);
    moreBtn.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.addEventListener("click", (e) => moreOpen && !row.contains(e.target) && setMore(false));
  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && moreOpen) {
      setMore(false);
      moreBtn.focus();
    }
  });

  const now = () => conversation();

  function paint() {
    const c = now();
    el.hidden = !c || !c.id;
    if (el.hidden) setMore(false);
    if (el.hidden) return;
    const status = c.status === "closed" ? "resolved" : c.status || "open";
    statusPill.className = `status-pill status-pill--${status}`;
    setText(statusPill, status === "snoozed" ? (c.snoozed_until ? `Snoozed until ${fullDate(c.snoozed_until)}` : "Snoozed until they reply") : status === "resolved" ? "Resolved" : "Open");
    setText(resolveBtn, status === "resolved" ? "Reopen" : "Resolve");
    resolveBtn.title = status === "resolved" ? "Reopen (Alt+E)" : "Resolve (Alt+E)";
    resolveBtn.className = `btn btn-sm chat-resolve ${status === "resolved" ? "btn-secondary" : "btn-primary"}`;
    snoozeSelect.hidden = status === "resolved";
    snoozeSelect.value = "";
    // Only a visitor who left an address can be sent the transcript.
    const email = (visitor() || {}).email;
    transcriptBtn.hidden = !email;
    transcriptBtn.title = email ? `E-mail this conversation to ${email}` : "";

    const team = store.teamOf(c.site_id);
    const options = [h("option", { value: "" }, "Unassigned")];
    options.push(h("option", { value: String(agent.id) }, `Me (${agent.name || "you"})`));
    for (const m of team) if (String(m.id) !== String(agent.id)) options.push(h("option", { value: String(m.id) }, m.name));
    if (c.assignee_id != null && !options.some((o) => o.value === String(c.assignee_id))) {
      options.push(h("option", { value: String(c.assignee_id) }, "Someone who left the team"));
    }
    assignSelect.replaceChildren(...options);
    assignSelect.value = c.assignee_id == null ? "" : String(c.assignee_id);

    const defined = store.tagsOf(c.site_id);
    const color = (name) => (defined.find((t) => t.name === name) || {}).color || "#9d9daa";
    tagList.replaceChildren(
      ...(c.tags || []).map((name) =>
        h(
          "span",
          { class: "tag-chip", style: `--tag:${color(name)}` },
          h("span", { class: "tag-dot" }),
          name,
          h("button", { class: "tag-remove", type: "button", "aria-label": `Remove tag ${name}`, onclick: () => retag({ remove: [name] }) }, "×"),
        ),
      ),
    );
    const free = defined.filter((t) => !(c.tags || []).includes(t.name));
    tagSelect.replaceChildren(h("option", { value: "" }, defined.length ? "+ Tag" : "No tags yet"), ...free.map((t) => h("option", { value: t.name }, t.name)));
    tagSelect.disabled = free.length === 0;
    tagSelect.title = defined.length ? "Add a tag" : "An admin adds tags in Settings → Inbox";
  }

  async function run(call, done) {
    const ack = await call();
    if (!ack.ok) toast(ack.error || "That didn’t work — try again.", { kind: "error" });
    else {
      if (ack.conversation) store.upsertConversation(ack.conversation);
      if (done) toast(done, { kind: "ok" });
    }
    paint();
    return ack;
  }

  async function sendTranscript() {
    const c = now();
    if (!c) return;
    setMore(false);
    transcriptBtn.disabled = true;
    const ack = await api.sendTranscript(c.id);
    transcriptBtn.disabled = false;
    if (ack.ok) toast(`Transcript sent to ${ack.email}.`, { kind: "ok" });
    else toast(ack.error || "The transcript was not sent — try again.", { kind: "error" });
  }

  function toggleResolved() {
    const c = now();
    if (!c) return;
    const resolved = c.status === "resolved" || c.status === "closed";
    run(() => (resolved ? api.reopen(c.id) : api.resolve(c.id)));
  }

  function snoozeChosen() {
    const c = now();
    const choice = snoozeSelect.value;
    if (!c || !choice) return;
    setMore(false);
    const until = snoozeUntil(choice);
    run(() => api.snooze(c.id, until && until.toISOString()), until ? `Snoozed until ${fullDate(until.toISOString())}.` : "Snoozed until the visitor replies.");
  }

  let transferTo = null;
  function assignChosen() {
    const c = now();
    if (!c) return;
    const value = assignSelect.value;
    const to = value ? Number(value) : null;
    // Passing a conversation someone holds to a teammate: offer a note for them.
    if (to != null && String(to) !== String(agent.id) && c.assignee_id != null) {
      transferTo = to;
      noteForm.hidden = false;
      noteInput.value = "";
      noteInput.focus();
      return;
    }
    run(() => api.assign(c.id, to));
  }

  function transfer() {
    const c = now();
    if (!c || transferTo == null) return;
    const to = transferTo;
    const note = noteInput.value.trim();
    cancelTransfer();
    run(() => api.assign(c.id, to, note));
  }

  function cancelTransfer() {
    transferTo = null;
    noteForm.hidden = true;
    paint();
  }

  function tagChosen() {
    const name = tagSelect.value;
    if (name) retag({ add: [name] });
  }

  function retag(change) {
    const c = now();
    if (c) run(() => api.tag(c.id, change));
  }

  document.addEventListener("keydown", (e) => {
    const c = now();
    if (!c || el.hidden || !e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.code === "KeyE") toggleResolved();
    else if (e.code === "KeyS" && c.status !== "resolved") run(() => api.snooze(c.id, null), "Snoozed until the visitor replies.");
    else if (e.code === "KeyA") run(() => api.assign(c.id, agent.id));
    else return;
    e.preventDefault();
  });

  store.on("desk", paint);

  return { el, paint };
}
