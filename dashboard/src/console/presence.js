// Presence belongs to the agent, not to the inbox page: the console's pages hold an
// /agent connection too, so an agent who opens Settings stays online for visitors.
// The server keeps an agent online for a few seconds after their last page closed, which
// covers the page load between the inbox and here.
import { io } from "socket.io-client";

export function keepPresence() {
  const socket = io("/agent", {
    withCredentials: true,
    transports: ["websocket", "polling"],
    tryAllTransports: true, // long-polling where WebSockets are blocked
  });
  socket.on("connect_error", (err) => {
    const code = err && err.data && err.data.code;
    if (code === "unauthenticated") socket.disconnect(); // the page itself asks to sign in
  });
  return socket;
}
