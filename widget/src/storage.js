// Key-value storage that keeps working when localStorage is blocked or full
// (Safari private mode, sandboxed iframes, "block all cookies" settings).
// Values live in memory for the page's lifetime and in localStorage when it
// accepts them; every key is scoped to one site key.

const memory = new Map();
const backend = probe();

function probe() {
  try {
    const ls = window.localStorage;
    const key = "porchlight:probe";
    ls.setItem(key, "1");
    ls.removeItem(key);
    return ls;
  } catch (_) {
    return null;
  }
}

function read(key) {
  if (backend) {
    try {
      return backend.getItem(key);
    } catch (_) {
      // fall through to memory
    }
  }
  return memory.has(key) ? memory.get(key) : null;
}

function write(key, value) {
  memory.set(key, value);
  if (backend) {
    try {
      backend.setItem(key, value);
    } catch (_) {
      // quota or policy: the in-memory copy still serves this page
    }
  }
}

function drop(key) {
  memory.delete(key);
  if (backend) {
    try {
      backend.removeItem(key);
    } catch (_) {
      // nothing to do
    }
  }
}

/** A JSON store whose keys are prefixed with `porchlight:<siteKey>:`. */
export function siteStorage(siteKey) {
  const prefix = "porchlight:" + siteKey + ":";
  return {
    get(name) {
      const raw = read(prefix + name);
      if (raw == null) return null;
      try {
        return JSON.parse(raw);
      } catch (_) {
        return null;
      }
    },
    set(name, value) {
      write(prefix + name, JSON.stringify(value));
    },
    remove(name) {
      drop(prefix + name);
    },
  };
}
