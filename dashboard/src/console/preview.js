// The live preview: the real widget launcher and view (widget/src/launcher.js, view.js: the same code and
// stylesheet visitors get) rendered into a box on the settings page, with no
// connection to the server. The box is transformed, so the widget's fixed
// positions are relative to it instead of to the console window.
import { widgetSettings } from "../../../widget/src/config.js";
import { setStrings } from "../../../widget/src/i18n.js";
import { createLauncher } from "../../../widget/src/launcher.js";
import { createView } from "../../../widget/src/view.js";

// In the preview the panel fits the box instead of the window.
const FIT = ".panel{height:calc(100% - 112px)}";

function sample(siteName) {
  const now = Date.now();
  const at = (minutesAgo) => new Date(now - minutesAgo * 60_000).toISOString();
  return [
    {
      id: "01PREVIEW0000000000000001",
      author: { kind: "visitor", id: "v", name: "Visitor" },
      text: "Hi! Do you ship to Canada?",
      client_id: "p-1",
      status: "read",
      created_at: at(3),
    },
    {
      id: "01PREVIEW0000000000000002",
      author: { kind: "agent", id: "a", name: `Dana from ${siteName}` },
      text: "We do: 3–5 business days, tracked. Anything else I can help with?",
      client_id: "p-2",
      status: "sent",
      created_at: at(2),
    },
  ];
}

function fit(root) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(FIT);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = FIT;
    root.append(style);
  }
}

// "The visitor's browser": the preview speaks the console's browser language, as a visitor's would.
function spoken(language, strings) {
  if (language !== "auto") return language;
  const primary = (navigator.languages || []).map((tag) => tag.split("-")[0].toLowerCase());
  return primary.find((code) => code === "en" || strings[code]) || "en";
}

export function createPreview(stage, { siteName, strings }) {
  let view = null;
  let current = null;
  let online = true;

  // The widget writes its words when it is built, so a new language builds it again.
  function build(language) {
    if (view) view.destroy();
    setStrings(strings[language] || null, language);
    view = createView({
      origin: location.origin,
      launcher: createLauncher({ onToggle: () => view.setOpen(!view.isOpen()) }),
      onClose: () => view.setOpen(false),
      onSend: (text) => {
        view.list.upsert({
          id: `01PREVIEW${String(Date.now()).padStart(17, "0")}`,
          author: { kind: "visitor", id: "v", name: "Visitor" },
          text,
          client_id: `p-${Date.now()}`,
          status: "sent",
          created_at: new Date().toISOString(),
        });
      },
      onNearTop: () => {},
      onPrechat: () => view.setPrechat("off", "off"),
    });
    stage.append(view.host);
    fit(view.host.shadowRoot);
    view.setConnection("connected");
    view.setAgentsOnline(online);
    view.list.merge(sample(siteName), false);
    current = null;
  }

  return {
    /** Show these (unsaved) settings. */
    apply(raw) {
      const language = spoken(raw.language, strings);
      const settings = widgetSettings({ ...raw, language, strings: strings[language] || null }, siteName);
      const wasOpen = view ? view.isOpen() : true;
      if (!view || !current || current.language !== settings.language) {
        build(settings.language);
        view.setSettings(settings);
        if (wasOpen) this.open();
      } else {
        view.setSettings(settings);
      }
      if (!current || current.prechat_name !== settings.prechat_name || current.prechat_email !== settings.prechat_email) {
        view.setPrechat(settings.prechat_name, settings.prechat_email);
      }
      current = settings;
      return settings;
    },
    /** Show the team online or away (the away message). */
    setOnline(on) {
      online = on;
      view.setAgentsOnline(on);
    },
    open() {
      view.setOpen(true);
      // Opening focuses the widget's composer; keep the focus on the settings form.
      const active = view.host.shadowRoot.activeElement;
      if (active) active.blur();
    },
  };
}
