// Bundles the widget into two files and reports their sizes:
//   ../static/widget.js       src/index.js: launcher, connection (socket.io-client), identity
//   ../static/widget-chat.js  src/chat-entry.js: the chat panel, loaded on first open
//                             or when a message arrives (src/chunk-loader.js)
//
//   node build.mjs            build, write, print sizes
//   node build.mjs --check    build in memory; fail if over budget or if the
//                             committed files are out of date
//
// Exits non-zero when either gzipped file exceeds its budget, or when a module of
// src/ ends up in both files outside the shared list (it would hold two states).

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { minify } from "terser";

const HERE = dirname(fileURLToPath(import.meta.url));
const SRC = resolve(HERE, "src");
const CHECK = process.argv.includes("--check");
const CHUNKS = {
  // gzipped bytes; the first file loads on every page, socket.io-client included
  main: { entry: resolve(SRC, "index.js"), out: resolve(HERE, "../static/widget.js"), budget: 21 * 1024 },
  chat: { entry: resolve(SRC, "chat-entry.js"), out: resolve(HERE, "../static/widget-chat.js"), budget: 18 * 1024 },
};
// Modules the chat chunk takes from the first one at run time (chunk-loader.js lists
// the same): their state must be one. Modules allowed in both files: constants only.
const SHARED = ["dom.js", "i18n.js"];
const MAY_REPEAT = ["icons.js"];

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

// In the chat chunk, `import { t } from "./i18n.js"` reads the first chunk's module
// (handed over by chunk.js) instead of bundling a second copy.
const sharedFromFirstChunk = {
  name: "shared-from-first-chunk",
  setup(build) {
    const names = new RegExp("^\\./(" + SHARED.map((n) => n.replace(".", "\\.")).join("|") + ")$");
    build.onResolve({ filter: names }, (args) =>
      args.importer.startsWith(SRC) ? { path: args.path.slice(2), namespace: "pl-shared" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "pl-shared" }, (args) => {
      const source = readFileSync(resolve(SRC, args.path), "utf8");
      const exported = [...source.matchAll(/^export (?:async )?(?:function|const|let|class) (\w+)/gm)].map((m) => m[1]);
      const key = args.path.replace(/\.js$/, "");
      return {
        contents: "import { shared } from './chunk.js'; export const { " + exported.join(", ") + " } = shared." + key + ";",
        resolveDir: SRC,
      };
    });
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

// Each file: esbuild bundles and minifies, then terser's extra compress passes take about
// 1 KB gzip more off (socket.io-client included), every byte of which loads on every page.
async function squeezed(entry, extra) {
  const built = await bundle({ entryPoints: [entry], metafile: true, ...extra });
  const out = await minify(built.outputFiles[0].text, {
    ecma: 2018,
    compress: { passes: 3 },
    mangle: { toplevel: true },
    format: { comments: /^!/, ascii_only: true },
  });
  const inputs = built.metafile.outputs[Object.keys(built.metafile.outputs)[0]].inputs;
  return { code: Buffer.from(out.code), inputs };
}

// The chat chunk first: its hash is the version in the URL the first file loads it from.
const chat = await squeezed(CHUNKS.chat.entry, { plugins: [pollingAndWebsocketOnly, sharedFromFirstChunk] });
const version = createHash("sha256").update(chat.code).digest("hex").slice(0, 12);
const main = await squeezed(CHUNKS.main.entry, { define: { __CHAT_VERSION__: JSON.stringify(version) } });
const built = { main, chat };

// socket.io-client alone, bundled the same way, to show its share.
const lib = await bundle({
  stdin: { contents: 'import { io } from "socket.io-client"; window.__io = io;', resolveDir: HERE },
});
const libCode = lib.outputFiles[0].contents;

const pad = (n) => String(n).padStart(7);
let failed = false;
for (const [name, { out, budget }] of Object.entries(CHUNKS)) {
  const { code, inputs } = built[name];
  const size = gz(code);
  console.log(("static/" + out.split("/").pop()).padEnd(23) + " raw " + pad(code.length) + " B   gzip -9 " + pad(size) + " B   budget " + budget + " B");
  // Raw bytes per package.
  const byPackage = {};
  for (const [path, info] of Object.entries(inputs)) {
    const m = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const pkg = m ? m[1] : "widget (src)";
    byPackage[pkg] = (byPackage[pkg] || 0) + info.bytesInOutput;
  }
  for (const [pkg, bytes] of Object.entries(byPackage).sort((a, b) => b[1] - a[1])) {
    console.log("    " + pkg.padEnd(28) + pad(bytes) + " B raw");
  }
  if (size > budget) {
    console.error("FAIL: static/" + out.split("/").pop() + " is " + size + " B gzipped, over its budget of " + budget + " B");
    failed = true;
  }
}
console.log("  socket.io-client raw " + pad(libCode.length) + " B   gzip -9 " + pad(gz(libCode)) + " B   (bundled on its own)");
console.log("  chat chunk version " + version);

const srcOf = (inputs) => Object.keys(inputs).filter((p) => p.startsWith("src/")).map((p) => p.slice(4));
const inMain = new Set(srcOf(main.inputs));
for (const file of srcOf(chat.inputs)) {
  if (inMain.has(file) && !MAY_REPEAT.includes(file)) {
    console.error("FAIL: src/" + file + " is bundled into both files; share it (SHARED) or keep it in one");
    failed = true;
  }
}

for (const [name, { out }] of Object.entries(CHUNKS)) {
  const code = built[name].code;
  if (CHECK) {
    let committed = null;
    try {
      committed = readFileSync(out);
    } catch (_) {
      // missing
    }
    if (!committed || Buffer.compare(committed, code) !== 0) {
      console.error("FAIL: static/" + out.split("/").pop() + " is not the output of this source; run `npm run build`");
      failed = true;
    }
  } else {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, code);
    console.log("wrote " + out);
  }
}

process.exit(failed ? 1 : 0);
