// Sound alerts that fire, once: a visitor arrived, a visitor wrote.
//
// - Tones are made with the Web Audio API (no audio files): "beep" is one
//   short chime, "continuous" repeats it until the agent looks (focuses a
//   dashboard tab, clicks or types in one, or opens a conversation).
// - Exactly one open tab of an agent plays: the tabs elect a leader with the
//   Web Locks API (the lock is held until the tab closes, then the next tab
//   takes over). Only a tab whose audio may start stands for election.
// - Browsers refuse to start audio before the page has had a click. When no
//   tab can play, the alert is queued and a "Click to enable sound" banner
//   shows; the first click starts audio and plays what was queued.
// - Desktop notifications while the tab is hidden (permission is asked once,
//   on a click), one per alert however many tabs are open.
// - Every tone is counted in window.__porchlightSounds and announced as a
//   `porchlight:sound` event on document, so tests can count plays.
import { h } from "./dom.js";
import { currentPage } from "./visitor-profile-parts.js";

const REPEAT_MS = 3000;
const MAX_REPEATS = 60; // continuous gives up after about three minutes
const ASKED_KEY = "porchlight:notifications-asked";
const CLAIM_KEY = "porchlight:sound-tab";
const NOTES = {
  arrival: [
    [659.25, 0],
    [987.77, 0.13],
  ],
  message: [
    [880, 0],
    [1318.5, 0.11],
  ],
};

export function createSound({ agentId, settings, store, socket, nav }) {
  const lockName = `porchlight-sound-${agentId}`;
  const tabId = Math.random().toString(36).slice(2);
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(lockName) : null;
  let ctx = null;
  let unlocked = false;
  let leader = false;
  let queued = null; // {kind, mode, info}: waiting for a click
  let repeating = null; // {timer, count}

  // ---- audio

  function context() {
    if (ctx) return ctx;
    const Ctor = window.AudioContext || window.webkitAudioContext;
    if (!Ctor) return null;
    ctx = new Ctor();
    ctx.addEventListener("statechange", checkUnlocked);
    return ctx;
  }

  function checkUnlocked() {
    if (unlocked || !ctx || ctx.state !== "running") return;
    unlocked = true;
    stand();
    if (queued) {
      const { kind, mode, info } = queued;
      queued = null;
      banner.hidden = true;
      play(kind, mode, info);
      post({ type: "handled" });
    }
  }

  function tryStart() {
    const c = context();
    if (!c) return;
    if (c.state === "running") checkUnlocked();
    else c.resume().then(checkUnlocked, () => {});
  }

  function tone(kind) {
    const volume = Math.max(0, Math.min(1, settings.get().sounds.volume));
    const t = ctx.currentTime + 0.01;
    for (const [freq, at] of NOTES[kind] || NOTES.message) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + at);
      gain.gain.exponentialRampToValueAtTime(Math.max(0.0002, 0.6 * volume), t + at + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.38);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t + at);
      osc.stop(t + at + 0.4);
    }
    window.__porchlightSounds = (window.__porchlightSounds || 0) + 1;
    document.dispatchEvent(new CustomEvent("porchlight:sound", { detail: { kind } }));
  }

  function play(kind, mode, info) {
    if (mode === "off" || !ctx) return;
    tone(kind);
    if (mode !== "continuous") return;
    stopRepeating();
    const run = { count: 1, info, timer: 0 };
    run.timer = setInterval(() => {
      if (++run.count > MAX_REPEATS) stopRepeating();
      else tone(kind);
    }, REPEAT_MS);
    repeating = run;
  }

  function stopRepeating() {
    if (!repeating) return;
    clearInterval(repeating.timer);
    repeating = null;
  }

  // ---- one tab plays: leader election

  function stand() {
    if (navigator.locks) {
      navigator.locks.request(lockName, () => {
        leader = true;
        return new Promise(() => {}); // held until this tab goes away
      });
    } else claim(); // older browsers: the most recently focused tab that can play
  }

  function claim() {
    try {
      localStorage.setItem(CLAIM_KEY, `${tabId}:${Date.now()}`);
    } catch {
      /* no storage: every tab may play */
    }
  }

  async function someoneLeads() {
    if (leader) return true;
    if (navigator.locks) {
      const { held } = await navigator.locks.query();
      return held.some((lock) => lock.name === lockName);
    }
    return false;
  }

  function isLeader() {
    if (navigator.locks) return leader;
    let value = "";
    try {
      value = localStorage.getItem(CLAIM_KEY) || "";
    } catch {
      return unlocked;
    }
    return unlocked && (!value || value.startsWith(`${tabId}:`));
  }

  function post(message) {
    if (channel) channel.postMessage(message);
  }

  if (channel) {
    channel.onmessage = ({ data }) => {
      if (data.type === "seen") stopRepeating();
      if (data.type === "handled" && queued) {
        queued = null;
        banner.hidden = true;
      }
    };
  }

  // ---- the banner shown when audio cannot start yet

  const banner = h(
    "button",
    { class: "sound-banner", type: "button", hidden: true, onclick: () => tryStart() },
    h("span", { class: "sound-banner-icon", "aria-hidden": "true" }, "🔔"),
    h("span", { class: "sound-banner-text" }),
  );
  const main = document.querySelector(".main") || document.body;
  main.prepend(banner);

  // ---- notifications

  function askOnce() {
    if (!("Notification" in window) || Notification.permission !== "default" || !settings.get().notifications) return;
    try {
      if (localStorage.getItem(ASKED_KEY)) return;
      localStorage.setItem(ASKED_KEY, "1");
    } catch {
      /* ask anyway, once per page */
    }
    Notification.requestPermission().catch(() => {});
  }

  function notify(info) {
    if (!document.hidden || !settings.get().notifications) return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const n = new Notification(info.title, { body: info.body, tag: info.tag, silent: true });
      n.onclick = () => {
        window.focus();
        if (info.conversationId) nav.go("inbox", info.conversationId);
        else nav.go("visitors", null);
        n.close();
      };
    } catch {
      /* some browsers only allow notifications from a service worker */
    }
  }

  // ---- alerts

  async function alert(kind, info) {
    const mode = settings.get().sounds[kind] || "off";
    if (isLeader()) {
      play(kind, mode, info);
      notify(info);
      return;
    }
    if (unlocked || (await someoneLeads())) return; // the leading tab plays
    notify(info); // one notification per tag, whichever tab shows it
    if (mode === "off") return;
    queued = { kind, mode, info };
    banner.lastChild.textContent = `${info.title}. Click to enable sound alerts.`;
    banner.hidden = false;
  }

  socket.on("visitor_arrival", (v) => {
    if (!v || !store.inScope(v.site_id)) return;
    const page = currentPage(v);
    const where = page && (page.title || page.url);
    alert("arrival", {
      title: `${v.name || "A visitor"} arrived`,
      body: where ? `Now on ${where}` : "",
      tag: `porchlight-arrival-${v.id}`,
      visitorId: v.id,
    });
  });
  socket.on("message", (m) => {
    if (!m || !m.author || m.author.kind !== "visitor" || !store.inScope(m.site_id)) return;
    alert("message", {
      title: `${m.author.name || "A visitor"} wrote`,
      body: (m.text || "").slice(0, 140),
      tag: `porchlight-message-${m.id}`,
      conversationId: m.conversation_id,
    });
  });

  // ---- the agent looked: stop repeating, in every tab

  function seen() {
    stopRepeating();
    post({ type: "seen" });
  }
  function gesture() {
    tryStart();
    askOnce();
    if (!navigator.locks && unlocked) claim();
    seen();
  }
  document.addEventListener("pointerdown", gesture, { capture: true });
  document.addEventListener("keydown", gesture, { capture: true });
  window.addEventListener("focus", () => {
    seen();
    if (!navigator.locks && unlocked) claim();
  });
  store.on("open", (id) => id && seen());

  tryStart(); // allowed without a click when the browser's policy says so

  return {
    /** Play a sample now (a click in the settings: audio may start). */
    test(kind) {
      tryStart();
      if (ctx) ctx.resume().then(() => tone(kind), () => {});
    },
    unlocked: () => unlocked,
  };
}
