// POST /api/uploads with real progress (XMLHttpRequest's upload events, which
// fetch does not have). Never rejects: a refusal resolves to the server's
// {ok: false, error, code}; a lost connection or a cancel to one of our own.

import { t } from "./i18n.js";

/** @returns {{done: Promise<object>, cancel: () => void}} */
export function sendFile(url, token, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve) => {
    const fail = () => resolve({ ok: false, error: t("Upload failed. Check your connection.") });
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", "Bearer " + token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText) || {});
      } catch (_) {
        fail(); // not JSON: a proxy's error page
      }
    };
    xhr.onerror = xhr.onabort = fail;
    const form = new FormData();
    form.append("file", file, file.name || "image");
    xhr.send(form);
  });
  return { done, cancel: () => xhr.abort() };
}
