// Browser fingerprint: canvas, WebGL, audio and device facts, hashed. The server
// stores it salted per site, so it never links a visitor across two sites. Every
// probe may fail (privacy settings, old engines): what fails is simply left out.

/** 64-bit string hash (two 32-bit lanes, cyrb53-style) as 16 hex digits. */
export function hash(text) {
  let a = 0xdeadbeef;
  let b = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 2654435761);
    b = Math.imul(b ^ c, 1597334677);
  }
  a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  return [a, b ^ a].map((x) => (x >>> 0).toString(16).padStart(8, 0)).join("");
}

function canvas(c) {
  const x = c.getContext("2d");
  x.font = "16px Arial";
  x.fillStyle = "#069";
  x.fillText("Porchlight \u{1F3E1} 0.1", 2, 30);
  x.fillStyle = "rgba(102,204,0,.7)";
  x.arc(60, 30, 20, 0, 7);
  x.fill();
  return hash(c.toDataURL());
}

function webgl(c, out) {
  c.width = c.height = 32;
  const g = c.getContext("webgl");
  const info = g.getExtension("WEBGL_debug_renderer_info");
  if (info) {
    out.webgl_vendor = g.getParameter(info.UNMASKED_VENDOR_WEBGL);
    out.webgl_renderer = g.getParameter(info.UNMASKED_RENDERER_WEBGL);
  }
  // Render a shaded triangle: float precision and rasterisation differ per GPU and driver.
  const p = g.createProgram();
  [
    [g.VERTEX_SHADER, "attribute vec2 p;void main(){gl_Position=vec4(p,0,1);}"],
    [g.FRAGMENT_SHADER, "precision mediump float;void main(){gl_FragColor=vec4(sin(gl_FragCoord.xy*.37),.5,1);}"],
  ].forEach(([type, source]) => {
    const s = g.createShader(type);
    g.shaderSource(s, source);
    g.compileShader(s);
    g.attachShader(p, s);
  });
  g.linkProgram(p);
  g.useProgram(p);
  g.bindBuffer(g.ARRAY_BUFFER, g.createBuffer());
  g.bufferData(g.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, 0, 1]), g.STATIC_DRAW);
  g.enableVertexAttribArray(0);
  g.vertexAttribPointer(0, 2, g.FLOAT, false, 0, 0);
  g.drawArrays(g.TRIANGLES, 0, 3);
  const pixels = new Uint8Array(4096);
  g.readPixels(0, 0, 32, 32, g.RGBA, g.UNSIGNED_BYTE, pixels);
  out.webgl = hash(pixels.join() + g.getSupportedExtensions());
}

/** Sum of an OfflineAudioContext render: differs with the audio stack. */
function audio() {
  return new Promise((done) => {
    const a = new (window.OfflineAudioContext || window.webkitOfflineAudioContext)(1, 5000, 44100);
    const o = a.createOscillator();
    const k = a.createDynamicsCompressor();
    o.type = "triangle";
    o.frequency.value = 1e4;
    o.connect(k);
    k.connect(a.destination);
    o.start(0);
    a.oncomplete = (e) => {
      const d = e.renderedBuffer.getChannelData(0);
      let sum = 0;
      for (let i = 4500; i < 5000; i++) sum += Math.abs(d[i]);
      done("" + sum);
    };
    a.startRendering();
    setTimeout(done, 600); // a suspended audio stack never completes
  });
}

function attempt(fn, ...args) {
  try {
    return fn(...args);
  } catch (_) {
    return undefined;
  }
}

let cached = null;

// One probe per task: each may take tens of milliseconds the first time (fonts, a WebGL
// context, the audio stack), and the page must get frames in between.
const nextTask = () => new Promise((go) => setTimeout(go, 0));

/** Promise of {hash, components}; computed once per page. */
export function fingerprint() {
  if (cached) return cached;
  cached = (async () => {
    const n = navigator;
    const s = screen;
    const out = {
      screen: s.width + "x" + s.height,
      color_depth: s.colorDepth,
      pixel_ratio: devicePixelRatio,
      cores: n.hardwareConcurrency,
      memory: n.deviceMemory,
      platform: n.platform,
      languages: n.languages,
    };
    await nextTask();
    out.time_zone = attempt(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    out.touch = n.maxTouchPoints;
    await nextTask();
    out.canvas = attempt(canvas, document.createElement("canvas"));
    await nextTask();
    attempt(webgl, document.createElement("canvas"), out);
    await nextTask();
    out.audio = await attempt(audio);
    const components = JSON.parse(JSON.stringify(out)); // drops what failed (undefined)
    return { hash: hash(JSON.stringify(components)), components };
  })();
  return cached;
}
