// The owner's console (pages under /dashboard/settings): the server renders
// every page and its forms work without scripts; this adds the live widget
// preview, saving without a reload, copy buttons and the installation check.
import { setupCommon } from "./common.js";
import { setupInstall } from "./install.js";
import { keepPresence } from "./presence.js";
import { setupWidgetEditor } from "./widget_editor.js";

function main() {
  setupCommon();
  const root = document.getElementById("console");
  if (!root) return;
  if (root.dataset.agent === "signed-in") keepPresence();
  const page = root.dataset.page;
  if (page === "widget") setupWidgetEditor();
  if (page === "install") setupInstall(root, root.dataset.siteId);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
else main();
