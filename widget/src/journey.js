// The visitor's journey: page views on load and on single-page-app navigation, and
// how long each page is visible (a hidden tab does not count). Times go out with the
// next page view, over the socket when the tab is hidden, and by sendBeacon when the
// page goes away, so the last page's time is not lost.

import { pageInfo } from "./context.js";

/**
 * @param {object} o
 * @param {string} o.origin           the Porchlight server
 * @param {() => object|null} o.conn  the connection (request, connected)
 * @param {() => string|null} o.token the visitor token
 */
export function startJourney({ origin, conn, token }) {
  let url = location.href;
  let viewId = null;
  let shown = 0; // visible milliseconds before `since`
  let since = 0; // when the page last became visible (0: hidden)
  let timer = 0;
  let previous = "";
  let pending = 0;
  const now = () => Date.now();
  const seconds = () => Math.round((shown + (since && now() - since)) / 100) / 10;
  const restart = () => {
    shown = 0;
    since = document.hidden ? 0 : now();
  };

  function report(beacon) {
    const c = conn();
    if (!viewId) return;
    const body = { page_view_id: viewId, seconds: seconds() };
    if (!beacon && c && c.connected) c.request("page_time", body);
    else if (navigator.sendBeacon) {
      body.token = token();
      navigator.sendBeacon(origin + "/api/visitor/beacon", JSON.stringify(body));
    }
  }

  // Several changes in a row (a redirect, a router settling) make one page view, sent
  // once the page has had a moment to set its title.
  function changed() {
    if (location.href === url) return;
    if (!timer) {
      previous = url;
      pending = seconds();
      if (!(conn() && conn().connected)) report(true);
      restart();
    }
    url = location.href;
    clearTimeout(timer);
    timer = setTimeout(send, 150);
  }

  async function send() {
    timer = 0;
    const c = conn();
    const page = pageInfo();
    if (!page || !c || !c.connected) return; // the next connect sends the page
    viewId = null;
    const ack = await c.request("page_view", { ...page, referrer: previous, seconds: pending });
    if (ack.ok) viewId = ack.page_view_id;
  }

  ["pushState", "replaceState"].forEach((name) => {
    const original = history[name];
    history[name] = function () {
      const result = original.apply(this, arguments);
      changed();
      return result;
    };
  });
  addEventListener("popstate", changed);
  addEventListener("hashchange", changed);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) return void (since = now());
    shown += since && now() - since;
    since = 0;
    report();
  });
  addEventListener("pagehide", () => report(true));
  restart();

  return {
    /** A (re)connect made a page view for the current page. */
    session(id) {
      viewId = typeof id === "string" ? id : null;
      url = location.href;
      restart();
    },
  };
}
