// Images an agent is about to send: the paperclip button, paste and drag &
// drop onto the conversation add files; each one uploads at once with a
// progress bar and can be cancelled or removed; a refused file shows the
// server's reason. Each conversation keeps its own tray, like its draft.
// The composer asks `canSend(text)` and `take()`s the uploaded attachments.
import { h, icon } from "./dom.js";
import { describe, formatBytes } from "./attachments.js";
import { sendFile } from "./upload.js";

const MAX_FILES = 10;
const ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain,.txt";

function maxBytes() {
  try {
    const boot = JSON.parse(document.getElementById("porchlight-bootstrap").textContent);
    return (boot.uploads && boot.uploads.max_bytes) || 10 * 1024 * 1024;
  } catch {
    return 10 * 1024 * 1024;
  }
}

/**
 * @param {object} o
 * @param {() => string|null} o.conversationId   the open conversation
 * @param {() => number|null} o.siteId           its site (uploads are stored per site)
 */
export function createAttach({ conversationId, siteId }) {
  const trays = new Map(); // conversation id → items
  const max = maxBytes();
  let changed = () => {};

  const picker = h("input", { type: "file", accept: ACCEPT, multiple: true, hidden: true, tabindex: "-1" });
  const button = h(
    "button",
    { class: "composer-attach", type: "button", "aria-label": "Attach images", title: "Attach images (or paste, or drop them here)", onclick: () => picker.click() },
    icon("paperclip", 18),
  );
  const tray = h("ul", { class: "att-tray", "aria-label": "Images to send", hidden: true });
  picker.addEventListener("change", () => {
    add(picker.files);
    picker.value = "";
  });

  const items = () => {
    const id = conversationId();
    if (!id) return [];
    if (!trays.has(id)) trays.set(id, []);
    return trays.get(id);
  };
  const busy = (list) => list.some((it) => it.state === "uploading");

  function add(files) {
    const id = conversationId();
    const site = siteId();
    if (!id || site == null) return;
    const list = items();
    for (const file of Array.from(files || []).slice(0, Math.max(0, MAX_FILES - list.length))) {
      const it = { name: file.name || "pasted image", state: "uploading", progress: 0, url: URL.createObjectURL(file), image: /^image\//.test(file.type) };
      list.push(it);
      if (file.size > max) {
        fail(it, `This image is ${formatBytes(file.size)}; the limit is ${formatBytes(max)}.`);
        continue;
      }
      const upload = sendFile(site, file, (fraction) => {
        it.progress = fraction;
        paintProgress(it);
      });
      it.cancel = upload.cancel;
      upload.done.then((ack) => {
        it.cancel = null;
        if (ack.ok && ack.attachment) {
          it.state = "done";
          it.attachment = ack.attachment;
        } else if (ack.code !== "cancelled") fail(it, ack.error || "The upload failed.");
        if (list.includes(it)) paint();
      });
    }
    paint();
  }

  function fail(it, reason) {
    it.state = "failed";
    it.error = reason;
  }

  function remove(it) {
    const list = items();
    if (it.cancel) it.cancel();
    URL.revokeObjectURL(it.url);
    list.splice(list.indexOf(it), 1);
    paint();
    button.focus();
  }

  function paintProgress(it) {
    if (!it.bar) return;
    const percent = Math.round(it.progress * 100);
    it.bar.firstChild.style.width = `${percent}%`;
    it.bar.setAttribute("aria-valuenow", String(percent));
  }

  function tile(it) {
    const label = it.state === "uploading" ? `Cancel uploading ${it.name}` : `Remove ${it.name}`;
    const x = h("button", { class: "att-x", type: "button", "aria-label": label, title: label, onclick: () => remove(it) }, icon("x", 12));
    if (it.state === "failed") {
      return h(
        "li",
        { class: "att-tile att-tile--failed" },
        h("div", { class: "att-error", role: "alert" }, icon("alert", 14), h("span", {}, h("strong", {}, it.name), " — ", it.error)),
        x,
      );
    }
    it.bar = null;
    const children = [it.image ? h("img", { src: it.url, alt: it.name }) : h("span", { class: "att-tile-name" }, icon("paperclip", 14), it.name)];
    if (it.state === "uploading") {
      it.bar = h(
        "div",
        { class: "att-progress", role: "progressbar", "aria-label": `Uploading ${it.name}`, "aria-valuemin": "0", "aria-valuemax": "100" },
        h("span"),
      );
      children.push(it.bar);
    } else children.push(h("span", { class: "att-meta" }, describe(it.attachment)));
    const node = h("li", { class: `att-tile att-tile--${it.state}`, title: it.name }, children, x);
    paintProgress(it);
    return node;
  }

  function paint() {
    const list = items();
    tray.hidden = !list.length;
    tray.replaceChildren(...list.map(tile));
    changed();
  }

  return {
    els: [picker, button],
    tray,
    canSend: (text) => !busy(items()) && Boolean(text.trim() || items().some((it) => it.state === "done")),
    /** The uploaded attachments of the open conversation; its tray empties. */
    take() {
      const list = items();
      const done = list.filter((it) => it.state === "done").map((it) => it.attachment);
      for (const it of list) URL.revokeObjectURL(it.url);
      list.length = 0;
      paint();
      return done;
    },
    /** Show the tray of the conversation that is open now. */
    refresh: paint,
    /** The composer's textarea (paste) and its "something changed" hook. */
    hook(textarea, onChange) {
      changed = onChange;
      textarea.addEventListener("paste", (event) => {
        const files = event.clipboardData && event.clipboardData.files;
        if (files && files.length) {
          event.preventDefault();
          add(files);
        }
      });
    },
    /** Files dropped anywhere on `zone` (the conversation pane) are attached. */
    dropOn(zone, name) {
      let depth = 0;
      const hasFiles = (event) => event.dataTransfer && Array.from(event.dataTransfer.types || []).includes("Files");
      const set = () => {
        zone.classList.toggle("is-dropping", depth > 0);
        zone.dataset.dropLabel = `Drop images to send to ${name()}`;
      };
      zone.addEventListener("dragenter", (event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        depth++;
        set();
      });
      zone.addEventListener("dragover", (event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      });
      zone.addEventListener("dragleave", (event) => {
        if (!hasFiles(event)) return;
        depth = Math.max(0, depth - 1);
        set();
      });
      zone.addEventListener("drop", (event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        depth = 0;
        set();
        add(event.dataTransfer.files);
      });
    },
  };
}
