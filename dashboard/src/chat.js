// Chat pane: header, message history (older pages on scroll-up), live
// messages, optimistic sends with retry, read markers.
import { newClientId } from "./api.js";
import { createAttach } from "./attach.js";
import { createChatActions } from "./chat-actions.js";
import { avatar, updateAvatar } from "./avatar.js";
import { createComposer } from "./composer.js";
import { h, icon, setText } from "./dom.js";
import { showMessageHistory } from "./message-history.js";
import { createMessageList } from "./messages.js";
import { createReplyAssist } from "./reply-assist.js";
import { compareIds } from "./store.js";
import { attachTypingSender, createGhost } from "./typing.js";
import { externalLink, safeHref, shortUrl } from "./text.js";
import { fullDate } from "./time.js";
import { toast } from "./toast.js";
import { emptyState } from "./ui.js";
import { currentPage } from "./visitor-profile-parts.js";

const NEAR_BOTTOM_PX = 80;
const LOAD_OLDER_PX = 120;

const RATED = { good: "Rated good", okay: "Rated okay", bad: "Rated bad" };

export function createChat({ root, store, api, nav, typing, presence, socket, headerTools = [] }) {
  const agent = store.state.agent || {};
  const pending = new Map(); // conversation id → Map(client_id → unsent or failed message)
  let current = null;
  let openSeq = 0;

  const pendingFor = (id) => {
    if (!pending.has(id)) pending.set(id, new Map());
    return pending.get(id);
  };

  // ---- DOM

  const peers = presence.createPeers(); // "Ana is viewing", in the header
  const head = {
    avatar: avatar({ id: "", name: "", online: false, size: "lg" }),
    name: h("h2", { class: "chat-name" }),
    site: h("span", { class: "chat-site" }),
    verified: h("span", { class: "pill pill--verified", title: "Your website vouched for this identity (user_hash checked)", hidden: true }, icon("check", 12), "Verified"),
    block: h("button", { class: "btn btn-quiet btn-block-visitor", type: "button", hidden: true, onclick: () => blockVisitor() }, "Block"),
    status: h("span", { class: "chat-status" }),
    page: h("span", { class: "chat-page" }),
    rating: h("span", { class: "pill pill--rating", hidden: true }),
    comment: h("div", { class: "chat-rating-comment", hidden: true }),
  };
  const header = h(
    "header",
    { class: "chat-head" },
    head.avatar,
    h("div", { class: "chat-who" }, h("div", { class: "chat-title" }, head.name, head.verified, head.rating, head.site), h("div", { class: "chat-sub" }, head.status, head.page, peers.el), head.comment),
    head.block,
    headerTools,
    h(
      "button",
      { class: "icon-btn", type: "button", "aria-label": "Close conversation", title: "Close", onclick: () => nav.go(store.state.view, null) },
      icon("x", 18),
    ),
  );

  const actions = createChatActions({
    store,
    api,
    conversation: () => current && (store.state.conversations.get(current.id) || current.conversation),
    visitor: () => current && current.visitor,
  });
  const list = createMessageList({ agentId: agent.id, onRetry: retry, onAction: act, canAudit });
  const ghost = createGhost({ typing, keepBottom: (change) => keepBottom(change) });
  const top = h("div", { class: "chat-top" });
  const notice = h("div", { class: "chat-notice" });
  const scroller = h("div", { class: "chat-scroll", role: "log", "aria-label": "Messages" }, top, list.el, ghost.el, ghost.others, notice);
  const jump = h("button", { class: "jump", type: "button", hidden: true, onclick: () => scrollToBottom() }, icon("arrowDown", 14), "New messages");
  const attach = createAttach({
    conversationId: () => current && current.id,
    siteId: () => current && (store.state.conversations.get(current.id) || current.conversation || {}).site_id,
  });
  const composer = createComposer({ onSend: send, attach });
  const assist = createReplyAssist({ api, composer }); // saved and suggested replies
  // A note being typed is never previewed to the visitor.
  const typer = attachTypingSender({
    textarea: composer.textarea,
    socket,
    conversationId: () => (current && composer.mode() === "message" ? current.id : null),
  });
  composer.onMode((mode) => mode === "note" && typer.stop());
  const pane = h("div", { class: "chat", hidden: true }, header, actions.el, h("div", { class: "chat-body" }, scroller, jump), composer.el);
  const idle = h(
    "div",
    { class: "chat-idle" },
    emptyState({
      icon: "chat",
      title: "No conversation selected",
      text: "Pick a conversation from the inbox, or start one from the Visitors list.",
    }),
  );
  root.append(idle, pane);
  attach.dropOn(pane, () => visitorName());

  // ---- header

  function visitorName() {
    const conv = current && (store.state.conversations.get(current.id) || current.conversation);
    return (current && current.visitor && current.visitor.name) || (conv && conv.visitor && conv.visitor.name) || "Visitor";
  }

  function paintHeader() {
    actions.paint();
    if (!current) return;
    const conv = store.state.conversations.get(current.id) || current.conversation || {};
    const v = current.visitor || conv.visitor || {};
    const online = v.online === true;
    const name = visitorName();
    updateAvatar(head.avatar, { id: current.visitorId || current.id, name, online });
    setText(head.name, name);
    const siteId = conv.site_id ?? v.site_id;
    setText(head.site, store.multiSite() && siteId != null ? store.siteName(siteId) : "");
    head.site.hidden = !head.site.textContent;
    head.verified.hidden = v.verified !== true;
    paintRating(conv.rating);
    const role = (store.state.sites.find((s) => s.id === siteId) || {}).role;
    head.block.hidden = !(role === "admin" || role === "owner") || !(current.visitorId || v.id);
    setText(head.status, online ? (v.presence === "idle" ? "Idle (tab hidden)" : "Online") : "Offline");
    head.status.classList.toggle("is-online", online);
    head.status.title = v.last_seen ? `Last seen ${fullDate(v.last_seen)}` : "";
    const page = online && currentPage(v);
    const href = page && safeHref(page.url);
    if (href) {
      const link = externalLink(href, page.title || shortUrl(href));
      link.title = href;
      head.page.replaceChildren("Viewing ", link);
    } else head.page.replaceChildren();
  }

  // The visitor's rating after a resolve (good / okay / bad) and their comment.
  function paintRating(r) {
    const score = r && RATED[r.score];
    head.rating.hidden = !score;
    head.comment.hidden = !(score && r.comment);
    if (!score) return;
    head.rating.className = `pill pill--rating pill--${r.score}`;
    head.rating.textContent = score;
    head.rating.title = `The visitor rated this conversation ${r.score}, ${fullDate(r.rated_at)}`;
    setText(head.comment, r.comment ? `Their comment: \u201c${r.comment}\u201d` : "");
    head.comment.title = r.comment || "";
  }

  // Blocking (admins and owners): the visitor's widget shows the team away, or nothing,
  // as the site's Blocking settings say; unblock from Settings → Blocking.
  async function blockVisitor() {
    const conv = store.state.conversations.get(current.id) || current.conversation || {};
    const v = current.visitor || conv.visitor || {};
    const siteId = conv.site_id ?? v.site_id;
    const visitorId = current.visitorId || v.id || conv.visitor_id;
    if (!confirm(`Block ${visitorName()}? Their messages stop reaching you. Unblock them in Settings → Blocking.`)) return;
    const ack = await api.blockVisitor(siteId, visitorId);
    toast(ack.ok ? `${visitorName()} is blocked.` : ack.error || "Could not block this visitor.", { kind: ack.ok ? "ok" : "error" });
  }

  // ---- scrolling

  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;

  /** Make a change below the messages; stay at the bottom if the agent was there. */
  function keepBottom(change) {
    const stick = nearBottom();
    change();
    if (stick) scrollToBottom();
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
    jump.hidden = true;
  }

  scroller.addEventListener(
    "scroll",
    () => {
      if (scroller.scrollTop < LOAD_OLDER_PX) loadOlder();
      if (!jump.hidden && nearBottom()) jump.hidden = true;
    },
    { passive: true },
  );

  function paintTop(error) {
    top.replaceChildren();
    if (!current || !current.loaded) return;
    if (current.loadingOlder) top.append(h("div", { class: "chat-top-note" }, h("span", { class: "spinner" }), "Loading earlier messages…"));
    else if (error) {
      top.append(
        h("div", { class: "chat-top-note" }, error, " ", h("button", { class: "link-btn", type: "button", onclick: loadOlder }, "Try again")),
      );
    } else if (!current.hasMore) {
      top.append(
        h(
          "div",
          { class: "chat-top-note chat-top-start" },
          list.size() ? "This is the beginning of the conversation." : `No messages yet — say hello to ${visitorName()}.`,
        ),
      );
    }
  }

  function showNotice(kind, ack) {
    notice.replaceChildren();
    if (kind === "loading") notice.append(h("div", { class: "chat-loading" }, h("span", { class: "spinner" }), "Loading conversation…"));
    if (kind === "error") {
      const gone = ack.code === "not_found" || ack.code === "forbidden";
      notice.append(
        emptyState({
          icon: "alert",
          title: gone ? "This conversation isn’t available" : "Couldn’t load this conversation",
          text: gone ? "The link may be out of date, or the conversation is on a site you aren’t a member of." : ack.error,
          action: gone ? { label: "Back to the inbox", onclick: () => nav.go("inbox", null) } : { label: "Try again", onclick: () => current && open(current.id) },
        }),
      );
    }
  }

  // ---- open / close

  function setUnavailable(on) {
    const app = root.closest(".app") || document.body;
    if (on) {
      app.dataset.chat = "unavailable";
      setText(head.name, "Not found");
    } else delete app.dataset.chat;
  }

  async function open(id) {
    const seq = ++openSeq;
    const conv = store.state.conversations.get(id) || null;
    const visitorId = (conv && (conv.visitor_id || (conv.visitor && conv.visitor.id))) || null;
    current = {
      id,
      visitorId,
      visitor: (visitorId && store.state.visitors.get(visitorId)) || (conv && conv.visitor) || null,
      conversation: conv,
      loaded: false,
      early: [],
      hasMore: false,
      loadingOlder: false,
      markedUpTo: null,
    };
    idle.hidden = true;
    setUnavailable(false);
    pane.hidden = false;
    list.reset([]);
    jump.hidden = true;
    paintTop();
    paintHeader();
    composer.setConversation(id, visitorName());
    typer.stop();
    ghost.follow(id, visitorId, visitorName());
    peers.follow(id);
    showNotice("loading");

    const ack = await api.history(id);
    if (seq !== openSeq) return;
    if (!ack.ok) {
      showNotice("error", ack);
      // Nothing to answer: no composer, no visitor details for a conversation that is not there.
      if (ack.code === "not_found" || ack.code === "forbidden") setUnavailable(true);
      return;
    }
    const c = current;
    c.conversation = ack.conversation || c.conversation;
    c.visitorId = (c.conversation && c.conversation.visitor_id) || (ack.visitor && ack.visitor.id) || c.visitorId;
    // A live summary from the visitors list is fresher than the history snapshot.
    c.visitor = (c.visitorId && store.state.visitors.get(c.visitorId)) || ack.visitor || c.visitor;
    c.hasMore = Boolean(ack.has_more);
    c.loaded = true;
    showNotice(null);
    list.reset(ack.messages || []);
    store.emit("history", id, ack.messages || [], c.conversation);
    ghost.follow(id, c.visitorId, visitorName());
    for (const msg of c.early) list.upsert(msg);
    for (const msg of pendingFor(id).values()) list.upsert(msg);
    c.early = [];
    paintHeader();
    composer.setConversation(id, visitorName());
    assist.open(id, (c.conversation && c.conversation.site_id) ?? null);
    paintTop();
    scrollToBottom();
    fillIfShort();
    maybeMarkRead();
    composer.focus();
  }

  function close() {
    openSeq++;
    current = null;
    setUnavailable(false);
    pane.hidden = true;
    idle.hidden = false;
    list.reset([]);
    composer.setConversation(null);
    assist.open(null);
    typer.stop();
    ghost.follow(null, null);
    peers.follow(null);
  }

  async function loadOlder() {
    const c = current;
    if (!c || !c.loaded || !c.hasMore || c.loadingOlder) return;
    const before = list.oldestId();
    if (!before) return;
    c.loadingOlder = true;
    paintTop();
    const ack = await api.history(c.id, { before });
    if (c !== current) return;
    c.loadingOlder = false;
    if (!ack.ok) {
      paintTop(ack.error || "Couldn’t load earlier messages.");
      return;
    }
    c.hasMore = Boolean(ack.has_more);
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    list.prepend(ack.messages || []);
    paintTop();
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
    fillIfShort();
  }

  /** When the first page does not fill the pane, fetch more so scrolling up is possible. */
  function fillIfShort() {
    if (current && current.hasMore && scroller.scrollHeight <= scroller.clientHeight + LOAD_OLDER_PX) loadOlder();
  }

  /** After a reconnect: merge the newest page; if there is a gap, start over from it. */
  async function refresh() {
    const c = current;
    const ack = await api.history(c.id);
    if (c !== current || !ack.ok) return;
    const messages = ack.messages || [];
    const stick = nearBottom();
    const known = list.newestId();
    if (ack.has_more && messages.length && known && compareIds(messages[0].id, known) > 0) {
      list.reset(messages);
      for (const msg of pendingFor(c.id).values()) list.upsert(msg);
      c.hasMore = true;
      paintTop();
    } else for (const m of messages) list.upsert(m);
    if (ack.visitor) c.visitor = store.state.visitors.get(ack.visitor.id) || ack.visitor;
    paintHeader();
    if (stick) scrollToBottom();
    maybeMarkRead();
  }

  // ---- live messages

  function receive(m) {
    if (m.author && m.author.kind === "agent" && m.client_id && pending.has(m.conversation_id)) {
      pending.get(m.conversation_id).delete(m.client_id);
    }
    if (!current || m.conversation_id !== current.id) return;
    if (!current.loaded) {
      current.early.push(m);
      return;
    }
    const stick = nearBottom();
    const result = list.upsert(m);
    if (result !== "ignored" && m.id) assist.message(m);
    if (result === "added") {
      const own = m.author && m.author.kind === "agent" && String(m.author.id) === String(agent.id);
      if (stick || own) scrollToBottom();
      else jump.hidden = false;
      paintTop();
    }
    maybeMarkRead();
  }

  // ---- sending

  // ---- reply to, edit, delete, the audit view

  function canAudit(msg) {
    const site = store.state.sites.find((s) => s.id === msg.site_id);
    return Boolean(site && (site.role === "admin" || site.role === "owner"));
  }

  async function act(action, msg) {
    if (action === "reply" || action === "edit") composer.setContext({ kind: action, msg });
    else if (action === "missing") toast("The quoted message is further up: scroll up to load it.");
    else if (action === "delete") {
      const what = msg.kind === "note" ? "note" : "message";
      if (!confirm(`Delete this ${what}? ${msg.kind === "note" ? "Your team" : "The visitor and your team"} will see “${what} deleted”.`)) return;
      const ack = await api.deleteMessage(msg.id);
      if (ack.ok) applyChange(ack.message);
      else toast(ack.error || "Could not delete it.", { kind: "error" });
    } else if (action === "history") {
      const ack = await api.messageHistory(msg.id);
      if (ack.ok) showMessageHistory(ack);
      else toast(ack.error || "Could not load its history.", { kind: "error" });
    }
  }

  function applyChange(m) {
    if (current && m.conversation_id === current.id) list.upsert(m);
  }

  async function saveEdit(msg, text) {
    const ack = await api.editMessage(msg.id, text);
    if (ack.ok) applyChange(ack.message);
    else toast(ack.error || "Could not save the change.", { kind: "error" });
  }

  function send(text, attachments = [], { kind = "message", replyTo = null, edit = null } = {}) {
    const c = current;
    if (!c) return;
    if (edit) {
      saveEdit(edit, text);
      return;
    }
    const conv = store.state.conversations.get(c.id) || c.conversation || {};
    const msg = {
      id: null,
      client_id: newClientId(),
      conversation_id: c.id,
      site_id: conv.site_id ?? null,
      author: { kind: "agent", id: agent.id, name: agent.name },
      kind,
      text,
      attachments,
      reply_to: replyTo ? quoteFor(replyTo) : null,
      status: "sending",
      created_at: new Date().toISOString(),
      error: null,
    };
    pendingFor(c.id).set(msg.client_id, msg);
    if (kind === "message") composer.suggestions.clear(); // answered
    typer.sent();
    list.upsert(msg);
    paintTop();
    scrollToBottom();
    deliver(c.id, msg);
  }

  /** A quote for the optimistic copy of a reply, from the message in the list. */
  function quoteFor(id) {
    const m = list.getById(id);
    return m ? { id, author: m.author, text: (m.text || "").slice(0, 140), deleted: Boolean(m.deleted_at) } : { id };
  }

  async function deliver(conversationId, msg) {
    const replyTo = msg.reply_to ? msg.reply_to.id : null;
    const ack = await api.sendMessage(conversationId, msg.client_id, msg.text, msg.attachments, msg.kind, replyTo);
    const waiting = pendingFor(conversationId);
    const isOpen = current && current.id === conversationId;
    if (ack.ok) {
      waiting.delete(msg.client_id);
      if (ack.message) store.applyMessage(ack.message); // reaches receive() and the inbox row
      return;
    }
    const stored = isOpen && list.get(msg.client_id);
    if (stored && stored.id) {
      waiting.delete(msg.client_id); // the live echo already arrived
      return;
    }
    const failed = { ...msg, status: "failed", error: ack.error || "Not sent." };
    waiting.set(msg.client_id, failed);
    if (isOpen) list.upsert(failed);
  }

  function retry(clientId) {
    if (!current) return;
    const waiting = pendingFor(current.id);
    const msg = waiting.get(clientId);
    if (!msg) return;
    const again = { ...msg, status: "sending", error: null };
    waiting.set(clientId, again);
    list.upsert(again);
    deliver(current.id, again);
  }

  // ---- read markers

  async function maybeMarkRead() {
    const c = current;
    if (!c || !c.loaded || document.visibilityState !== "visible") return;
    const newest = list.newest("visitor");
    if (!newest || (c.markedUpTo && compareIds(newest.id, c.markedUpTo) <= 0)) return;
    const conv = store.state.conversations.get(c.id);
    const unread = (conv && conv.unread_by_agent > 0) || list.hasUnread("visitor");
    c.markedUpTo = newest.id;
    if (!unread) return;
    const ack = await api.markRead(c.id, newest.id);
    if (ack.ok) {
      store.markedRead(c.id);
      if (c === current) list.markRead("visitor", newest.id, ack.message_ids);
    } else if (c === current && c.markedUpTo === newest.id) c.markedUpTo = null;
  }

  document.addEventListener("visibilitychange", maybeMarkRead);
  window.addEventListener("focus", maybeMarkRead);

  // ---- store

  store.on("open", (id) => (id ? open(id) : close()));
  store.on("message", receive);
  store.on("message_updated", applyChange);
  store.on("read", (r) => {
    if (!current || r.conversation_id !== current.id) return;
    if (r.reader === "visitor") list.markRead("agent", r.up_to, r.message_ids);
    else if (r.reader === "agent") list.markRead("visitor", r.up_to, r.message_ids);
  });
  store.on("delivered", (r) => {
    if (!current || r.conversation_id !== current.id) return;
    const kind = r.reader === "visitor" ? "agent" : "visitor";
    list.markRead(kind, r.up_to, r.message_ids, "delivered");
  });
  // Agent-only lines, shown live in the thread and not stored with it: who took the
  // conversation (with the transfer note), snoozes. The visitor never receives these.
  let localLines = 0;
  store.on("conversation_event", (e) => {
    if (!current || !current.loaded || e.conversation_id !== current.id) return;
    const who = (e.actor && e.actor.name) || "Someone";
    let text = "";
    if (e.name === "conversation.assigned") {
      const to = e.assignee ? (String(e.assignee.id) === String(agent.id) ? "you" : e.assignee.name) : null;
      text = to ? `${who} assigned this conversation to ${to}` : `${who} unassigned this conversation`;
    } else if (e.name === "conversation.snoozed") {
      const until = e.conversation && e.conversation.snoozed_until;
      text = `${who} snoozed this conversation ${until ? `until ${fullDate(until)}` : "until the visitor replies"}`;
    } else return;
    const newest = list.newestId() || "";
    localLines += 1;
    keepBottom(() =>
      list.upsert({
        id: `${newest}~${localLines}`,
        kind: "event",
        client_id: `team-line-${localLines}`,
        conversation_id: current.id,
        author: { kind: "system", id: null, name: "" },
        text: `${text} (only your team sees this)`,
        attachments: [],
        created_at: new Date().toISOString(),
      }),
    );
  });
  store.on("conversation", (c) => {
    if (current && c.id === current.id) {
      current.conversation = c;
      if (!current.visitorId) current.visitorId = c.visitor_id || null;
      paintHeader();
    }
  });
  store.on("visitor", (v) => {
    if (current && v.id === current.visitorId) {
      current.visitor = v;
      paintHeader();
    }
  });
  store.on("visitor_left", (id) => {
    if (current && id === current.visitorId && current.visitor) {
      current.visitor = { ...current.visitor, online: false };
      paintHeader();
    }
  });
  store.on("connection", (status, info) => {
    if (status === "connected" && info.reconnected && current && current.loaded) refresh();
  });
}
