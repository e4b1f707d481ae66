// Dashboard entry: read the server's bootstrap, connect /agent, mount the views.
import { createAnalytics } from "./analytics.js";
import { createReports } from "./reports.js";
import { createApi } from "./api.js";
import { createBanner } from "./banner.js";
import { createChat } from "./chat.js";
import { createContacts } from "./contacts.js";
import { createCounts } from "./counts.js";
import { createInbox } from "./inbox.js";
import { createMissedClock } from "./missed-clock.js";
import { createNav } from "./nav.js";
import { createPresence } from "./presence.js";
import { createSearch } from "./search.js";
import { createSettings, createSettingsPopover } from "./settings.js";
import { createSidebar } from "./sidebar.js";
import { connectAgent } from "./socket.js";
import { createStore } from "./store.js";
import { createSound } from "./sound.js";
import { createSync } from "./sync.js";
import { startTicker } from "./time.js";
import { toast } from "./toast.js";
import { createTypingState } from "./typing.js";
import { createVisitorProfile } from "./visitor-profile.js";
import { createVisitors } from "./visitors.js";

function readBootstrap() {
  const el = document.getElementById("porchlight-bootstrap");
  try {
    const data = JSON.parse(el ? el.textContent : "{}");
    return { agent: data.agent || {}, sites: data.sites || [] };
  } catch {
    return { agent: {}, sites: [] };
  }
}

function goToLogin() {
  const next = location.pathname + location.hash;
  location.assign(`/dashboard/login?next=${encodeURIComponent(next)}`);
}

function main() {
  const app = document.getElementById("app");
  if (!app) return;
  const store = createStore(readBootstrap());
  const nav = createNav({ store, app });
  const { socket, request } = connectAgent({
    onUnauthenticated: goToLogin,
    onRefused: (message) => store.setConnection("refused", { message }),
  });
  const api = createApi(request);
  const sync = createSync({ socket, api, store });

  async function openVisitor(v) {
    const ack = await api.startConversation(v.site_id, v.id);
    if (!ack.ok || !ack.conversation) {
      toast(ack.error || "Couldn’t start a conversation with this visitor.");
      return;
    }
    const conversation = ack.conversation;
    store.upsertConversation({
      ...conversation,
      visitor: conversation.visitor || { id: v.id, name: v.name, online: v.online !== false },
    });
    if (v.conversation_id !== conversation.id && store.state.visitors.has(v.id)) {
      store.upsertVisitor({ ...store.state.visitors.get(v.id), conversation_id: conversation.id }, "update");
    }
    nav.go("visitors", conversation.id);
  }

  createBanner({ el: document.getElementById("conn-banner"), store });
  createCounts({ store });
  const typing = createTypingState({ socket, store });
  const presence = createPresence({ socket, store, request });
  const settings = createSettings();
  const sound = createSound({ agentId: store.state.agent.id, settings, store, socket, nav });
  createSettingsPopover({ settings, sound });
  createInbox({ root: document.getElementById("inbox-view"), store, sync, nav, typing });
  createMissedClock({ store, sync });
  const profile = createVisitorProfile({ store, openVisitor, nav });
  createVisitors({ root: document.getElementById("visitors-view"), store, openVisitor, typing, nav, profile });
  createAnalytics({ root: document.getElementById("analytics-view"), store });
  createReports({ root: document.getElementById("reports-view"), store });
  createSearch({ root: document.getElementById("search-view"), store, nav, profile });
  createContacts({ root: document.getElementById("contacts-view"), store, profile });
  const sidebar = createSidebar({ app, root: document.getElementById("side-col"), store, nav, profile });
  createChat({ root: document.getElementById("chat-col"), store, api, nav, typing, presence, socket, headerTools: [sidebar.toggleButton] });
  startTicker();
  nav.start();
  socket.connect();
}

main();
