// Generates a corpus of realistic static-site pages, deterministically (seeded), for the lint
// benchmark: marketing and booking pages of the kind the team ships, with head metadata,
// JSON-LD, analytics snippets shared by every page, page-specific inline scripts, a few inline
// bundles, long articles, and in the "dirty" corpus, unrendered template braces.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { seededRandom } from "../lib/random.ts";

const WORDS =
  "sail harbor bay charter sunset crew deck island booking captain wind tide marina coast voyage yacht calm reef anchor schedule guest private tour weekend season rate deposit cabin dinner wine view route trip".split(
    " ",
  );

const ANALYTICS = `
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', 'G-XXXXXXX', { anonymize_ip: true });`;

const CONSENT = `
  (function () {
    var key = "consent-v2";
    try {
      if (localStorage.getItem(key) === "yes") { document.documentElement.classList.add("consented"); }
    } catch (error) { /* private mode */ }
    document.addEventListener("click", function (event) {
      var target = event.target;
      if (target && target.matches && target.matches("[data-consent]")) {
        localStorage.setItem(key, target.getAttribute("data-consent"));
      }
    });
  })();`;

interface Options {
  dirty: boolean;
}

function makePage(index: number, rand: () => number, options: Options): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const words = (count: number): string => {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(pick(WORDS));
    return out.join(" ");
  };
  const title = `${words(3)} — page ${index}`;
  const dirtyPage = options.dirty && rand() < 0.3;
  const parts: string[] = [];
  parts.push(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${dirtyPage && rand() < 0.3 ? "{{ page.title }}" : title}</title>
<meta name="description" content="${words(20)}">
<meta property="og:title" content="${title}">
<link rel="stylesheet" href="/assets/site.${index % 7}a9f3.css">
<link rel="icon" href="/favicon.ico">
<script async src="https://www.googletagmanager.com/gtag/js?id=G-XXXXXXX"></script>
<script>${ANALYTICS}
</script>
<script type="application/ld+json">
{"@context":"https://schema.org","@type":"LocalBusiness","name":"${words(2)}","url":"https://example.com/p/${index}","telephone":"+1-619-555-${String(1000 + (index % 9000))}","priceRange":"$$"}
</script>
<style>
  .hero { background: #0a2540; color: #fff; padding: ${Math.floor(rand() * 40)}px 0; }
  .card { border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
</style>
</head>
<body class="page-${index}">
<header><nav><ul>${Array.from({ length: 8 }, (_, i) => `<li><a href="/section-${i}/">${words(2)}</a></li>`).join("")}</ul></nav></header>
<main>
<section class="hero"><h1>${title}</h1><p>${words(30)}</p></section>
`);
  const paragraphs = 20 + Math.floor(rand() * 60);
  for (let p = 0; p < paragraphs; p++) {
    const link = rand() < 0.3 ? ` <a href="/trip/${Math.floor(rand() * 1e6)}">${words(3)}</a>` : "";
    const image =
      rand() < 0.15
        ? `\n<figure><img src="/img/${index}-${p}.jpg" alt="${words(4)}" loading="lazy" width="800" height="533"><figcaption>${words(8)}</figcaption></figure>`
        : "";
    const braces = dirtyPage && rand() < 0.05 ? " {{ guest.first_name }}" : "";
    parts.push(
      `<p>${words(40 + Math.floor(rand() * 60))}${braces}&nbsp;&mdash;${link}.</p>${image}\n`,
    );
  }
  // Page-specific inline script: configuration and a little behaviour, different on every page.
  if (rand() < 0.6) {
    const data = Array.from({ length: 5 + Math.floor(rand() * 30) }, (_, i) => ({
      id: index * 100 + i,
      name: words(2),
      price: Math.round(rand() * 50000) / 100,
      available: rand() < 0.7,
    }));
    parts.push(`<script>
  var pageConfig = ${JSON.stringify({ page: index, trips: data })};
  function renderTrips(list) {
    var root = document.getElementById("trips-${index}");
    if (!root) { return; }
    root.innerHTML = list.filter(function (t) { return t.available; }).map(function (t) {
      return "<li data-id=\\"" + t.id + "\\">" + t.name + " — $" + t.price.toFixed(2) + "</li>";
    }).join("");
  }
  document.addEventListener("DOMContentLoaded", function () { renderTrips(pageConfig.trips); });
</script>
`);
  }
  // The booking widget, on some pages; in the dirty corpus, sometimes shipped unrendered.
  if (rand() < 0.25) {
    const unrendered = dirtyPage && rand() < 0.6;
    const open = unrendered ? "{{" : "{";
    const close = unrendered ? "}}" : "}";
    parts.push(`<!-- jada:scope booking -->
<div id="booking-widget" class="card">
<form id="booking-form"><label>Date <input type="date" name="date"></label><button type="submit">Book</button></form>
<script>
  var bookingData = ${unrendered ? "{{ jsonData }}" : JSON.stringify({ boat: words(1), seats: Math.floor(rand() * 12) })};
  function submitBooking(event) ${open}
    event.preventDefault();
    var form = event.target;
    if (!form.date.value) ${open} alert("Pick a date"); return; ${close}
    fetch("/api/book", ${open} method: "POST", body: JSON.stringify(${open} date: form.date.value, data: bookingData ${close}) ${close});
  ${close}
  document.getElementById("booking-form").addEventListener("submit", submitBooking);
  var greeting = "Welcome aboard, ${unrendered ? "{{ guest.name }}" : "friend"}!";
</script>
</div>
<!-- /jada:scope booking -->
`);
  }
  // A few pages inline a whole minified bundle.
  if (rand() < 0.05) {
    const chunks: string[] = [];
    for (let i = 0; i < 400; i++) {
      chunks.push(
        `function f${i}(a,b){if(a>b){return a-b}for(var c=0;c<a;c++){b+=c*${i}}return b}`,
      );
    }
    parts.push(`<script>!function(){${chunks.join(";")};window.__bundle=f1(2,3)}();</script>\n`);
  }
  parts.push(`</main>
<footer><p>&copy; 2026 ${words(2)}</p><button data-consent="yes">Accept</button></footer>
<script>${CONSENT}
</script>
</body>
</html>
`);
  return parts.join("");
}

/**
 * Writes pages into `dir` until `megabytes` are written; returns the byte and file counts.
 */
export async function writeCorpus(
  dir: string,
  megabytes: number,
  options: Options & { seed: number },
): Promise<{ bytes: number; files: number }> {
  await rm(dir, { recursive: true, force: true });
  const rand = seededRandom(options.seed);
  const target = megabytes * 1024 * 1024;
  let bytes = 0;
  let files = 0;
  while (bytes < target) {
    const page = makePage(files, rand, options);
    const sub = join(dir, `section-${files % 20}`);
    if (files < 20) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `page-${files}.html`), page);
    bytes += Buffer.byteLength(page);
    files++;
  }
  return { bytes, files };
}
