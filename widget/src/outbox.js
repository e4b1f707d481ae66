// Messages the visitor wrote that the server has not acknowledged yet.
// They are kept in storage (so a reload or a lost connection loses nothing)
// and sent with the same client_id until the server answers: the server
// treats a resend with a known client_id as the same message.

import { explain, t } from "./i18n.js";

const KEY = "outbox";
const RETRYABLE = { rate_limited: 1, error: 1, timeout: 1, busy: 1, unavailable: 1 };
const MAX_DELAY = 30000;

export function newClientId() {
  const bytes = new Uint8Array(12);
  if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) | 0;
  let id = "c-";
  for (const b of bytes) id += (b < 16 ? "0" : "") + b.toString(16);
  return id;
}

function valid(item) {
  return item && typeof item.client_id === "string" && typeof item.text === "string";
}

/**
 * @param {object} o
 * @param {{get, set, remove}} o.store   site-scoped storage
 * @param {(item) => Promise<object>} o.send   emits send_message, resolves to the ack
 * @param {(item, message) => void} o.onSent
 * @param {(item, error, code) => void} o.onFailed   permanent failure; the item is dropped
 */
export function createOutbox({ store, send, onSent, onFailed }) {
  const inFlight = new Set();
  let online = false;
  let timer = 0;
  let attempt = 0;

  function items() {
    const list = store.get(KEY);
    return Array.isArray(list) ? list.filter(valid) : [];
  }

  function remove(clientId) {
    const list = items();
    const next = list.filter((i) => i.client_id !== clientId);
    if (next.length === list.length) return;
    if (next.length) store.set(KEY, next);
    else store.remove(KEY);
  }

  async function deliver(item) {
    if (!online || inFlight.has(item.client_id)) return;
    inFlight.add(item.client_id);
    const payload = { client_id: item.client_id, text: item.text };
    if (item.attachments && item.attachments.length) payload.attachments = item.attachments;
    if (item.reply_to) payload.reply_to = item.reply_to;
    if (item.new_conversation) payload.new_conversation = true;
    const ack = await send(payload);
    inFlight.delete(item.client_id);
    if (ack.ok && ack.message) {
      remove(item.client_id);
      attempt = 0;
      onSent(item, ack.message);
    } else if (ack.code && !RETRYABLE[ack.code] && !ack.ok) {
      remove(item.client_id);
      onFailed(item, explain(ack.error, t("The message could not be sent.")), ack.code);
    } else {
      retryLater(ack.retry_after);
    }
  }

  // A busy server names when to come back; spread out, so its visitors do not all return at once.
  function retryLater(after) {
    if (timer || !online) return;
    const delay = Math.min(MAX_DELAY, after > 0 ? after * (1000 + 1000 * Math.random()) : 2000 * Math.pow(2, attempt++));
    timer = setTimeout(() => {
      timer = 0;
      flush();
    }, delay);
  }

  function flush() {
    for (const item of items()) deliver(item);
  }

  return {
    items,
    /** Store a new message and send it when possible. */
    add(item) {
      store.set(KEY, items().filter((i) => i.client_id !== item.client_id).concat(item));
      deliver(item);
    },
    /** The server has this message (seen in an event or in history). */
    confirm(clientId) {
      remove(clientId);
    },
    /** Called with true once the server session is ready, false on disconnect. */
    setOnline(value) {
      online = value;
      clearTimeout(timer);
      timer = 0;
      if (value) {
        attempt = 0;
        flush();
      }
    },
  };
}
