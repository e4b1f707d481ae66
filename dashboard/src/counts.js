// Unread total in the tab title and the nav badges; online visitors count.
import { setText } from "./dom.js";

const VIEW_TITLES = { inbox: "Inbox", visitors: "Visitors", analytics: "Journeys", reports: "Reports" };

export function createCounts({ store }) {
  const unreadBadge = document.getElementById("nav-unread");
  const onlineBadge = document.getElementById("nav-online");

  function paintUnread() {
    const total = store.unreadTotal();
    document.title = `${total ? `(${total}) ` : ""}${VIEW_TITLES[store.state.view] || "Inbox"} · Porchlight`;
    if (unreadBadge) {
      setText(unreadBadge, total > 99 ? "99+" : String(total));
      unreadBadge.hidden = total === 0;
    }
  }

  function paintOnline() {
    if (!onlineBadge) return;
    const n = store.state.visitorsStatus === "ready" ? store.state.visitors.size : 0;
    setText(onlineBadge, String(n));
    onlineBadge.hidden = n === 0;
  }

  store.on("unread", paintUnread);
  store.on("view", paintUnread);
  store.on("visitors", paintOnline);
  store.on("visitor", paintOnline);
  store.on("visitor_left", paintOnline);
  paintUnread();
  paintOnline();
}
