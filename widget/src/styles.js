// The launcher's stylesheet and the rules every part shares. It lives inside the
// shadow root only: nothing here can reach the host page, and `all: initial` on the
// root stops the page's inherited styles (fonts, colours, line heights) from leaking in.
// The chat panel's rules (panel-styles.js) arrive with the chat chunk.

export const CSS = `
:host{all:initial;display:block;position:fixed;top:0;left:0;width:0;height:0;z-index:2147483000}
.pl{all:initial;display:block;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif,"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji";font-size:15px;line-height:1.45;color:#1c2330;-webkit-font-smoothing:antialiased;-webkit-text-size-adjust:100%;text-size-adjust:100%;-webkit-tap-highlight-color:transparent}
.pl *,.pl *::before,.pl *::after{box-sizing:border-box}
.pl svg{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.pl button{font:inherit;margin:0;border:0;padding:0;cursor:pointer;display:flex;align-items:center;justify-content:center;-webkit-appearance:none;appearance:none}
.pl :focus-visible{outline:2px solid var(--ink);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.launcher{position:fixed;bottom:calc(20px + env(safe-area-inset-bottom,0px));right:calc(20px + env(safe-area-inset-right,0px));width:60px;height:60px;border-radius:50%;background:var(--accent);color:var(--on);box-shadow:0 6px 20px rgba(15,23,42,.22),0 2px 6px rgba(15,23,42,.12);transition:transform .2s ease,box-shadow .2s ease}
.left .launcher{right:auto;left:calc(20px + env(safe-area-inset-left,0px))}
.launcher:hover{transform:scale(1.06);box-shadow:0 10px 28px rgba(15,23,42,.26),0 2px 6px rgba(15,23,42,.12)}
.launcher:active{transform:scale(.96)}
.launcher svg{position:absolute;width:28px;height:28px;transition:transform .25s ease,opacity .2s ease}
.launcher .i-chat{fill:currentColor;stroke:none;width:30px;height:30px}
.launcher .i-down{opacity:0;transform:rotate(-90deg) scale(.6);stroke-width:2.4}
.open .launcher .i-chat{opacity:0;transform:rotate(90deg) scale(.6)}
.open .launcher .i-down{opacity:1;transform:none}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#ef4444;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center;box-shadow:0 0 0 2px #fff}
.left .badge{right:auto;left:-4px}
@media (max-width:479.98px){
  .launcher{width:56px;height:56px;bottom:calc(16px + env(safe-area-inset-bottom,0px));right:calc(16px + env(safe-area-inset-right,0px))}
  .left .launcher{left:calc(16px + env(safe-area-inset-left,0px))}
  .open .launcher{display:none}
}
@media (prefers-reduced-motion:reduce){
  .launcher,.launcher svg{transition:none}
}
.pl [hidden]{display:none}
.lt{display:none;font-weight:650}
.launcher.wide{width:auto;padding:0 22px 0 56px;border-radius:30px}
.wide .lt{display:block}
.wide svg{left:15px}
.open .launcher.wide{width:60px;padding:0}
.open .lt{display:none}
.open .wide svg{left:auto}
.launcher .i-help{fill:none;stroke:currentColor}
`;
