// window.Porchlight(command, argument): the page's way to drive the widget.
// Calls made before the script loaded were queued by the embed snippet
// (window.Porchlight.q) and are replayed here, in order.

export function installCommands(widget, previous) {
  const queued = previous && Array.isArray(previous.q) ? previous.q : [];

  function Porchlight(command, arg) {
    switch (command) {
      case "open":
        return widget.open();
      case "close":
        return widget.close();
      case "toggle":
        return widget.toggle();
      case "identify":
        return widget.identify(arg);
      case "consent":
        return widget.consent(arg);
      default:
        console.warn("Porchlight: unknown command " + JSON.stringify(String(command)));
    }
  }
  Porchlight.loaded = true;
  window.Porchlight = Porchlight;

  for (const args of queued) {
    try {
      Porchlight.apply(null, Array.prototype.slice.call(args));
    } catch (err) {
      console.error(err);
    }
  }
}
