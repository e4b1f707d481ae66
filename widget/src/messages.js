// The conversation: an ordered, de-duplicated list of message rows.
// Stored messages are ordered by id (ULIDs sort by time); messages still
// being sent stay at the end. A row is found again by id or by client_id,
// so an echo, a resend or a history page never shows a message twice.

import { h, icon, srText } from "./dom.js";
import { clock, closeInTime, dayLabel, sameDay, timeOf } from "./format.js";
import { t } from "./i18n.js";
import * as I from "./icons.js";
import { linkify, safeUrl } from "./linkify.js";

const KINDS = { visitor: "me", agent: "them", system: "sys" };
const STATUS = { sent: () => t("Sent"), delivered: () => t("Delivered"), read: () => t("Read") };
const THUMB = 220;
const NEAR = 80;

// The server's system lines, by their English words (server/services/conversations.py).
const LINES = ["{name} resolved the conversation", "{name} reopened the conversation"];

function lineText(m) {
  const name = (m.author && m.author.name) || "";
  for (const english of LINES) if (m.text === english.replace("{name}", name)) return t(english, { name });
  return String(m.text || "");
}

// The site's automatic first reply (author system, kind message) reads as the team's.
function kindOf(m) {
  const kind = m.author && m.author.kind;
  return kind == "system" && m.kind == "message" ? "them" : KINDS[kind] || "sys";
}

function authorName(m) {
  const name = m.author && typeof m.author.name === "string" ? m.author.name.trim() : "";
  return name || t("Support");
}

/** width/height that fit in a THUMB box, keeping the aspect ratio. */
function fit(width, height) {
  const w = width > 0 ? width : THUMB;
  const ht = height > 0 ? height : Math.round((THUMB * 3) / 4);
  const scale = Math.min(1, THUMB / w, THUMB / ht);
  return [Math.round(w * scale), Math.round(ht * scale)];
}

function attachmentsOf(m, origin) {
  const list = Array.isArray(m.attachments) ? m.attachments : [];
  const out = [];
  for (const a of list) {
    const href = a && safeUrl(a.url, origin);
    if (!href) continue;
    const link = { href, target: "_blank", rel: "noopener noreferrer nofollow" };
    const isImage = typeof a.type !== "string" || a.type.startsWith("image/");
    if (isImage) {
      const [width, height] = fit(a.width, a.height);
      const src = safeUrl(a.thumb_url, origin) || href;
      const alt = kindOf(m) === "me" ? t("Image from you") : t("Image from {name}", { name: authorName(m) });
      out.push(h("a", { class: "att", ...link }, h("img", { src, alt, width, height, loading: "lazy", decoding: "async" })));
    } else {
      // A document: its name and size; the server sends it as a download.
      out.push(h("a", { class: "file", ...link }, (a.filename || t("File")) + " · " + Math.ceil(a.bytes / 1024) + " KB"));
    }
  }
  return out.length ? h("div", { class: "atts" }, out) : null;
}

function metaOf(e, kind) {
  const m = e.msg;
  if (e.state === "pending") return h("div", { class: "meta" }, icon(I.CLOCK, "tick"), t("Sending\u2026"));
  if (e.state === "failed") {
    return h("div", { class: "meta err", role: "alert" }, icon(I.ALERT, "tick"), t("Not sent: ") + e.error);
  }
  const parts = [h("time", { datetime: m.created_at }, clock(e.t))];
  if (m.edited_at && !m.deleted_at) parts.push(" \u00b7 " + t("edited"));
  if (kind === "me") {
    const status = STATUS[m.status] ? m.status : "sent";
    parts.push(icon(status === "sent" ? I.CHECK : I.DOUBLE_CHECK, "tick " + status), srText(STATUS[status]()));
  }
  return h("div", { class: "meta" }, parts);
}

function render(e, origin) {
  const m = e.msg;
  const kind = kindOf(m);
  const cls = "row " + kind + (e.state === "stored" ? "" : " " + e.state);
  if (kind === "sys") return h("div", { class: cls }, h("div", { class: "note" }, linkify(lineText(m))));
  const col = h("div", { class: "col" });
  if (kind === "them") col.appendChild(h("div", { class: "name" }, authorName(m)));
  const q = m.reply_to;
  if (q && q.id) col.appendChild(h("div", { class: "quote", "data-q": q.id }, q.deleted ? t("Deleted message") : q.text));
  if (m.deleted_at) {
    col.appendChild(h("div", { class: "bubble deleted" }, t("This message was deleted")));
  } else {
    if (typeof m.text === "string" && m.text) col.appendChild(h("div", { class: "bubble" }, linkify(m.text)));
    const atts = attachmentsOf(m, origin);
    if (atts) col.appendChild(atts);
  }
  col.appendChild(metaOf(e, kind));
  // Reply to any message; change one's own for 5 minutes (the server has the last word).
  if (m.id && !m.deleted_at) {
    const acts = h("div", { class: "acts" }, h("button", { type: "button", "data-a": "reply" }, t("Reply")));
    if (kind === "me" && Date.now() - e.t < 3e5) {
      acts.append(h("button", { type: "button", "data-a": "edit" }, t("Edit")), h("button", { type: "button", "data-a": "delete" }, t("Delete")));
    }
    col.appendChild(acts);
  }
  const avatar = kind === "them" ? h("div", { class: "av", "aria-hidden": "true" }, authorName(m).charAt(0).toUpperCase()) : null;
  return h("div", { class: cls }, avatar, col);
}

function groupKey(e) {
  const kind = kindOf(e.msg);
  if (kind === "sys") return null;
  return kind === "me" ? "me" : "them:" + ((e.msg.author && (e.msg.author.id || e.msg.author.name)) || "");
}

function together(a, b) {
  const key = groupKey(a);
  return key !== null && key === groupKey(b) && closeInTime(a.t, b.t);
}

/**
 * @param {object} o
 * @param {string} o.origin          base for relative attachment URLs
 * @param {() => void} o.onNearTop   the visitor scrolled to the top: load older
 */
export function createMessageList({ origin, onNearTop, onAct }) {
  const rows = [];
  const byId = new Map();
  const byClient = new Map();
  let seq = 0;
  let hasMore = false;

  // The team's welcome, shown like an agent message above the conversation.
  const greetingAvatar = h("div", { class: "av", "aria-hidden": "true" });
  const greetingName = h("div", { class: "name" });
  const greetingText = h("div", { class: "bubble" });
  const greeting = h("div", { class: "row them first last greet" }, greetingAvatar, h("div", { class: "col" }, greetingName, greetingText));
  const loader = h("div", { class: "older", hidden: true }, h("span", { class: "spin", "aria-hidden": "true" }), t("Loading earlier messages\u2026"));
  const items = h("div", { class: "items", role: "log", "aria-live": "polite", "aria-label": t("Messages") });
  const el = h("div", { class: "list", tabindex: "0" }, loader, greeting, items);

  // Stay pinned to the newest message while the list changes size (banners,
  // a growing composer, the phone keyboard) if the visitor was at the bottom.
  let stuck = true;
  el.addEventListener(
    "scroll",
    () => {
      stuck = atBottom();
      checkTop();
    },
    { passive: true },
  );
  if (window.ResizeObserver) new ResizeObserver(() => stuck && scrollToEnd()).observe(el);
  el.addEventListener("click", (ev) => {
    const target = ev.target.closest("[data-q],[data-a]");
    const row = target && rows.find((r) => r.el.contains(target));
    if (!row) return;
    const quoted = byId.get(target.dataset.q);
    if (quoted) quoted.el.scrollIntoView({ block: "center" });
    else if (target.dataset.a) onAct(target.dataset.a, row.msg);
  });

  function checkTop() {
    if (hasMore && loader.hidden && el.scrollTop < NEAR) onNearTop();
  }

  function place(e) {
    const at = rows.indexOf(e);
    if (at >= 0) rows.splice(at, 1);
    let i = rows.length;
    while (i > 0 && rows[i - 1].sortKey > e.sortKey) i--;
    rows.splice(i, 0, e);
    items.insertBefore(e.el, rows[i + 1] ? rows[i + 1].el : null);
  }

  function update(e) {
    e.sortKey = e.msg.id || "~" + String(e.seq).padStart(9, "0");
    e.t = timeOf(e.msg.created_at);
    if (e.el) e.el.remove();
    e.el = render(e, origin);
    if (e.msg.id) byId.set(e.msg.id, e);
    if (e.msg.client_id) byClient.set(e.msg.client_id, e);
    place(e);
  }

  function regroup() {
    for (let i = 0; i < rows.length; i++) {
      const e = rows[i];
      const prev = rows[i - 1];
      const next = rows[i + 1];
      e.el.classList.toggle("first", !prev || !together(prev, e));
      e.el.classList.toggle("last", !next || !together(e, next));
      if (!prev || !sameDay(prev.t, e.t)) e.el.setAttribute("data-day", dayLabel(e.t));
      else e.el.removeAttribute("data-day");
    }
    greeting.hidden = hasMore;
  }

  function upsertOne(msg) {
    if (!msg || typeof msg !== "object" || typeof msg.id !== "string") return false;
    let e = byId.get(msg.id) || (msg.client_id ? byClient.get(msg.client_id) : null);
    const isNew = !e;
    if (!e) e = { seq: ++seq };
    e.msg = msg;
    e.state = "stored";
    e.error = null;
    update(e);
    return isNew;
  }

  function atBottom() {
    return el.scrollHeight - el.scrollTop - el.clientHeight < NEAR;
  }

  function scrollToEnd() {
    el.scrollTop = el.scrollHeight;
  }

  return {
    el,
    /** Add or update one stored message; true when it was not shown before. */
    upsert(msg) {
      const stick = atBottom();
      const isNew = upsertOne(msg);
      regroup();
      if (stick || kindOf(msg) === "me") scrollToEnd();
      return isNew;
    },
    /** Add or update many (a session or a history page); keeps the view anchored. */
    merge(messages, more, where) {
      const list = Array.isArray(messages) ? messages : [];
      const fromBottom = el.scrollHeight - el.scrollTop;
      const oldest = rows.find((r) => r.msg.id);
      // A session after a reconnect says "more" relative to its newest page;
      // keep our own answer when we already hold older messages than that page.
      if (typeof more === "boolean" && (where === "older" || !oldest || !list.length || list[0].id <= oldest.msg.id)) {
        hasMore = more;
      }
      for (const m of list) upsertOne(m);
      regroup();
      if (where === "older") el.scrollTop = el.scrollHeight - fromBottom;
      else if (stuck) scrollToEnd();
    },
    /** Show a message of ours that the server has not acknowledged yet. */
    addPending(item) {
      const known = byClient.get(item.client_id);
      if (known && known.state !== "failed") return;
      const e = known || { seq: ++seq };
      e.msg = { client_id: item.client_id, text: item.text, attachments: item.attachments || [], author: { kind: "visitor" }, created_at: item.created_at };
      e.state = "pending";
      update(e);
      regroup();
      scrollToEnd();
    },
    fail(clientId, error) {
      const e = byClient.get(clientId);
      if (!e || e.state !== "pending") return;
      e.state = "failed";
      e.error = error;
      update(e);
      regroup();
    },
    /** The agent read (or received: status "delivered") our messages up to `upTo` (and/or `ids`). */
    markRead(ids, upTo, status = "read") {
      const set = new Set(Array.isArray(ids) ? ids : []);
      for (const e of rows.slice()) {
        const m = e.msg;
        if (e.state !== "stored" || kindOf(m) !== "me" || m.status === "read" || m.status === status) continue;
        if (set.has(m.id) || (typeof upTo === "string" && m.id <= upTo)) {
          e.msg = { ...m, status };
          update(e);
        }
      }
      regroup();
    },
    setGreeting(text, teamName) {
      greetingText.textContent = text;
      greetingName.textContent = teamName;
      greetingAvatar.textContent = teamName.trim().charAt(0).toUpperCase();
    },
    setLoadingOlder(on) {
      loader.hidden = !on;
    },
    /** Forget every message (the visitor started a new conversation). */
    clear() {
      rows.length = 0;
      byId.clear();
      byClient.clear();
      hasMore = false;
      items.replaceChildren();
    },
    hasMore: () => hasMore,
    oldestId() {
      const e = rows.find((r) => r.msg.id);
      return e ? e.msg.id : null;
    },
    lastAgentId() {
      for (let i = rows.length - 1; i >= 0; i--) {
        if (rows[i].msg.id && kindOf(rows[i].msg) === "them") return rows[i].msg.id;
      }
      return null;
    },
    checkTop,
    scrollToEnd,
  };
}
