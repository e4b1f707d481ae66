// The message list of the open conversation: ordered entries, deduplicated
// by id and client_id, rendered one node per message, patched in place.
import { attachmentsView } from "./attachments.js";
import { h, icon } from "./dom.js";
import { linkify } from "./text.js";
import { clock, dayLabel, fullDate, sameDay, toMs } from "./time.js";
import { compareIds } from "./store.js";

const GROUP_GAP_MS = 5 * 60_000;
const STATUS_RANK = { sending: 0, failed: 0, sent: 1, delivered: 2, read: 3 };
const TICKS = {
  sending: ["clock", "Sending"],
  sent: ["check", "Sent"],
  delivered: ["checks", "Delivered"],
  read: ["checks", "Read"],
};

// A private note is its own kind of entry: agents only, never grouped with replies.
const kindOf = (msg) => (msg.kind === "note" ? "note" : (msg.author && msg.author.kind) || "system");

function sameGroup(a, b) {
  if (!a || !b) return false;
  const kind = kindOf(a);
  if (kind === "system" || kind !== kindOf(b)) return false;
  if ((a.author.id ?? null) !== (b.author.id ?? null)) return false;
  const gap = (toMs(b.created_at) ?? 0) - (toMs(a.created_at) ?? 0);
  return gap < GROUP_GAP_MS && sameDay(a.created_at, b.created_at);
}

export function createMessageList({ agentId, onRetry, onAction = () => {}, canAudit = () => false }) {
  const el = h("div", { class: "msgs" });
  let entries = []; // {msg, node}
  const byId = new Map();
  const byClient = new Map();

  function index(entry) {
    if (entry.msg.id) byId.set(entry.msg.id, entry);
    if (entry.msg.client_id) byClient.set(entry.msg.client_id, entry);
  }

  const own = (msg) => msg.author && msg.author.kind === "agent" && String(msg.author.id) === String(agentId);

  /** Reply to any message; edit and delete one's own; the audit view for admins. */
  function actions(msg) {
    if (!msg.id) return null;
    const deleted = Boolean(msg.deleted_at);
    const button = (action, label, name) =>
      h("button", { class: "msg-action", type: "button", title: label, "aria-label": label, dataset: { action }, onclick: () => onAction(action, msg) }, icon(name, 14));
    return h(
      "div",
      { class: "msg-actions" },
      !deleted && button("reply", "Reply", "reply"),
      !deleted && own(msg) && button("edit", "Edit", "pencil"),
      !deleted && own(msg) && button("delete", "Delete", "trash"),
      (deleted || msg.edited_at) && canAudit(msg) && button("history", "What it said before", "clock"),
    );
  }

  /** The message this one quotes; a click scrolls to it. */
  function quoteOf(msg) {
    const q = msg.reply_to;
    if (!q || !q.id) return null;
    const who = q.author ? (q.author.kind === "agent" && String(q.author.id) === String(agentId) ? "You" : q.author.name || "Visitor") : "";
    return h(
      "button",
      { class: `quote${q.deleted ? " quote--deleted" : ""}`, type: "button", title: "Show the quoted message", onclick: () => jump(q.id) },
      h("span", { class: "quote-who" }, icon("reply", 12), who),
      h("span", { class: "quote-text" }, q.deleted ? "Deleted message" : q.text || ""),
    );
  }

  function jump(id) {
    const entry = byId.get(id);
    if (!entry) {
      onAction("missing", { id });
      return;
    }
    entry.node.scrollIntoView({ block: "center", behavior: "smooth" });
    entry.node.classList.remove("msg--flash");
    void entry.node.offsetWidth; // restart the highlight
    entry.node.classList.add("msg--flash");
  }

  function tick(status) {
    const spec = TICKS[status];
    if (!spec) return null;
    return h("span", { class: `tick tick--${status}`, title: spec[1] }, icon(spec[0], 14), h("span", { class: "sr-only" }, spec[1]));
  }

  function buildNode(msg, { cont, tail }) {
    const kind = kindOf(msg);
    if (kind === "system") {
      return h("div", { class: "msg msg--system" }, h("span", { class: "msg-system-text" }, linkify(msg.text)));
    }
    if (kind === "note") return noteNode(msg, { cont, tail });
    const mine = kind === "agent";
    const pending = !msg.id;
    const failed = msg.status === "failed";
    const classes = ["msg", mine ? "msg--agent" : "msg--visitor"];
    if (cont) classes.push("msg--cont");
    if (tail) classes.push("msg--tail");
    if (pending) classes.push("msg--pending");
    if (failed) classes.push("msg--failed");

    const deleted = Boolean(msg.deleted_at);
    const bubble =
      deleted || msg.text
        ? h(
            "div",
            { class: `bubble${deleted ? " bubble--deleted" : ""}`, title: fullDate(msg.created_at) },
            deleted ? "This message was deleted" : linkify(msg.text),
          )
        : null;
    const otherAgent = mine && msg.author.id != null && String(msg.author.id) !== String(agentId);
    const meta = h(
      "div",
      { class: "msg-meta" },
      otherAgent && msg.author.name && h("span", { class: "msg-author" }, msg.author.name),
      h("time", { datetime: msg.created_at || null }, clock(msg.created_at)),
      msg.edited_at && !deleted && h("span", { class: "msg-edited" }, "edited"),
      mine && tick(msg.status),
    );
    const error =
      failed &&
      h(
        "div",
        { class: "msg-error", role: "alert" },
        icon("alert", 14),
        h("span", {}, msg.error || "Not sent."),
        h("button", { class: "link-btn", type: "button", onclick: () => onRetry(msg.client_id) }, icon("retry", 13), "Retry"),
      );
    return h(
      "div",
      { class: classes.join(" "), dataset: { id: msg.id || "", clientId: msg.client_id || "" } },
      quoteOf(msg),
      h("div", { class: "msg-line" }, bubble, actions(msg)),
      deleted ? null : attachmentsView(msg, mine && !otherAgent),
      meta,
      error,
    );
  }

  /** A private note: yellow, labelled, with a lock; only agents ever receive one. */
  function noteNode(msg, { cont, tail }) {
    const failed = msg.status === "failed";
    const classes = ["msg", "msg--agent", "msg--note"];
    if (cont) classes.push("msg--cont");
    if (tail) classes.push("msg--tail");
    if (!msg.id) classes.push("msg--pending");
    if (failed) classes.push("msg--failed");
    const deleted = Boolean(msg.deleted_at);
    const mineNote = own(msg);
    return h(
      "div",
      { class: classes.join(" "), dataset: { id: msg.id || "", clientId: msg.client_id || "", kind: "note" } },
      quoteOf(msg),
      h(
        "div",
        { class: "msg-line" },
        h(
          "div",
          { class: `bubble bubble--note${deleted ? " bubble--deleted" : ""}`, title: fullDate(msg.created_at) },
          h("span", { class: "note-label" }, icon("lock", 12), "Note", h("span", { class: "note-who" }, mineNote ? "· you" : `· ${msg.author.name || "Agent"}`)),
          h("span", { class: "note-text" }, deleted ? "This note was deleted" : linkify(msg.text)),
        ),
        actions(msg),
      ),
      h(
        "div",
        { class: "msg-meta" },
        h("span", { class: "note-private" }, "Only your team sees this"),
        h("time", { datetime: msg.created_at || null }, clock(msg.created_at)),
        msg.edited_at && !deleted && h("span", { class: "msg-edited" }, "edited"),
        !msg.id && !failed && tick("sending"),
      ),
      failed &&
        h(
          "div",
          { class: "msg-error", role: "alert" },
          icon("alert", 14),
          h("span", {}, msg.error || "Not saved."),
          h("button", { class: "link-btn", type: "button", onclick: () => onRetry(msg.client_id) }, icon("retry", 13), "Retry"),
        ),
    );
  }

  function separator(iso) {
    return h("div", { class: "day-sep", role: "separator" }, h("span", {}, dayLabel(iso)));
  }

  function renderAll() {
    const frag = document.createDocumentFragment();
    entries.forEach((entry, i) => {
      const prev = entries[i - 1];
      const next = entries[i + 1];
      if (!prev || !sameDay(prev.msg.created_at, entry.msg.created_at)) frag.append(separator(entry.msg.created_at));
      entry.node = buildNode(entry.msg, {
        cont: prev && sameGroup(prev.msg, entry.msg),
        tail: !(next && sameGroup(entry.msg, next.msg)),
      });
      frag.append(entry.node);
    });
    el.replaceChildren(frag);
  }

  function appendEntry(entry) {
    const prev = entries[entries.length - 1];
    entries.push(entry);
    index(entry);
    if (!prev || !sameDay(prev.msg.created_at, entry.msg.created_at)) el.append(separator(entry.msg.created_at));
    const cont = sameGroup(prev && prev.msg, entry.msg);
    if (cont) prev.node.classList.remove("msg--tail");
    entry.node = buildNode(entry.msg, { cont, tail: true });
    el.append(entry.node);
  }

  function replace(entry, msg) {
    entry.msg = msg;
    index(entry);
    const old = entry.node;
    entry.node = buildNode(msg, {
      cont: old.classList.contains("msg--cont"),
      tail: old.classList.contains("msg--tail"),
    });
    old.replaceWith(entry.node);
  }

  function find(msg) {
    return (msg.id && byId.get(msg.id)) || (msg.client_id && byClient.get(msg.client_id)) || null;
  }

  /** Adds or updates a message; returns "added", "updated" or "ignored". */
  function upsert(msg) {
    const existing = find(msg);
    if (existing) {
      const old = existing.msg;
      if (old.id && !msg.id) return "ignored"; // a late local copy of a stored message
      let next = msg;
      if (old.id && msg.id && (STATUS_RANK[old.status] ?? 0) > (STATUS_RANK[msg.status] ?? 0)) {
        next = { ...msg, status: old.status };
      }
      replace(existing, next);
      return "updated";
    }
    const entry = { msg, node: null };
    const lastStored = [...entries].reverse().find((e) => e.msg.id);
    if (msg.id && lastStored && compareIds(msg.id, lastStored.msg.id) < 0) {
      // An older message arrived late: insert it in id order and re-render.
      const at = entries.findIndex((e) => e.msg.id && compareIds(e.msg.id, msg.id) > 0);
      entries.splice(at, 0, entry);
      index(entry);
      renderAll();
    } else appendEntry(entry);
    return "added";
  }

  function load(messages, { prepend = false } = {}) {
    const fresh = messages.filter((m) => m && !find(m));
    if (!prepend) {
      entries = [];
      byId.clear();
      byClient.clear();
    }
    const added = fresh.map((msg) => ({ msg, node: null }));
    entries = prepend ? [...added, ...entries] : added;
    added.forEach(index);
    renderAll();
    return added.length;
  }

  /** A receipt: messages of `kind` up to `upTo` (or listed in ids) are read (or `status`). */
  function markRead(kind, upTo, ids, status = "read") {
    const listed = new Set(ids || []);
    for (const entry of entries) {
      const { msg } = entry;
      if (!msg.id || kindOf(msg) !== kind || (STATUS_RANK[msg.status] ?? 0) >= STATUS_RANK[status]) continue;
      if (listed.has(msg.id) || (upTo && compareIds(msg.id, upTo) <= 0)) replace(entry, { ...msg, status });
    }
  }

  function newest(kind) {
    for (let i = entries.length - 1; i >= 0; i--) {
      const { msg } = entries[i];
      if (msg.id && kindOf(msg) === kind) return msg;
    }
    return null;
  }

  return {
    el,
    upsert,
    reset: (messages) => load(messages),
    prepend: (messages) => load(messages, { prepend: true }),
    markRead,
    newest,
    get: (clientId) => (byClient.get(clientId) || {}).msg || null,
    getById: (id) => (byId.get(id) || {}).msg || null,
    newestId: () => entries.reduce((max, e) => (e.msg.id && compareIds(e.msg.id, max) > 0 ? e.msg.id : max), null),
    oldestId: () => (entries.find((e) => e.msg.id) || { msg: {} }).msg.id || null,
    size: () => entries.length,
    hasUnread: (kind) => entries.some((e) => e.msg.id && kindOf(e.msg) === kind && e.msg.status !== "read"),
  };
}
