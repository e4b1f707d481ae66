// Business hours in the chat chunk: "Back Monday at 9:00" in the visitor's own time
// and language while the team is out, and a timer that asks the server again when
// the hours said they would change.

import { language, t } from "./i18n.js";

const DAY = 864e5;
const LONGEST_TIMER = 2 ** 31 - 1;

function local(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** "Back today at 9:00", "Back tomorrow at …", "Back Monday at …", "Back 2 January at …". */
export function backText(iso, now = new Date()) {
  const at = new Date(iso);
  if (isNaN(at)) return "";
  const lang = language();
  const time = at.getHours() + ":" + String(at.getMinutes()).padStart(2, "0"); // 9:00, 17:30
  const days = Math.round((local(at) - local(now)) / DAY);
  if (days <= 0) return t("Back today at {time}", { time });
  if (days == 1) return t("Back tomorrow at {time}", { time });
  const day = at.toLocaleDateString(lang, days < 7 ? { weekday: "long" } : { day: "numeric", month: "long" });
  return t("Back {day} at {time}", { day, time });
}

/** @param {() => Promise<object>} ask  the server's hours now ({hours}) */
export function createHours(ask, onChange) {
  let timer = 0;
  return {
    /** {open, next_change} from the server, or null when the site has no hours. */
    set(hours) {
      clearTimeout(timer);
      onChange(hours && !hours.open ? backText(hours.next_change) || t("Away right now") : "");
      const due = hours && Date.parse(hours.next_change);
      if (due) timer = setTimeout(async () => {
        const ack = await ask();
        if (ack.ok) this.set(ack.hours);
      }, Math.min(Math.max(due - Date.now(), 0) + 1000, LONGEST_TIMER));
    },
    stop: () => clearTimeout(timer),
  };
}
