// A line chart of one figure's buckets, drawn by uPlot. The x axis is the bucket's index
// and its ticks the report's own labels, so the chart shows the site's time zone whatever
// the browser's is. The chart is an image to screen readers, with a short description;
// its numbers are in the table beside it.
import uPlot from "uplot";
import { h } from "./dom.js";

function shortLabel(label) {
  if (!label) return "";
  if (label.length > 10) return label.slice(5, 16).replace("T", " "); // hour: 03-29 14:00
  return label.slice(5); // day or week start: 03-29
}

export function lineChart({ labels, series, label, unit = "" }) {
  const el = h("div", { class: "rp-chart", role: "img", "aria-label": describe(label, labels, series, unit) });
  const legend = h(
    "div",
    { class: "rp-legend", "aria-hidden": "true" },
    series.map((s) => h("span", { class: "rp-key", style: `--key:${s.color}` }, s.name)),
  );
  const wrap = h("div", { class: "rp-chart-wrap" }, legend, el);
  let plot = null;

  function size() {
    return { width: Math.max(260, el.clientWidth || wrap.clientWidth || 600), height: 220 };
  }

  return {
    el: wrap,
    mount() {
      const x = labels.map((_, i) => i);
      plot = new uPlot(
        {
          ...size(),
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: false } },
          axes: [
            {
              values: (u, splits) => splits.map((i) => (Number.isInteger(i) ? shortLabel(labels[i]) : "")),
              stroke: "#64748b",
              grid: { stroke: "#e2e8f0" },
            },
            { stroke: "#64748b", grid: { stroke: "#e2e8f0" }, values: (u, splits) => splits.map((v) => `${v}${unit ? ` ${unit}` : ""}`), size: 56 },
          ],
          series: [
            {},
            ...series.map((s) => ({ label: s.name, stroke: s.color, width: 2, dash: s.dash ? [6, 4] : undefined, spanGaps: true, points: { show: labels.length <= 31 } })),
          ],
        },
        [x, ...series.map((s) => s.values)],
        el,
      );
    },
    resize() {
      if (plot) plot.setSize(size());
    },
    destroy() {
      if (plot) plot.destroy();
      plot = null;
    },
  };
}

function describe(label, labels, series, unit) {
  const parts = series.map((s) => {
    const known = s.values.filter((v) => v != null);
    if (!known.length) return `${s.name}: no data`;
    const total = known.reduce((a, b) => a + b, 0);
    return unit ? `${s.name}: from ${Math.min(...known)} to ${Math.max(...known)} ${unit}` : `${s.name}: ${total} in all`;
  });
  return `${label}, ${labels[0] || ""} to ${labels[labels.length - 1] || ""}. ${parts.join("; ")}.`;
}
