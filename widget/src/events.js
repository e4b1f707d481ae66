// The page's listeners: Porchlight('on', 'unread', fn) and Porchlight('off', ...).
// A listener that throws is reported and never stops the widget or the other listeners.

export const EVENTS = ["message", "open", "close", "unread"];

export function createEvents(warn) {
  const listeners = {};
  const known = (name) => EVENTS.indexOf(name) >= 0 || warn("unknown event " + JSON.stringify(String(name)) + " (events: " + EVENTS.join(", ") + ")");
  return {
    on(name, fn) {
      if (!known(name)) return;
      if (typeof fn != "function") return warn("'on' needs a function: Porchlight('on', '" + name + "', fn)");
      (listeners[name] = listeners[name] || []).push(fn);
    },
    /** Without fn, every listener of the event goes. */
    off(name, fn) {
      if (known(name)) listeners[name] = fn ? (listeners[name] || []).filter((f) => f !== fn) : [];
    },
    emit(name, payload) {
      for (const fn of (listeners[name] || []).slice()) {
        try {
          fn(payload);
        } catch (err) {
          console.error(err);
        }
      }
    },
  };
}
