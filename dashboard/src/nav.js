// Views and the open conversation live in the URL hash (#/inbox/<id>,
// #/visitors), so Back, reload and links work. Also: the site switcher.
const ROUTE = /^#\/(inbox|visitors|analytics|reports|search|contacts)(?:\/([A-Za-z0-9_-]{1,64}))?$/;
const SITE_KEY = "porchlight:site";

export function createNav({ store, app }) {
  function parse() {
    const m = ROUTE.exec(location.hash);
    return m ? { view: m[1], openId: m[2] || null } : { view: "inbox", openId: null };
  }

  function apply() {
    store.navigate(parse());
  }

  function go(view, openId) {
    const hash = `#/${view}${openId ? `/${openId}` : ""}`;
    if (location.hash === hash) apply();
    else location.hash = hash;
  }

  function reflectView(view) {
    app.dataset.view = view;
    for (const link of document.querySelectorAll("[data-nav]")) {
      if (link.dataset.nav === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  function setupSiteSwitcher() {
    const select = document.getElementById("site-switcher");
    if (!select) return;
    const known = new Set(store.state.sites.map((s) => String(s.id)));
    let saved = "";
    try {
      saved = localStorage.getItem(SITE_KEY) || "";
    } catch {
      /* storage may be unavailable */
    }
    if (known.has(saved)) {
      select.value = saved;
      store.setSite(Number(saved));
    }
    select.addEventListener("change", () => {
      const value = select.value;
      try {
        localStorage.setItem(SITE_KEY, value);
      } catch {
        /* storage may be unavailable */
      }
      store.setSite(value ? Number(value) : null);
    });
  }

  store.on("view", reflectView);
  store.on("open", (id) => {
    app.dataset.open = id ? "true" : "false";
  });

  return {
    go,
    start() {
      setupSiteSwitcher();
      window.addEventListener("hashchange", apply);
      apply();
      reflectView(store.state.view);
      app.dataset.open = store.state.openId ? "true" : "false";
    },
  };
}
