// What loads on every page: the site's config, the launcher, the server connection,
// the visitor's identity and journey. The chat itself (panel, outbox, typing) is a
// second chunk, fetched on the first open or when a message arrives; until then the
// server's events wait in a queue and are handed to it in order.

import { fetchConfig } from "./api.js";
import { loadChatChunk } from "./chunk-loader.js";
import { widgetSettings } from "./config.js";
import { SERVER_EVENTS, openConnection } from "./connection.js";
import { fingerprint } from "./fingerprint.js";
import { setStrings } from "./i18n.js";
import { startJourney } from "./journey.js";
import { createEvents } from "./events.js";
import { createLauncher } from "./launcher.js";
import { siteStorage } from "./storage.js";

const HIDE_ON = { not_found: 1, forbidden: 1 };

export function warn(text) {
  console.warn("Porchlight: " + text);
}

// Runs fn once what is on screen now has been painted: after the next frame, or soon in
// a tab that draws no frames (hidden).
function afterPaint(fn) {
  let done = false;
  const go = () => done || ((done = true), fn());
  requestAnimationFrame(() => setTimeout(go, 0));
  setTimeout(go, 100);
}

function whenBody(fn) {
  if (document.body) fn();
  else document.addEventListener("DOMContentLoaded", fn, { once: true });
}

// An e-mail's "continue the chat" link: ?porchlight_chat=<token>. Taken out of the
// address bar at once; sent when connecting, and the server brings the chat back.
function takeResume() {
  try {
    const url = new URL(location.href);
    const token = url.searchParams.get("porchlight_chat");
    if (!token) return null;
    url.searchParams.delete("porchlight_chat");
    history.replaceState(history.state, "", url.href);
    return token;
  } catch (_) {
    return null;
  }
}

export function startWidget({ siteKey, origin, nonce }) {
  const store = siteStorage(siteKey);
  let resume = takeResume();
  let launcher = null;
  let conn = null;
  let chat = null; // the chat chunk, once started
  let starting = null;
  let stopped = false;
  let consentFirst = true; // the site wants Porchlight('consent', true) before fingerprinting
  let ready = false; // a session is established on the current connection
  let identity = null; // identify() data not yet acknowledged
  let wantOpen = false;
  let config = null;
  let hidden = false; // Porchlight('hide'): no launcher button
  const events = createEvents(warn);
  let connected;
  const connecting = new Promise((resolve) => (connected = resolve));
  const queue = []; // server events the chat has not seen yet
  const journey = startJourney({ origin, conn: () => conn, token: () => store.get("token") });
  const emit = (event, payload) => ready && conn.send(event, payload);
  const core = {
    origin,
    store,
    settings: null,
    siteName: "",
    launcher: () => launcher,
    conn: () => conn,
    config: () => config,
    wantOpen: () => wantOpen,
    emit,
    tell: events.emit, // to the page's listeners
    identify: (data) => widget.identify(data),
  };

  function applySettings(settings) {
    core.settings = settings;
    setStrings(settings.strings, settings.language); // the visitor's language, before any word is written
    if (!launcher) {
      launcher = createLauncher({
        onToggle: () => setOpen(!isOpen()),
        onIntent: () => startChat(),
        onOpen: (open) => events.emit(open ? "open" : "close"),
        onUnread: (count) => events.emit("unread", count),
      });
      launcher.setHidden(hidden);
      whenBody(() => stopped || launcher.mount());
    }
    launcher.setSettings(settings);
  }

  function setHidden(on) {
    hidden = on;
    if (launcher) launcher.setHidden(on);
  }

  const isOpen = () => (chat ? chat.isOpen() : wantOpen);

  function setOpen(open) {
    wantOpen = open;
    if (chat) chat.setOpen(open);
    else if (open) startChat();
  }

  function startChat() {
    if (stopped) return;
    starting =
      starting ||
      Promise.all([loadChatChunk(origin, nonce), connecting]).then(
        ([start]) => {
          if (stopped) return;
          chat = start(core);
          while (queue.length && !stopped) chat.on.apply(null, queue.shift());
          if (wantOpen) chat.setOpen(true);
        },
        (err) => {
          starting = null;
          warn(err.message);
        },
      );
  }

  // Every server event passes here: the launcher's share first, then the chat's.
  function dispatch(name, payload) {
    if (stopped) return;
    const peek = PEEK[name];
    if (peek) peek(payload);
    if (chat) chat.on(name, payload);
    else queue.push([name, payload]);
  }

  const PEEK = {
    session(s) {
      if (typeof s.visitor_token === "string" && s.visitor_token) store.set("token", s.visitor_token);
      resume = null; // used: the token above is the visitor's now
      const site = s.site || {};
      core.siteName = site.name;
      applySettings(widgetSettings(site.widget, site.name));
      ready = true;
      journey.session(s.page_view_id);
      // The agents' messages that arrived while no page was open are delivered now.
      let newest = "";
      for (const m of Array.isArray(s.messages) ? s.messages : []) {
        if (m && m.author && m.author.kind == "agent" && m.status == "sent") newest = m.id;
      }
      if (newest) emit("delivered", { up_to: newest }); // the server ignores repeats
      if (document.hidden) visibility();
      sendIdentity();
      const c = s.conversation;
      const left = c && c.status === "resolved" && store.get("left") === c.id;
      if (!chat) launcher.setUnread(c && !left && c.unread_by_visitor > 0 ? c.unread_by_visitor : 0);
    },
    message: startChat,
    settings_updated: (p) => applySettings(widgetSettings(p.widget, core.siteName)),
    read(r) {
      if (!chat && r.reader === "visitor" && launcher) launcher.setUnread(0); // read in another tab
    },
    state(next) {
      if (next !== "connected") ready = false;
    },
  };

  // Whether this tab is in view (idle when hidden), for the agents' visitor list.
  const visibility = () => emit("visitor_status", { state: document.hidden ? "idle" : "active" });
  document.addEventListener("visibilitychange", visibility);

  async function sendIdentity() {
    const sent = identity;
    if (!sent || !ready) return;
    const ack = await conn.request("identify", sent);
    if (identity !== sent) return; // replaced meanwhile
    if (ack.ok) {
      identity = null;
      if (ack.verified) dispatch("verified", {});
    } else if (ack.code !== "timeout" && ack.code !== "error") {
      identity = null;
      warn("identify was refused: " + (ack.error || ack.code));
    }
  }

  function stop() {
    stopped = true;
    if (conn) conn.close();
    if (chat) chat.stop();
    else if (launcher) launcher.destroy();
    document.removeEventListener("visibilitychange", visibility);
  }

  // ---- start --------------------------------------------------------------

  fetchConfig(origin, siteKey).then((answer) => {
    if (answer && answer.ok === false && HIDE_ON[answer.code]) {
      warn("chat is off on this page (" + answer.code + "): " + (answer.error || ""));
      stop();
      return;
    }
    if (answer && answer.ok) {
      config = answer;
      applySettings(widgetSettings(answer.widget, answer.site && answer.site.name));
    }
    // Without a config answer, the session brings the same settings.
    consentFirst = !answer || !answer.ok || !!(answer.widget || {}).fingerprint_requires_consent;
    const on = {
      state: (next) => dispatch("state", next),
      refused(code, reason) {
        warn("chat is off on this page (" + code + "): " + reason);
        if (HIDE_ON[code]) stop();
        else dispatch("state", "unavailable");
      },
    };
    for (const name of SERVER_EVENTS) on[name] = (payload) => dispatch(name, payload);
    // The launcher paints first; the connection and the fingerprint's probes come after.
    afterPaint(() => {
      if (stopped) return;
      if (fingerprintAllowed()) fingerprint(); // its probes run while the socket opens
      conn = openConnection({
        origin,
        siteKey,
        extra: withFingerprint,
        token: () => {
          const token = store.get("token");
          return typeof token === "string" ? token : null;
        },
        on,
      });
      connected();
      if (resume) setOpen(true); // came from an e-mail's link: the chat, open
      // Messages written on an earlier page and not yet sent: the chat sends them.
      const outbox = store.get("outbox");
      if (Array.isArray(outbox) && outbox.length) startChat();
    });
  });

  // The fingerprint goes to the server only when the visitor has not refused it and,
  // where the site asks for consent first, once the page said yes.
  function fingerprintAllowed() {
    const consent = store.get("consent");
    return !(consent === false || (consentFirst && consent !== true));
  }

  function withFingerprint() {
    const consent = store.get("consent");
    const link = resume ? { resume_token: resume } : null;
    if (!fingerprintAllowed()) return link;
    return fingerprint().then((f) => ({ ...link, fingerprint: { ...f, consent: consent === true } }), () => link);
  }

  const widget = {
    consent(yes) {
      store.set("consent", yes === true);
      if (ready) Promise.resolve(withFingerprint()).then((f) => conn.request("fingerprint", (f && f.fingerprint) || null));
    },
    on: events.on,
    off: events.off,
    unread: () => (launcher ? launcher.unread() : 0),
    hide: () => setHidden(true),
    show: () => setHidden(false),
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen()),
    identify(data) {
      if (!data || typeof data !== "object") return warn("identify needs an object like {name, email}");
      const fields = {};
      for (const key of ["name", "email", "user_id", "user_hash"]) if (data[key] != null) fields[key] = data[key];
      store.set("pre", 1); // the page told us who this is: no questions before the chat
      if (chat) chat.askFirst();
      identity = fields;
      sendIdentity();
    },
  };
  return widget;
}
