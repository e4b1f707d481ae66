// The REST calls of search and contacts (docs/protocol.md): each resolves to the JSON
// body ({ok: true, ...} or {ok: false, error}).

async function getJson(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
  }
  try {
    const res = await fetch(`${path}?${query}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
    return await res.json();
  } catch {
    return { ok: false, error: "Couldn’t reach the server." };
  }
}

export const search = ({ q, siteId, order, offset, limit }) =>
  getJson("/api/v1/search", { q, site_id: siteId, order, offset, limit });

export const contacts = ({ q, siteId, offset, limit }) => getJson("/api/v1/contacts", { q, site_id: siteId, offset, limit });

export const profile = (siteId, visitorId) => getJson(`/api/v1/sites/${siteId}/visitors/${encodeURIComponent(visitorId)}`);
