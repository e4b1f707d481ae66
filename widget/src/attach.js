// Images the visitor is about to send: the paperclip button, paste and drag &
// drop add files; each uploads at once (progress bar, cancel) and shows as a
// preview above the composer; a refused file says why. The composer asks
// `canSend` and `take`s the uploaded attachments when the message goes.
// Its styles are in styles.js (.clip, .tray, .ti, .bar, .x, .err, .drop, .lb).

import { h, icon } from "./dom.js";
import { explain, t } from "./i18n.js";
import { CLOSE } from "./icons.js";
import { openImagesIn } from "./lightbox.js";
import { sendFile } from "./upload.js";

const CLIP = "M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l8.6-8.6a4 4 0 0 1 5.7 5.7l-8.6 8.6a2 2 0 0 1-2.8-2.8l8.5-8.5";

/**
 * @param {object} o
 * @param {string} o.origin          the Porchlight server
 * @param {() => string} o.token     the visitor token
 */
export function createAttach({ origin, token }) {
  let items = [];
  let changed = () => {};
  const picker = h("input", { type: "file", accept: "image/*,application/pdf,.txt", multiple: true, hidden: true });
  const button = h("button", { class: "clip", type: "button", "aria-label": t("Attach a file"), onclick: () => picker.click() }, icon(CLIP));
  const tray = h("div", { class: "tray", role: "list", "aria-label": t("Files to send"), hidden: true });
  picker.onchange = () => {
    add(picker.files);
    picker.value = "";
  };

  const api = {
    max: 10485760, // bytes; the widget config brings the server's limit
    els: [picker, button],
    canSend: (text) => !items.some((i) => !i.att && !i.err) && !!(text.trim() || items.some((i) => i.att)),
    /** The uploaded attachments, for the message being sent; empties the tray. */
    take() {
      const done = items.filter((i) => i.att).map((i) => i.att);
      items.forEach(forget);
      items = [];
      paint();
      return done;
    },
    /** The composer's textarea (paste) and its "something changed" hook. */
    hook(input, onChange) {
      changed = onChange;
      input.addEventListener("paste", (e) => {
        const files = e.clipboardData && e.clipboardData.files;
        if (files && files.length) {
          e.preventDefault();
          add(files);
        }
      });
    },
    /** Put the tray above the composer, take drops on the panel, open images big. */
    mount(panel, composer, list, layer) {
      panel.insertBefore(tray, composer);
      panel.setAttribute("data-drop", t("Drop files here"));
      openImagesIn(list, layer);
      let depth = 0;
      const on = (name, fn) =>
        panel.addEventListener(name, (e) => {
          if ([].indexOf.call(e.dataTransfer.types, "Files") < 0) return;
          e.preventDefault();
          fn(e);
          panel.classList.toggle("drop", depth > 0);
        });
      on("dragenter", () => depth++);
      on("dragover", () => {});
      on("dragleave", () => depth--);
      on("drop", (e) => {
        depth = 0;
        add(e.dataTransfer.files);
      });
    },
  };

  // Why the server refused a file, in the widget's language (server/services/uploads.py).
  function refusal(code) {
    if (code == "too_large") return tooLarge();
    if (code == "unsupported_type") return t("This type of file cannot be sent.");
    if (code == "dimensions") return t("This image is too big to send.");
    if (code == "malware" || code == "polyglot") return t("This file was refused for safety.");
    return t("Upload failed.");
  }

  function tooLarge() {
    return t("Too large: at most {n} MB.", { n: Math.round(api.max / 1048576) });
  }

  function add(files) {
    for (const file of [].slice.call(files, 0, 10 - items.length)) {
      const it = { name: file.name || "image", p: 0 };
      items.push(it);
      // The type is the server's to judge, from the bytes; the size is checked here so
      // that a huge file is not sent only to be refused.
      if (file.size > api.max) it.err = tooLarge();
      else start(it, file);
    }
    paint();
  }

  function start(it, file) {
    it.url = URL.createObjectURL(file);
    it.img = /^image\//.test(file.type);
    const up = sendFile(origin + "/api/uploads", token(), file, (p) => {
      it.p = p;
      if (it.bar) {
        it.bar.firstChild.style.width = p * 100 + "%";
        it.bar.setAttribute("aria-valuenow", Math.round(p * 100));
      }
    });
    it.cancel = up.cancel;
    up.done.then((ack) => {
      it.cancel = null;
      if (ack.ok && ack.attachment) it.att = ack.attachment;
      else it.err = explain(ack.error, refusal(ack.code));
      if (items.indexOf(it) >= 0) paint();
    });
  }

  function forget(it) {
    if (it.cancel) it.cancel();
    if (it.url) URL.revokeObjectURL(it.url);
  }

  function paint() {
    tray.hidden = !items.length;
    tray.replaceChildren(
      ...items.map((it) => {
        const remove = () => {
          forget(it);
          items = items.filter((i) => i != it);
          paint();
          button.focus();
        };
        const x = h("button", { class: "x", type: "button", "aria-label": t(it.att || it.err ? "Remove {name}" : "Cancel upload {name}", { name: it.name }), onclick: remove }, icon(CLOSE));
        if (it.err) return h("div", { class: "ti err", role: "listitem" }, h("span", { role: "alert" }, it.name + ": " + it.err), x);
        const fill = h("i");
        fill.style.width = it.p * 100 + "%"; // CSSOM, which a page's CSP does not block
        it.bar = it.att ? null : h("div", { class: "bar", role: "progressbar", "aria-label": t("Uploading {name}", { name: it.name }), "aria-valuenow": Math.round(it.p * 100) }, fill);
        return h("div", { class: "ti", role: "listitem" }, it.img ? h("img", { src: it.url, alt: it.name }) : h("b", {}, it.name), it.bar, x);
      }),
    );
    changed();
  }

  return api;
}
