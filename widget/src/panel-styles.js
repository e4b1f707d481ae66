// The chat panel's stylesheet, added to the shadow root beside the launcher's
// (styles.js) when the chat chunk loads.

export const PANEL_CSS = `
.panel{position:fixed;bottom:calc(92px + env(safe-area-inset-bottom,0px));right:calc(20px + env(safe-area-inset-right,0px));width:380px;max-width:calc(100vw - 40px);height:min(680px,calc(100vh - 116px));height:min(680px,calc(100dvh - 116px));display:flex;flex-direction:column;background:#fff;border-radius:18px;overflow:hidden;box-shadow:0 18px 60px rgba(15,23,42,.22),0 4px 14px rgba(15,23,42,.10);transform-origin:bottom right;opacity:0;transform:translateY(14px) scale(.97);transition:opacity .18s ease,transform .24s cubic-bezier(.2,.8,.2,1)}
.left .panel{right:auto;left:calc(20px + env(safe-area-inset-left,0px));transform-origin:bottom left}
.panel.in{opacity:1;transform:none}
.head{flex:none;display:flex;align-items:center;gap:12px;padding:16px 12px 16px 18px;background:linear-gradient(135deg,var(--accent),var(--accent2));color:var(--on)}
.logo{position:relative;flex:none;width:42px;height:42px;border-radius:50%;background:rgba(255,255,255,.22);display:flex;align-items:center;justify-content:center;font-size:18px;font-weight:700}
.logo::after{content:"";position:absolute;right:0;bottom:0;width:11px;height:11px;border-radius:50%;background:#9ca3af;box-shadow:0 0 0 2px var(--accent2)}
.online .logo::after{background:#22c55e}
.who{flex:1;min-width:0}
.title{font-size:16.5px;font-weight:650;line-height:1.25;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.status{font-size:13px;opacity:.88;margin-top:2px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.close{flex:none;width:38px;height:38px;border-radius:50%;background:transparent;color:inherit;transition:background .15s}
.close:hover{background:rgba(255,255,255,.18)}
.close svg{width:22px;height:22px}
.away{flex:none;padding:10px 18px;font-size:13px;line-height:1.4;color:#4b5563;background:#f8fafc;border-bottom:1px solid #eef0f3;white-space:pre-wrap;overflow-wrap:anywhere}
.conn{flex:none;display:flex;align-items:center;justify-content:center;gap:8px;padding:6px 12px;font-size:12.5px;font-weight:500;color:#92400e;background:#fef3c7}
.conn.offline{color:#374151;background:#e5e7eb}
.spin{flex:none;width:12px;height:12px;border-radius:50%;border:2px solid currentColor;border-right-color:transparent;animation:pl-spin .8s linear infinite}
.conn.offline .spin{display:none}
@keyframes pl-spin{to{transform:rotate(360deg)}}
.list{flex:1;min-height:0;overflow-y:auto;overscroll-behavior:contain;-webkit-overflow-scrolling:touch;padding:14px 14px 10px;background:#f6f7f9;outline:none}
.list:focus-visible{box-shadow:inset 0 0 0 2px var(--ink);outline:none}
.older{display:flex;align-items:center;justify-content:center;gap:8px;padding:2px 0 10px;font-size:12.5px;color:#6b7280}
.items{display:flex;flex-direction:column}
.row{display:flex;flex-wrap:wrap;align-items:flex-end;gap:0 8px;margin-top:3px}
.row.first{margin-top:14px}
.greet{margin-top:4px}
.greet .av{margin-bottom:0}
.row[data-day]::before{content:attr(data-day);flex:0 0 100%;text-align:center;font-size:11.5px;font-weight:600;letter-spacing:.02em;color:#8a93a3;margin:10px 0 12px}
.me{justify-content:flex-end}
.sys{justify-content:center}
.col{display:flex;flex-direction:column;min-width:0;max-width:78%}
.me .col{align-items:flex-end}
.them .col{align-items:flex-start}
.av{flex:none;width:28px;height:28px;margin-bottom:22px;border-radius:50%;background:var(--accent);color:var(--on);font-size:12px;font-weight:700;display:flex;align-items:center;justify-content:center;visibility:hidden}
.them.last .av{visibility:visible}
.name{font-size:12px;font-weight:600;color:#6b7280;margin:0 0 4px 4px}
.them:not(.first) .name{display:none}
.bubble{padding:9px 13px;border-radius:18px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;max-width:100%}
.me .bubble{background:var(--accent);color:var(--on);border-bottom-right-radius:6px}
.me:not(.first) .bubble{border-top-right-radius:6px}
.them .bubble{background:#fff;color:#1c2330;border-bottom-left-radius:6px;box-shadow:0 1px 2px rgba(15,23,42,.06),0 0 0 1px rgba(15,23,42,.06)}
.them:not(.first) .bubble{border-top-left-radius:6px}
.bubble a{color:inherit;text-decoration:underline;text-underline-offset:2px}
.them .bubble a{color:var(--ink)}
.bubble.deleted{font-style:italic;opacity:.65}
.quote{max-width:100%;margin:0 0 3px;padding:3px 9px;border-left:3px solid var(--accent);border-radius:8px;background:#eef0f4;color:#4b5563;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;cursor:pointer}
.acts{display:flex;gap:8px;height:0;overflow:hidden}
.row:hover .acts,.acts:focus-within{height:auto}
.acts button,.about button{border:0;background:none;padding:0 2px;font:inherit;font-size:11.5px;color:#6b7280;cursor:pointer}
.about{flex:0 0 100%;display:flex;gap:6px;font-size:12px;color:#4b5563;white-space:nowrap;overflow:hidden}
.about span{flex:1;overflow:hidden;text-overflow:ellipsis}
.pending .bubble{opacity:.72}
.failed .bubble{background:#fee2e2;color:#7f1d1d}
.note{max-width:85%;margin:6px 0;padding:5px 12px;border-radius:12px;background:#eceef2;color:#4b5563;font-size:12.5px;text-align:center;white-space:pre-wrap;overflow-wrap:anywhere}
.note a{color:inherit}
.done{display:flex;flex-direction:column;align-items:center;gap:8px;padding:12px 16px;border-top:1px solid #eceef2;color:#4b5563;font-size:13px;text-align:center}
.done[hidden]{display:none}
.done .new{all:unset;cursor:pointer;padding:7px 14px;border-radius:999px;background:var(--accent);color:var(--on);font-weight:600;font-size:13px}
.done .new:focus-visible{outline:2px solid var(--ink);outline-offset:2px}
.rate{display:grid;justify-items:center;gap:8px;width:100%}
.rate p{margin:0}
.rate p:first-child{font-weight:600;color:#1c2330}
.faces{display:flex;gap:8px}
.faces button{all:unset;display:flex;flex-direction:column;align-items:center;gap:2px;min-width:64px;padding:6px 8px;border-radius:12px;border:1px solid #e5e7eb;background:#fff;cursor:pointer;font-size:12px;color:#4b5563}
.faces svg{width:26px;height:26px}
.rate [hidden]{display:none}
.faces b{font-weight:500}
.faces [aria-pressed=true]{border-color:var(--accent);box-shadow:0 0 0 1px var(--accent);color:var(--ink)}
.faces button:focus-visible{outline:2px solid var(--ink);outline-offset:2px}
.more{display:grid;gap:8px;width:100%}
.more textarea{box-sizing:border-box;width:100%;padding:8px 10px;border:1px solid #d1d5db;border-radius:10px;font:inherit;font-size:16px;resize:none}
.more .new{justify-self:center}
.thanks{font-weight:600;color:#166534}
.atts{display:flex;flex-wrap:wrap;gap:6px;margin-top:4px}
.me .atts{justify-content:flex-end}
.att{display:block;line-height:0;border-radius:14px;overflow:hidden;background:#e9ecf1;box-shadow:0 0 0 1px rgba(15,23,42,.08)}
.att img{display:block;max-width:100%;height:auto}
.file{display:inline-block;padding:8px 12px;border-radius:12px;background:#fff;color:var(--ink);font-size:13.5px;box-shadow:0 0 0 1px rgba(15,23,42,.1)}
.meta{display:flex;align-items:center;gap:4px;margin:4px 4px 0;font-size:11.5px;color:#8a93a3}
.row:not(.last) .meta{display:none}
.row.pending .meta,.row.failed .meta{display:flex}
.tick{width:15px;height:15px}
.tick.read{color:var(--ink)}
.meta.err{color:#dc2626;white-space:normal}
.composer{flex:none;display:flex;flex-wrap:wrap;align-items:flex-end;gap:8px;padding:10px 10px 10px 16px;background:#fff;border-top:1px solid #eceef2}
.input{all:unset;display:block;flex:1;min-width:0;box-sizing:border-box;padding:8px 0;font-family:inherit;font-size:16px;line-height:22px;color:#1c2330;white-space:pre-wrap;overflow-wrap:anywhere;overflow-y:hidden;resize:none;cursor:text}
.input:focus-visible{outline:none}
.input::placeholder{color:#9aa3b2;opacity:1}
.send{flex:none;width:38px;height:38px;border-radius:50%;background:var(--accent);color:var(--on);transition:opacity .15s ease,transform .15s ease}
.send:disabled{opacity:.35;cursor:default}
.send:not(:disabled):active{transform:scale(.92)}
.send svg{width:18px;height:18px;margin:1px 0 0 -2px}
@media (max-width:479.98px){
  .panel,.left .panel{top:0;right:0;bottom:auto;left:0;width:100%;max-width:none;height:100vh;height:100dvh;border-radius:0;transform-origin:bottom center}
  .panel.vv{top:var(--pl-vt);height:var(--pl-vh)}
  .head{padding:calc(12px + env(safe-area-inset-top,0px)) calc(10px + env(safe-area-inset-right,0px)) 12px calc(16px + env(safe-area-inset-left,0px))}
  .list{padding-left:calc(12px + env(safe-area-inset-left,0px));padding-right:calc(12px + env(safe-area-inset-right,0px))}
  .composer{padding-bottom:calc(10px + env(safe-area-inset-bottom,0px))}
  .col{max-width:82%}
}
@media (prefers-reduced-motion:reduce){
  .panel,.send{transition:none}
}
.clip{flex:none;width:38px;height:38px;margin-left:-8px;border-radius:50%;background:none;color:#6b7280}
.clip svg{width:20px;height:20px}
.tray{flex:none;display:flex;flex-wrap:wrap;gap:8px;padding:10px 12px 0;max-height:40%;overflow-y:auto;background:#fff;border-top:1px solid #eceef2}
.tray+.composer{border-top:0}
.ti{position:relative;width:64px;height:64px;border-radius:12px;overflow:hidden;background:#e9ecf1}
.ti img{width:100%;height:100%;object-fit:cover}
.ti b{display:block;padding:6px;font-size:11px;word-break:break-all}
.bar{position:absolute;left:7px;right:7px;bottom:7px;height:5px;border-radius:3px;background:#fffc}
.bar i{display:block;height:100%;border-radius:3px;background:var(--accent)}
.x{position:absolute;top:4px;right:4px;width:22px;height:22px;border-radius:50%;background:#0f172ab3;color:#fff}
.x svg{width:13px;height:13px}
.err{width:auto;height:auto;flex-basis:100%;display:flex;align-items:center;gap:8px;padding:8px 8px 8px 12px;background:#fef2f2;color:#991b1b;font-size:13px}
.err span{flex:1}
.err .x{position:static}
.drop::after{content:attr(data-drop);position:absolute;inset:0;display:flex;align-items:center;justify-content:center;background:#fffe;border:2px dashed var(--accent);border-radius:inherit;font-weight:600;pointer-events:none}
.lb{position:fixed;inset:0;display:flex;align-items:center;justify-content:center;padding:60px 12px;background:#0a0c10e6}
.lb img{max-width:100%;max-height:100%;border-radius:6px}
.lb .x{top:12px;right:12px;width:44px;height:44px}
.lb .x svg{width:24px;height:24px}
.logo img,.av img{width:100%;height:100%;border-radius:50%;object-fit:cover}
.pre{display:grid;gap:10px;padding:14px 16px;border-top:1px solid #eceef2}
.pre p{margin:0}
.pre label{display:grid;gap:4px;font-size:13px;font-weight:600}
.pre input{all:unset;box-sizing:border-box;padding:9px 12px;border:1px solid #d1d5db;border-radius:10px}
.pre button{height:40px;border-radius:10px;background:var(--accent);color:var(--on)}
.status:not([hidden])+.status{display:none}
.tx{all:unset;flex:none;cursor:pointer;padding:4px;font-size:12px;color:#5f6776;text-align:center;text-decoration:underline}
.tx[hidden]{display:none}
.tx:focus-visible{outline:2px solid var(--ink)}
.notice{flex:none;padding:4px;font-size:12px;color:#5f6776;background:#f6f7f9;text-align:center}
`;
