// The dashboard's only two assets, served by the daemon itself (no CDN: it works offline and
// through an SSH tunnel). The script is progressive: without it every page works, only the live
// updates are gone.

/** The stylesheet: readable, high-contrast, visible focus. */
export const CSS = `
:root { color-scheme: light dark; --fg: #1a1a1a; --bg: #fff; --muted: #555; --line: #ccc;
  --bad: #a40000; --bad-bg: #fdecea; --warn: #7a4d00; --ok: #1b5e20; --link: #0b57d0; }
@media (prefers-color-scheme: dark) { :root { --fg: #eee; --bg: #151515; --muted: #bbb; --line: #444;
  --bad: #ff8a80; --bad-bg: #3a1512; --warn: #ffcc80; --ok: #a5d6a7; --link: #8ab4f8; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; z-index: 1; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .5rem 1rem;
  border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; margin: 0; }
.version { font-weight: 400; color: var(--muted); }
nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; }
#live-status { margin: 0 0 0 auto; color: var(--muted); font-size: .9em; }
main { padding: 1rem; max-width: 72rem; }
main:focus { outline: none; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .5rem 1.5rem; }
.facts dt { color: var(--muted); font-size: .9em; }
.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: var(--muted); padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
.problem { background: var(--bad-bg); }
p.problem, li.problem { padding: .5rem; }
.warn { color: var(--warn); }
.fix code { font-weight: 600; }
.badge { font-size: .85em; padding: 0 .35em; border: 1px solid currentColor; border-radius: .25em; }
.s-failed, .s-error, .s-timed_out, .s-revoked, .s-misconfigured { color: var(--bad); }
.s-done, .s-ok, .s-completed { color: var(--ok); }
.s-needs_you, .s-expiring { color: var(--warn); }
form.inline { display: inline; margin-right: .25rem; }
button { font: inherit; padding: .15rem .6rem; cursor: pointer; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: .5rem; }
.counts a { margin-right: .5rem; }
.counts a[aria-current="true"] { font-weight: 700; }
.pages { display: flex; gap: 1rem; margin-top: .5rem; }
.alerts { list-style: none; padding: 0; }
.alerts li { margin-bottom: .5rem; }
pre { overflow: auto; padding: .5rem; border: 1px solid var(--line); }
`;

/**
 * The live updates: one Server-Sent Events stream, closed while the page is hidden; on each
 * change the page's live part is fetched again and swapped, keeping the focus where it was.
 */
export const SCRIPT = `
(() => {
  const live = document.getElementById("live");
  const status = document.getElementById("live-status");
  if (!live || !window.EventSource) return;
  let source;
  let fetching = false;
  let again = false;
  const say = (text) => { status.textContent = "updates: " + text; };
  async function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      const response = await fetch(location.href, { headers: { "x-jada-partial": "live" } });
      if (response.ok) {
        const text = await response.text();
        const focused = document.activeElement;
        const key = focused && live.contains(focused) ? focusKey(focused) : undefined;
        live.innerHTML = text;
        if (key) { const back = live.querySelector(key); if (back) back.focus(); }
        document.dispatchEvent(new CustomEvent("jada:updated"));
      }
    } catch { say("reconnecting"); }
    fetching = false;
    if (again) { again = false; refresh(); }
  }
  // A selector that finds the same control after the swap: its form's action and its label.
  function focusKey(element) {
    const form = element.closest("form");
    if (form) return 'form[action="' + form.getAttribute("action") + '"] button';
    const href = element.getAttribute("href");
    return href ? 'a[href="' + href.replace(/"/g, '\\\\"') + '"]' : undefined;
  }
  function connect() {
    if (source) return;
    source = new EventSource("/events");
    source.addEventListener("ready", () => { say("live"); refresh(); });
    source.addEventListener("change", refresh);
    source.addEventListener("error", () => say("reconnecting"));
  }
  function pause() {
    if (source) { source.close(); source = undefined; }
    say("paused while hidden");
  }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) pause(); else { connect(); refresh(); }
  });
  if (!document.hidden) connect(); else pause();
})();
`;
