// POST /api/uploads?site_id=… with real progress (XMLHttpRequest's upload
// events; fetch has none). The dashboard's session cookie authenticates.
// Never rejects: a refusal resolves to the server's {ok: false, error, code},
// a lost connection or a cancel to one of our own.

/** @returns {{done: Promise<object>, cancel: () => void}} */
export function sendFile(siteId, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve) => {
    const fail = (error, code) => resolve({ ok: false, error, code });
    xhr.open("POST", `/api/uploads?site_id=${encodeURIComponent(siteId)}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText) || {});
      } catch {
        fail(`The upload failed (HTTP ${xhr.status}).`, "error");
      }
    };
    xhr.onerror = () => fail("The upload failed. Check your connection and try again.", "network");
    xhr.onabort = () => fail("Upload cancelled.", "cancelled");
    const form = new FormData();
    form.append("file", file, file.name || "image");
    xhr.send(form);
  });
  return { done, cancel: () => xhr.abort() };
}
