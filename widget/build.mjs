// Bundles src/index.js into ../static/widget.js and reports its size.
//
//   node build.mjs            build, write, print sizes
//   node build.mjs --check    build in memory; fail if over budget or if the
//                             committed ../static/widget.js is out of date
//
// Exits non-zero when the gzipped bundle exceeds BUDGET bytes.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { minify } from "terser";

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTRY = resolve(HERE, "src/index.js");
const OUT = resolve(HERE, "../static/widget.js");
const BUDGET = 30 * 1024; // gzipped bytes, socket.io-client included
const CHECK = process.argv.includes("--check");

// engine.io-client lists WebTransport beside polling and WebSocket; the server speaks only
// those two, so the widget ships without the third (about 1 KB raw).
const pollingAndWebsocketOnly = {
  name: "polling-and-websocket-only",
  setup(build) {
    build.onResolve({ filter: /^\.\/transports\/index\.js$/ }, (args) =>
      args.importer.includes("engine.io-client")
        ? { path: "transports", namespace: "pl-transports", pluginData: resolve(args.resolveDir, "transports") }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "pl-transports" }, (args) => ({
      contents:
        'import { XHR } from "./polling-xhr.node.js"; import { WS } from "./websocket.node.js";' +
        " export const transports = { websocket: WS, polling: XHR };",
      resolveDir: args.pluginData,
    }));
  },
};

const OPTIONS = {
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2018",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "ascii",
  banner: { js: "/*! Porchlight chat widget. Includes socket.io-client, MIT License, (c) Guillermo Rauch and contributors. */" },
  treeShaking: true,
  write: false,
  logLevel: "warning",
  absWorkingDir: HERE,
  plugins: [pollingAndWebsocketOnly],
};

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

async function bundle(extra) {
  const result = await esbuild.build({ ...OPTIONS, ...extra });
  return result;
}

// The widget: esbuild bundles and minifies, then terser's extra compress passes take about
// 1 KB gzip more off (socket.io-client included), every byte of which loads on every page.
const main = await bundle({ entryPoints: [ENTRY], metafile: true });
const squeezed = await minify(main.outputFiles[0].text, {
  ecma: 2018,
  compress: { passes: 3 },
  mangle: { toplevel: true },
  format: { comments: /^!/, ascii_only: true },
});
const code = Buffer.from(squeezed.code);

// socket.io-client alone, bundled the same way, to show its share.
const lib = await bundle({
  stdin: { contents: 'import { io } from "socket.io-client"; window.__io = io;', resolveDir: HERE },
});
const libCode = lib.outputFiles[0].contents;

// Raw bytes per package in the widget bundle.
const byPackage = {};
for (const [path, info] of Object.entries(main.metafile.outputs[Object.keys(main.metafile.outputs)[0]].inputs)) {
  const m = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  const name = m ? m[1] : "widget (src)";
  byPackage[name] = (byPackage[name] || 0) + info.bytesInOutput;
}

const size = { raw: code.length, gzip: gz(code) };
const pad = (n) => String(n).padStart(7);
console.log("static/widget.js   raw " + pad(size.raw) + " B   gzip -9 " + pad(size.gzip) + " B   budget " + BUDGET + " B");
console.log("  socket.io-client raw " + pad(libCode.length) + " B   gzip -9 " + pad(gz(libCode)) + " B   (bundled on its own)");
for (const [name, bytes] of Object.entries(byPackage).sort((a, b) => b[1] - a[1])) {
  console.log("    " + name.padEnd(28) + pad(bytes) + " B raw");
}

let failed = false;
if (size.gzip > BUDGET) {
  console.error("FAIL: gzipped size " + size.gzip + " B is over the budget of " + BUDGET + " B");
  failed = true;
}

if (CHECK) {
  let committed = null;
  try {
    committed = readFileSync(OUT);
  } catch (_) {
    // missing
  }
  if (!committed || Buffer.compare(committed, Buffer.from(code)) !== 0) {
    console.error("FAIL: static/widget.js is not the output of this source; run `npm run build`");
    failed = true;
  }
} else {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, code);
  console.log("wrote " + OUT);
}

process.exit(failed ? 1 : 0);
