// HTTP calls to the Porchlight server (the script's own origin).

import { browserLanguages } from "./context.js";

/**
 * GET /api/widget/config. Resolves to the JSON body (`{ok, site, widget,
 * agents_online}` or `{ok: false, error, code}`; the widget's words in the browser's
 * language, or the site's), or null when the server
 * could not be reached or did not answer JSON.
 */
export async function fetchConfig(origin, siteKey) {
  const url = origin + "/api/widget/config?site_key=" + encodeURIComponent(siteKey) + "&languages=" + encodeURIComponent(browserLanguages());
  try {
    const res = await fetch(url, { credentials: "omit", mode: "cors" });
    const body = await res.json();
    return body && typeof body === "object" ? body : null;
  } catch (_) {
    return null;
  }
}
