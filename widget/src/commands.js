// window.Porchlight(command, argument): the page's way to drive the widget.
// Calls made before the script loaded were queued by the embed snippet
// (window.Porchlight.q) and are replayed here, in order.

export function installCommands(widget, previous) {
  const queued = previous && Array.isArray(previous.q) ? previous.q : [];

  function Porchlight(command, arg, fn) {
    switch (command) {
      case "on":
        return widget.on(arg, fn);
      case "off":
        return widget.off(arg, fn);
      case "unread":
        return widget.unread();
      case "hide":
        return widget.hide();
      case "show":
        return widget.show();
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
