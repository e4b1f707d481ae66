// "Before we start": name and/or e-mail asked before the first message, when the
// site wants them. The browser's own validation checks required fields and the
// e-mail's syntax; a valid submit hands the answers to onDone.

import { h } from "./dom.js";
import { t } from "./i18n.js";

export function createPrechat(onDone) {
  const name = h("input", { name: "name", autocomplete: "name", maxlength: 120 });
  const email = h("input", { name: "email", type: "email", autocomplete: "email", maxlength: 320 });
  const rows = [h("label", null, t("Name"), name), h("label", null, t("E-mail"), email)];
  const el = h("form", { class: "pre", hidden: true }, h("p", null, t("Before we start, how can we reach you?")), rows, h("button", null, t("Start chat")));
  el.onsubmit = (ev) => {
    ev.preventDefault();
    onDone({ name: name.value.trim(), email: email.value.trim() });
  };
  return {
    el,
    /** Ask what the settings say ("off" | "optional" | "required" each); false when nothing. */
    show(...modes) {
      modes.forEach((mode, i) => {
        rows[i].hidden = mode == "off";
        rows[i].lastChild.required = mode == "required";
      });
      return !(el.hidden = rows[0].hidden && rows[1].hidden);
    },
    hide() {
      el.hidden = true;
    },
  };
}
