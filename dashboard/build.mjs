// Bundles src/main.js into ../static/dashboard.js (IIFE, minified).
// The output depends only on the sources and the pinned esbuild version.
//   node build.mjs          build once and print the sizes
//   node build.mjs --watch  rebuild on change
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = resolve(here, "../static/dashboard.js");
// The owner's console pages get their own bundle; it includes the widget's view
// module (../widget/src) for the live preview.
const consoleOutfile = resolve(here, "../static/console.js");

const options = {
  absWorkingDir: here,
  entryPoints: ["src/main.js"],
  outfile,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020", "chrome90", "firefox88", "safari15"],
  minify: true,
  charset: "utf8",
  legalComments: "eof",
  sourcemap: false,
  logLevel: "warning",
};
const consoleOptions = { ...options, entryPoints: ["src/console/main.js"], outfile: consoleOutfile };

function report(file = outfile) {
  const code = readFileSync(file);
  const gz = gzipSync(code, { level: 9 });
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`${relative(process.cwd(), file)}  ${code.length} bytes (${kb(code.length)}), gzip ${gz.length} bytes (${kb(gz.length)})`);
}

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context({
    ...options,
    plugins: [{ name: "report", setup: (b) => b.onEnd((r) => r.errors.length || report()) }],
  });
  await ctx.watch();
  const consoleCtx = await esbuild.context({
    ...consoleOptions,
    plugins: [{ name: "report", setup: (b) => b.onEnd((r) => r.errors.length || report(consoleOutfile)) }],
  });
  await consoleCtx.watch();
  console.log("watching src/ …");
} else {
  await esbuild.build(options);
  report();
  await esbuild.build(consoleOptions);
  report(consoleOutfile);
}
