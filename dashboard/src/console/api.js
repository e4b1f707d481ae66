// JSON calls to /api/v1/sites/... with the session cookie and the page's CSRF token.
// Every call resolves to the server's {ok, ...} answer; a network failure becomes
// {ok: false, code: "network"}.

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export async function call(method, url, body) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    const res = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => null);
    if (data && typeof data === "object") return data;
    return { ok: false, code: "error", error: `The server answered ${res.status}.` };
  } catch {
    return { ok: false, code: "network", error: "No answer from the server. Check your connection." };
  }
}
