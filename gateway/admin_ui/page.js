// The rollout page arrives filled in by the server; every second this swaps in its fresh live part
// (/_gateway/ui/live, rendered from the same template), keeping open whichever diffs the reader opened.
"use strict";

const POLL_MS = 1000;
const LIVE_URL = "/_gateway/ui/live";

async function refresh(live, freshness, shown) {
  try {
    const response = await fetch(LIVE_URL, { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const html = await response.text();
    // An unchanged part is left alone, so a reader's selection and scrolling survive quiet seconds.
    if (html !== shown) {
      const open = new Set(Array.from(live.querySelectorAll("details[open]"), (details) => details.dataset.fold));
      live.innerHTML = html;
      for (const details of live.querySelectorAll("details[data-fold]")) details.open = open.has(details.dataset.fold);
      shown = html;
    }
    freshness.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    freshness.classList.remove("bad");
  } catch (error) {
    freshness.textContent = `Could not read ${LIVE_URL} (${error.message}); retrying`;
    freshness.classList.add("bad");
  }
  setTimeout(refresh, POLL_MS, live, freshness, shown);
}

setTimeout(refresh, POLL_MS, document.getElementById("live"), document.getElementById("freshness"), null);
