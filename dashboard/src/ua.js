// A deliberately small user-agent reader: browser, OS and a coarse device type.

const BROWSERS = [
  [/Edg(?:e|A|iOS)?\/([\d]+)/, "Edge"],
  [/OPR\/([\d]+)|Opera\/([\d]+)/, "Opera"],
  [/SamsungBrowser\/([\d]+)/, "Samsung Internet"],
  [/YaBrowser\/([\d]+)/, "Yandex"],
  [/Vivaldi\/([\d]+)/, "Vivaldi"],
  [/(?:Firefox|FxiOS)\/([\d]+)/, "Firefox"],
  [/(?:Chrome|CriOS|Chromium)\/([\d]+)/, "Chrome"],
  [/Version\/([\d]+)(?:[\d.]*) (?:Mobile\/\S+ )?Safari\//, "Safari"],
];

const SYSTEMS = [
  [/Windows NT/, "Windows"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

/** → {browser, version, os, type: "mobile"|"tablet"|"desktop"} (strings may be ""). */
export function parseUserAgent(ua) {
  const source = String(ua || "");
  let browser = "";
  let version = "";
  for (const [re, name] of BROWSERS) {
    const m = re.exec(source);
    if (m) {
      browser = name;
      version = m[1] || m[2] || "";
      break;
    }
  }
  let os = "";
  for (const [re, name] of SYSTEMS) {
    if (re.test(source)) {
      os = name;
      break;
    }
  }
  let type = "desktop";
  if (/iPad|Tablet/.test(source) || (/Android/.test(source) && !/Mobile/.test(source))) type = "tablet";
  else if (/Mobi|iPhone|iPod/.test(source)) type = "mobile";
  return { browser, version, os, type };
}

/** {browser: "Chrome 131", os: "macOS", type} from a device object (server-parsed fields win). */
export function deviceParts(device) {
  const parsed = parseUserAgent(device && device.user_agent);
  return {
    browser: (device && device.browser) || [parsed.browser, parsed.version].filter(Boolean).join(" "),
    os: (device && device.os) || parsed.os,
    type: (device && device.type) || parsed.type,
  };
}
