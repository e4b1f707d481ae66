// The mood of each conversation in the inbox: the mean sentiment of the visitor's messages
// (GET /api/v1/sites/{id}/sentiments, VADER scores from -1 to 1), asked for in batches per
// site a moment after rows are painted, and again when a conversation has moved on.
const POSITIVE_FROM = 0.05;
const NEGATIVE_TO = -0.05;
const BATCH = 100;

export function moodOf(score) {
  if (score == null) return null;
  if (score >= POSITIVE_FROM) return "positive";
  if (score <= NEGATIVE_TO) return "negative";
  return "neutral";
}

export function createSentiments({ onScores }) {
  const known = new Map(); // conversation id → {key, score}
  const wanted = new Map(); // conversation id → {site_id, key}
  let timer = 0;

  function keyOf(c) {
    return c.activity_id || c.last_activity_at || "";
  }

  async function flush() {
    timer = 0;
    const bySite = new Map();
    for (const [id, want] of wanted) {
      if (!bySite.has(want.site_id)) bySite.set(want.site_id, []);
      bySite.get(want.site_id).push([id, want.key]);
    }
    wanted.clear();
    for (const [siteId, items] of bySite) {
      for (let i = 0; i < items.length; i += BATCH) {
        const part = items.slice(i, i + BATCH);
        let data;
        try {
          const ids = part.map(([id]) => id).join(",");
          const res = await fetch(`/api/v1/sites/${siteId}/sentiments?ids=${encodeURIComponent(ids)}`, { credentials: "same-origin" });
          data = await res.json();
        } catch {
          data = null;
        }
        if (!data || !data.ok) continue;
        for (const [id, key] of part) known.set(id, { key, score: data.sentiments[id] ?? null });
        onScores(part.map(([id]) => id));
      }
    }
  }

  return {
    /** The conversation's score, or undefined while it is being asked for. */
    score(c) {
      const found = known.get(c.id);
      if (found && found.key === keyOf(c)) return found.score;
      if (c.site_id != null && !wanted.has(c.id)) {
        wanted.set(c.id, { site_id: c.site_id, key: keyOf(c) });
        if (!timer) timer = setTimeout(flush, 400);
      }
      return found ? found.score : undefined;
    },
  };
}
