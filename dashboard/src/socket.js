// The /agent Socket.IO connection and a promise-based request helper.
import { io } from "socket.io-client";

const DEFAULT_TIMEOUT = 15_000;

/**
 * The /agent socket on this origin; the HttpOnly session cookie authenticates.
 * Call socket.connect() once every listener is in place.
 * onUnauthenticated() runs when the server refuses the session.
 */
export function connectAgent({ onUnauthenticated, onRefused }) {
  const socket = io("/agent", {
    autoConnect: false,
    withCredentials: true,
    // A WebSocket at once, as the widget opens: one connection instead of a long-poll
    // handshake, more requests and an upgrade. Where WebSockets are blocked (some
    // proxies), the same connect falls back to long-polling.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
  });

  socket.on("connect_error", (err) => {
    const code = err && err.data && err.data.code;
    if (code === "unauthenticated" || (err && err.message === "unauthenticated")) {
      onUnauthenticated();
      return;
    }
    // A refusal (as opposed to a network error) stops automatic reconnection.
    if (!socket.active) {
      onRefused(err && err.message);
      setTimeout(() => socket.connect(), 5000);
    }
  });

  socket.on("disconnect", (reason) => {
    // The server dropped us on purpose; try again so an expired session
    // turns into a clean redirect to the login page.
    if (reason === "io server disconnect") socket.connect();
  });

  /** emit with an ack; always resolves to {ok, ...} (a timeout becomes code "timeout"). */
  async function request(event, payload, timeout = DEFAULT_TIMEOUT) {
    try {
      const ack = await socket.timeout(timeout).emitWithAck(event, payload);
      return ack && typeof ack === "object" ? ack : { ok: false, error: "Unexpected answer from the server.", code: "error" };
    } catch {
      return { ok: false, error: "No answer from the server. Check your connection.", code: "timeout" };
    }
  }

  return { socket, request };
}
