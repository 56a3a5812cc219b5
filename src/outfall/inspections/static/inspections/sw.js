/* Service worker of the field inspection form (outfall.inspections): keeps the form and its
   assets usable offline. Served from /inspections/sw.js so that its scope is /inspections/.
   - the form (/inspections/o/<code>/inspect/): network first, the cached copy when offline;
   - static assets (hashed names): cache first;
   - everything else, and every POST, goes to the network untouched (the page keeps unsent
     inspections in its own outbox and retries them). */
const CACHE = "outfall-inspect-v1";
const STATIC = new URL(self.location).searchParams.get("static") || "/static/";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));

function offline() {
  return new Response("离线，且此页尚未缓存 / offline, and this page is not cached",
                      {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
}

self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && /\/inspect\/$/.test(url.pathname)) {
    e.respondWith(fetch(req).then((res) => {
      if (res.ok && !res.redirected) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(url.pathname, copy));
      }
      return res;
    }).catch(() => caches.match(url.pathname).then((r) => r || offline())));
    return;
  }
  if (url.pathname.startsWith(STATIC)) {
    e.respondWith(caches.match(req).then((r) => r || fetch(req).then((res) => {
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(req, copy));
      }
      return res;
    })));
  }
});
