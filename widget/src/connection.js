// The socket.io connection to the /visitor namespace: connect auth, the
// connection state shown to the visitor, server events, and acked requests.

import { io } from "socket.io-client";
import { browserLanguages, deviceInfo, pageInfo } from "./context.js";

export const ACK_TIMEOUT = 10000;
export const SERVER_EVENTS = ["delivered", "admin_typing_preview", "admin_typing_cleared", "session", "message", "read", "agents_online", "settings_updated", "message_updated", "conversation_status", "resync"];
// Refusals that mean "not now" rather than "never": try again later
// (after the time the server names, when it names one).
const TRANSIENT = { error: 1, rate_limited: 1, busy: 1, unavailable: 1 };

/**
 * @param {object} o
 * @param {string} o.origin     server origin, e.g. https://chat.example.com
 * @param {string} o.siteKey
 * @param {() => string|null} o.token   the stored visitor token, read on every (re)connect
 * @param {object} o.on          handlers: session, message, read, agents_online,
 *                               state(s) with s = connecting|connected|reconnecting|offline,
 *                               refused(code, reason)
 */
export function openConnection({ origin, siteKey, token, on, extra }) {
  const socket = io(origin + "/visitor", {
    // A function, so every reconnect sends the latest token and page.
    auth(cb) {
      const auth = { site_key: siteKey, device: deviceInfo(), languages: browserLanguages() };
      const t = token();
      if (t) auth.visitor_token = t;
      const page = pageInfo();
      if (page) auth.page = page;
      // Async additions (the fingerprint); a failure never keeps the widget offline.
      Promise.resolve(extra && extra()).then((more) => cb(Object.assign(auth, more)), () => cb(auth));
    },
    query: { site_key: siteKey },
    // A WebSocket at once: a page view is one connection, not a long-poll handshake, two
    // more requests and an upgrade. Where WebSockets are blocked (some proxies), the
    // same connect falls back to long-polling.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
  });

  let state = "connecting";
  let everConnected = false;
  let refusals = 0;
  let retryTimer = 0;
  function set(next) {
    if (next !== state) {
      state = next;
      on.state(next);
    }
  }
  function notConnected() {
    if (navigator.onLine === false) return "offline";
    return everConnected ? "reconnecting" : "connecting";
  }

  // Reconnect ourselves, with backoff, where socket.io would not.
  function retryLater(after) {
    clearTimeout(retryTimer);
    const backoff = 5000 * Math.pow(2, refusals++);
    const delay = Math.min(60000, after > 0 ? after * (1000 + 1000 * Math.random()) : backoff);
    retryTimer = setTimeout(() => socket.connect(), delay);
  }

  socket.on("connect", () => {
    everConnected = true;
    refusals = 0;
    set("connected");
  });
  socket.on("disconnect", (reason) => {
    set(notConnected());
    // The server ended this socket on purpose; socket.io leaves reconnecting
    // to us. Come back later: a server that does not want us refuses with a code.
    if (reason === "io server disconnect") retryLater();
  });
  socket.on("connect_error", (err) => {
    if (socket.active) {
      set(notConnected()); // transport trouble; socket.io retries with backoff
      return;
    }
    const code = (err && err.data && err.data.code) || "error";
    if (TRANSIENT[code]) {
      set(notConnected());
      retryLater(err.data && err.data.retry_after);
      return;
    }
    on.refused(code, (err && err.message) || "connection refused");
  });
  for (const name of SERVER_EVENTS) {
    socket.on(name, (payload) => {
      if (payload && typeof payload === "object") on[name](payload);
    });
  }

  const onNetwork = () => {
    if (!socket.connected) set(notConnected());
  };
  window.addEventListener("online", onNetwork);
  window.addEventListener("offline", onNetwork);

  return {
    get connected() {
      return socket.connected;
    },
    /**
     * Emit with an ack. Never rejects: a timeout or a lost connection resolves
     * to {ok: false, code: "timeout"}, a malformed ack to {ok: false, code: "error"}.
     */
    async request(event, payload, timeout = ACK_TIMEOUT) {
      try {
        const ack = await socket.timeout(timeout).emitWithAck(event, payload);
        return ack && typeof ack === "object" ? ack : { ok: false, code: "error", error: "bad answer" };
      } catch (_) {
        return { ok: false, code: "timeout", error: "no answer from the server" };
      }
    },
    /** Emit without an ack; dropped while disconnected (typing previews, receipts). */
    send(event, payload) {
      socket.volatile.emit(event, payload);
    },
    close() {
      clearTimeout(retryTimer);
      window.removeEventListener("online", onNetwork);
      window.removeEventListener("offline", onNetwork);
      socket.disconnect();
    },
  };
}
