// naql search page: first-party module, no inline script (CSP script-src 'self').
// Queries the Pagefind index (pagefind/ beside this file); see naql/publish/search.py for why.
const root = new URL(".", import.meta.url);
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const MAX_RESULTS = 20;
let pagefind = null;

// The folding of naql.publish.arabic.normalise: diacritics and tatweel dropped, alef forms,
// alef maqsura and ta marbuta folded, so a query typed without hamza finds the word with it.
export function normalise(text) {
  return text
    .normalize("NFC")
    .replace(/[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g, "")
    .replace(/[أإآٱ]/g, "ا")
    .replace(/ى/g, "ي")
    .replace(/ة/g, "ه")
    .trim();
}

async function engine() {
  if (pagefind === null) {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    await pagefind.options({ baseUrl: root.pathname });
  }
  return pagefind;
}

// Pagefind's excerpt is escaped text with <mark> around hits: rebuild it as text nodes and
// <mark> elements, decoding the entities by hand, never through an HTML parser.
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
function decode(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

function excerpt(html) {
  const p = document.createElement("p");
  p.className = "meta";
  let inMark = false;
  for (const part of html.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") inMark = true;
    else if (part === "</mark>") inMark = false;
    else if (inMark) {
      const m = document.createElement("mark");
      m.textContent = decode(part);
      p.append(m);
    } else p.append(decode(part));
  }
  return p;
}

function item(data) {
  const li = document.createElement("li");
  const h = document.createElement("h2");
  const a = document.createElement("a");
  a.href = data.url;
  a.textContent = (data.meta && data.meta.title) || data.url;
  h.append(a);
  li.append(h);
  if (data.meta && data.meta.date) {
    const d = document.createElement("p");
    d.className = "meta";
    d.textContent = data.meta.date;
    li.append(d);
  }
  li.append(excerpt(data.excerpt || ""));
  return li;
}

async function run(query) {
  list.replaceChildren();
  const q = normalise(query);
  if (!q) {
    status.textContent = "";
    return;
  }
  status.textContent = "جارٍ البحث…";
  const search = await (await engine()).search(q);
  const results = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
  list.replaceChildren(...results.map(item));
  status.textContent = results.length
    ? `${search.results.length} نتيجة`
    : "لا نتائج. جرّب كلمة أخرى أو صيغة أقصر.";
  document.body.dataset.searchDone = "1";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.replaceState(null, "", url);
  run(input.value);
});

const initial = new URL(location.href).searchParams.get("q") || "";
if (initial) {
  input.value = initial;
  run(initial);
}
