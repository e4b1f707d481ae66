// What the widget tells the server about the page and the device at connect.
// Lengths stay within what the server accepts (it refuses, not truncates).

function cut(value, max) {
  return typeof value === "string" ? value.slice(0, max) : "";
}

/** {url, title, referrer} of the current page, or null on non-http(s) pages. */
export function pageInfo() {
  const url = location.href;
  if (!/^https?:/.test(url) || url.length > 2048) return null;
  const referrer = document.referrer || "";
  return {
    url,
    title: cut(document.title, 300),
    referrer: referrer.length <= 2048 ? referrer : "",
  };
}

/** The browser's preferred languages, most wanted first: the widget speaks the first it can. */
export function browserLanguages() {
  return (navigator.languages || [navigator.language]).slice(0, 10);
}

export function deviceInfo() {
  let timeZone = "";
  try {
    timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (_) {
    // very old engines
  }
  const s = window.screen || {};
  return {
    language: cut(navigator.language || "", 35),
    screen: s.width && s.height ? s.width + "x" + s.height : "",
    time_zone: cut(timeZone, 64),
    user_agent: cut(navigator.userAgent || "", 512),
    webdriver: navigator.webdriver, // true when a program drives the browser
  };
}
