// The rollout page: polls /_gateway/status every second and redraws the tables from it.
"use strict";

const POLL_MS = 1000;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child === null || child === undefined ? "–" : child);
  return node;
}

function ms(value) {
  return value === null || value === undefined ? "–" : `${value.toFixed(1)} ms`;
}

function percent(part, whole) {
  return whole ? (100 * part) / whole : 0;
}

// The sides as status names them (the keys of a route's `stats`), in its order.
function sidesOf(status) {
  for (const api of Object.values(status.apis)) {
    for (const route of Object.values(api.routes)) return Object.keys(route.stats);
  }
  return [];
}

function trafficBar(name, routes, sides) {
  const totals = Object.fromEntries(sides.map((side) => [side, 0]));
  for (const route of Object.values(routes)) {
    for (const side of sides) totals[side] += route.stats[side].requests;
  }
  const all = sides.reduce((sum, side) => sum + totals[side], 0);
  const label = sides.map((side) => `${side} ${percent(totals[side], all).toFixed(0)}% (${totals[side]})`).join(", ");
  const bar = el("div", { class: "bar", role: "img", "aria-label": `Traffic share of ${name}: ${label}` });
  for (const side of sides) {
    const share = percent(totals[side], all);
    const part = el("span", { class: `side-${side}` });
    // Through the CSSOM: the page's CSP refuses inline style attributes.
    part.style.width = `${share}%`;
    bar.append(part);
  }
  return el("figure", {}, bar, el("figcaption", {}, all ? label : "no requests yet"));
}

function shadowCell(shadow) {
  if (!shadow) return el("td", {}, "–");
  const rate = shadow.compared ? `${percent(shadow.matched, shadow.compared).toFixed(1)}% match` : "none compared";
  const cell = el("td", {}, `${rate} (${shadow.matched}/${shadow.compared}, ${shadow.skipped} skipped)`);
  if (shadow.last_mismatch) {
    const last = shadow.last_mismatch;
    cell.append(
      el("details", {}, el("summary", {}, `last mismatch ${last.at}`), el("pre", {}, last.diff || "(no diff)")),
    );
  }
  return cell;
}

function canaryCell(canary) {
  if (!canary) return el("td", {}, "–");
  const sticky = canary.sticky ? `, sticky ${canary.sticky}` : "";
  const rolled = canary.rolled_back;
  const state = rolled ? el("strong", { class: "rolled-back" }, ` rolled back (${rolled.rule}) at ${rolled.at}`) : " in force";
  return el("td", {}, `${canary.percent}% to migrated${sticky};`, state);
}

function routeTable(name, api, sides) {
  const head = el(
    "thead",
    {},
    el(
      "tr",
      {},
      el("th", { scope: "col", rowspan: "2" }, "Route"),
      el("th", { scope: "col", rowspan: "2" }, "Side in force"),
      ...sides.map((side) => el("th", { scope: "colgroup", colspan: "5" }, side)),
      el("th", { scope: "col", rowspan: "2" }, "Shadow"),
      el("th", { scope: "col", rowspan: "2" }, "Canary"),
    ),
    el(
      "tr",
      {},
      ...sides.flatMap(() => ["requests", "4xx", "5xx", "p50", "p99"].map((text) => el("th", { scope: "col" }, text))),
    ),
  );
  const body = el("tbody");
  for (const [key, route] of Object.entries(api.routes)) {
    const side = route.mode && route.mode !== route.backend ? `${route.backend} (${route.mode})` : route.backend;
    const row = el("tr", { "data-route": key }, el("th", { scope: "row" }, key), el("td", { class: "in-force" }, side));
    for (const s of sides) {
      const stats = route.stats[s];
      row.append(
        el("td", { class: "number" }, String(stats.requests)),
        el("td", { class: "number" }, String(stats["4xx"])),
        el("td", { class: stats["5xx"] ? "number bad" : "number" }, String(stats["5xx"])),
        el("td", { class: "number" }, ms(stats.p50_ms)),
        el("td", { class: "number" }, ms(stats.p99_ms)),
      );
    }
    row.append(shadowCell(route.shadow), canaryCell(route.canary));
    body.append(row);
  }
  return el("table", {}, el("caption", {}, `Routes of ${name}`), head, body);
}

function renderApi(name, api, sides) {
  const mode = el("span", { class: "mode", "data-mode": api.mode }, api.mode);
  const section = el("section", { class: "api", "data-api": name, "aria-label": `API ${name}` });
  section.append(el("h3", {}, `${name} · mode `, mode), trafficBar(name, api.routes, sides), routeTable(name, api, sides));
  return section;
}

function renderFlags(status) {
  const flags = status.flags;
  const fields = {
    path: flags.path,
    sha256: flags.sha256 ? flags.sha256.slice(0, 12) : "–",
    loaded_at: flags.loaded_at,
    default: status.default,
    workers: String(status.workers),
    rejection: flags.error ? `${flags.rejected_at}: ${flags.error}` : "none",
  };
  for (const [field, value] of Object.entries(fields)) {
    const node = document.querySelector(`#flags [data-field="${field}"]`);
    node.textContent = value || "–";
    node.classList.toggle("bad", field === "rejection" && Boolean(flags.error));
  }
}

function render(status) {
  renderFlags(status);
  const sides = sidesOf(status);
  const apis = document.getElementById("apis");
  apis.replaceChildren(...Object.entries(status.apis).map(([name, api]) => renderApi(name, api, sides)));
}

async function poll() {
  const freshness = document.getElementById("freshness");
  try {
    const response = await fetch("/_gateway/status", { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
    freshness.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    freshness.classList.remove("bad");
  } catch (error) {
    freshness.textContent = `Could not read /_gateway/status (${error.message}); retrying`;
    freshness.classList.add("bad");
  }
  setTimeout(poll, POLL_MS);
}

poll();
