// Entry point. Configured by its own <script> tag:
//   <script async src="https://chat.example.com/widget.js" data-site="SITE_KEY"></script>
// Loading the script a second time does nothing.

import { startWidget } from "./core.js";
import { installCommands } from "./commands.js";
import { findTag, readTag } from "./config.js";
import { HOST_ID } from "./launcher.js";

function main() {
  const previous = window.Porchlight;
  if ((previous && previous.loaded) || document.getElementById(HOST_ID)) return;
  const where = readTag(findTag());
  if (!where) {
    console.warn("Porchlight: the widget's <script> tag needs a data-site attribute");
    return;
  }
  installCommands(startWidget(where), previous);
}

main();
