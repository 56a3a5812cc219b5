/* The field inspection form on a phone (outfall.inspections).
   - A draft (every field and quick-test row) is kept in localStorage under
     outfall.inspect.draft.<code> and survives a reload or a closed tab; its photos, downscaled to
     1600 px JPEG, are Blobs in IndexedDB (outfall-inspect / photos: room for many visits offline),
     or data URLs in the draft where IndexedDB is unavailable.
   - "保存并发送" moves the draft into the outbox (outfall.inspect.outbox) and sends it; an
     unsent item is retried when the browser comes back online and every 15 s. Each draft has
     its own UUID (client_key): the server stores an inspection once however often it is sent.
   - A service worker (/inspections/sw.js) keeps the form itself available offline. */
(function () {
  "use strict";
  const form = document.getElementById("inspect-form");
  if (!form) return;
  const code = form.dataset.code;
  const DRAFT = "outfall.inspect.draft." + code;
  const OUTBOX = "outfall.inspect.outbox";
  const MAX_SIDE = 1600;  // px: photos are downscaled before they are kept on the phone
  const $ = (sel) => form.querySelector(sel);
  const netStatus = document.getElementById("net-status");
  const outboxEl = document.getElementById("outbox");
  const sendErrors = document.getElementById("send-errors");
  const previews = document.getElementById("previews");
  const qtRows = document.getElementById("qt-rows");
  let sending = false;
  // texts in the page's language (inspections/js_text.py), keyed by the Chinese text
  const TEXT = (() => { try { return JSON.parse(document.getElementById("inspect-text").textContent); } catch (e) { return {}; } })();
  function t(msg, vars) {
    let s = TEXT[msg] || msg;
    Object.entries(vars || {}).forEach(([k, v]) => { s = s.split(`%(${k})s`).join(String(v)); });
    return s;
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  // ---- photo store: IndexedDB (Blobs), else data URLs kept in the draft -----------------------
  const idb = new Promise((ok) => {
    try {
      const req = indexedDB.open("outfall-inspect", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("photos", {keyPath: "id"});
      req.onsuccess = () => ok(req.result);
      req.onerror = () => ok(null);
    } catch (e) { ok(null); }
  });
  function tx(mode, fn) {
    return idb.then((db) => new Promise((ok, fail) => {
      const t = db.transaction("photos", mode), r = fn(t.objectStore("photos"));
      t.oncomplete = () => ok(r && r.result); t.onerror = () => fail(t.error);
    }));
  }
  async function keepPhoto(blob, kind, name) {
    if (await idb) { const id = uuid4(); await tx("readwrite", (st) => st.put({id, blob})); return {id, kind, name}; }
    return {kind, name, data: await readAsDataURL(blob)};
  }
  async function photoBlob(p) {
    if (p.data) return dataUrlToBlob(p.data);
    const rec = await tx("readonly", (st) => st.get(p.id));
    if (!rec) throw new Error("photo missing");
    return rec.blob;
  }
  function dropPhotos(photos) {
    (photos || []).forEach((p) => { if (p.id) tx("readwrite", (st) => st.delete(p.id)).catch(() => {}); });
  }
  function load(key, fallback) {
    try { const v = JSON.parse(localStorage.getItem(key)); return v == null ? fallback : v; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) {
      show(sendErrors, [t("本机存储已满，请先发送或删除部分照片")]); return false;
    }
  }
  function show(el, lines) {
    el.textContent = "";
    lines.forEach((t) => { const li = document.createElement("li"); li.textContent = t; el.appendChild(li); });
    el.hidden = !lines.length;
  }
  function newDraft() { return {key: uuid4(), started: new Date().toISOString(), fields: {}, qt: [], photos: []}; }

  let draft = load(DRAFT, null);
  const serverKey = $("input[name=client_key]").value;
  if (!draft) { draft = newDraft(); if (serverKey) draft.key = serverKey; }

  // ---- fields <-> draft ------------------------------------------------------------------
  const SKIP = new Set(["csrfmiddlewaretoken", "client_key", "inspected_at", "qt_parameter", "qt_value", "qt_unit"]);
  function fieldsFromForm() {
    const out = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach((el) => {
      if (SKIP.has(el.name) || el.type === "file") return;
      if (el.type === "radio") { if (el.checked) out[el.name] = el.value; return; }
      if (el.type === "checkbox") { out[el.name] = el.checked ? el.value : ""; return; }
      out[el.name] = el.value;
    });
    return out;
  }
  function formFromFields(fields) {
    Object.entries(fields || {}).forEach(([name, value]) => {
      form.querySelectorAll(`[name="${name}"]`).forEach((el) => {
        if (el.type === "radio") el.checked = el.value === value;
        else if (el.type === "checkbox") el.checked = !!value;
        else el.value = value;
      });
    });
  }
  function qtFromForm() {
    return Array.from(qtRows.querySelectorAll(".qt-row"), (row) => ({
      parameter: row.querySelector("[name=qt_parameter]").value,
      value: row.querySelector("[name=qt_value]").value,
      unit: row.querySelector("[name=qt_unit]").value}));
  }
  function addQtRow(r) {
    const first = qtRows.querySelector(".qt-row");
    const row = first.cloneNode(true);
    row.querySelectorAll("input").forEach((i) => { i.value = ""; });
    if (r) { row.querySelector("[name=qt_parameter]").value = r.parameter || "";
             row.querySelector("[name=qt_value]").value = r.value || "";
             row.querySelector("[name=qt_unit]").value = r.unit || ""; }
    qtRows.appendChild(row);
    return row;
  }
  function renderQt(rows) {
    const all = qtRows.querySelectorAll(".qt-row");
    all.forEach((row, i) => { if (i > 0) row.remove(); });
    all[0].querySelectorAll("input").forEach((i) => { i.value = ""; });
    (rows.length ? rows : [{}]).forEach((r, i) => {
      if (i === 0) { const row = qtRows.querySelector(".qt-row");
        row.querySelector("[name=qt_parameter]").value = r.parameter || "";
        row.querySelector("[name=qt_value]").value = r.value || "";
        row.querySelector("[name=qt_unit]").value = r.unit || ""; }
      else addQtRow(r);
    });
  }
  function renderPhotos() {
    previews.textContent = "";
    draft.photos.forEach((p, i) => {
      const fig = document.createElement("figure");
      const img = document.createElement("img"); img.alt = p.name;
      photoBlob(p).then((b) => { img.src = URL.createObjectURL(b); }).catch(() => { img.alt = t("照片已丢失"); });
      const cap = document.createElement("figcaption");
      cap.textContent = (p.kind === "quick_test" ? t("快检结果") : t("现场")) + " ";
      const rm = document.createElement("button"); rm.type = "button"; rm.textContent = t("删除");
      rm.addEventListener("click", () => { dropPhotos(draft.photos.splice(i, 1)); save(); renderPhotos(); });
      cap.appendChild(rm); fig.append(img, cap); previews.appendChild(fig);
    });
  }
  function save() {
    draft.fields = fieldsFromForm();
    draft.qt = qtFromForm();
    if (store(DRAFT, draft)) {
      document.getElementById("draft-status").textContent =
        t("草稿已保存在本机 %(time)s", {time: new Date().toLocaleTimeString()}) +
        (draft.photos.length ? " · " + t("照片 %(n)s 张", {n: draft.photos.length}) : "");
    }
  }
  form.addEventListener("input", (e) => { if (e.target.type !== "file") save(); });
  form.addEventListener("change", (e) => { if (e.target.type !== "file") save(); });

  // ---- photos: downscale to JPEG ---------------------------------------------------------------
  function readAsDataURL(file) {
    return new Promise((ok, fail) => { const r = new FileReader(); r.onload = () => ok(r.result); r.onerror = fail; r.readAsDataURL(file); });
  }
  function downscale(dataUrl) {
    return new Promise((ok) => {
      const img = new Image();
      img.onload = () => {
        const k = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
        const c = document.createElement("canvas");
        c.width = Math.max(1, Math.round(img.width * k)); c.height = Math.max(1, Math.round(img.height * k));
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        c.toBlob((b) => ok(b), "image/jpeg", 0.85);
      };
      img.onerror = () => ok(null);  // not an image: the server would refuse it anyway
      img.src = dataUrl;
    });
  }
  form.querySelectorAll("input[type=file]").forEach((input) => {
    input.addEventListener("change", async () => {
      for (const file of Array.from(input.files)) {
        const blob = await downscale(await readAsDataURL(file));
        const name = (file.name || "photo").replace(/\.\w+$/, "") + ".jpg";
        if (blob) draft.photos.push(await keepPhoto(blob, input.dataset.kind, name));
        else show(sendErrors, [t("文件 %(name)s 不是可识别的图片", {name: file.name})]);
      }
      input.value = "";
      save(); renderPhotos();
    });
  });

  // ---- position ------------------------------------------------------------------------
  function haversine(lon1, lat1, lon2, lat2) {
    const r = 6371008.8, rad = Math.PI / 180, dp = (lat2 - lat1) * rad, dl = (lon2 - lon1) * rad;
    const a = Math.sin(dp / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dl / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(a));
  }
  function showDistance() {
    const lon = parseFloat($("[name=lon]").value), lat = parseFloat($("[name=lat]").value);
    const el = document.getElementById("distance");
    if (isNaN(lon) || isNaN(lat)) { el.textContent = ""; return; }
    const d = haversine(lon, lat, parseFloat(form.dataset.lon), parseFloat(form.dataset.lat));
    const max = parseFloat(form.dataset.maxDistance);
    el.textContent = t("距台账位置 %(d)s m", {d: Math.round(d)}) + (d > max ? t("，超过 %(max)s m，请核对是否在该排污口", {max: max}) : "");
    el.className = d > max ? "hint warn" : "hint";
  }
  document.getElementById("locate").addEventListener("click", () => {
    const el = document.getElementById("distance");
    if (!navigator.geolocation) { el.textContent = t("此浏览器不支持定位，请手工填写经纬度"); return; }
    el.textContent = t("正在定位…");
    navigator.geolocation.getCurrentPosition((pos) => {
      $("[name=lon]").value = pos.coords.longitude.toFixed(7);
      $("[name=lat]").value = pos.coords.latitude.toFixed(7);
      $("[name=accuracy_m]").value = Math.round(pos.coords.accuracy);
      save(); showDistance();
    }, (err) => { el.textContent = t("定位失败: %(error)s（可手工填写经纬度）", {error: err.message}); },
    {enableHighAccuracy: true, timeout: 20000, maximumAge: 0});
  });
  ["lon", "lat"].forEach((n) => $(`[name=${n}]`).addEventListener("input", showDistance));

  document.getElementById("qt-add").addEventListener("click", (e) => {
    if (qtRows.querySelectorAll(".qt-row").length >= parseInt(e.target.dataset.max, 10)) return;
    addQtRow().querySelector("input").focus();
  });

  // ---- outbox and sending --------------------------------------------------------------
  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : form.querySelector("[name=csrfmiddlewaretoken]").value;
  }
  function dataUrlToBlob(dataUrl) {
    const [head, body] = dataUrl.split(",");
    const bytes = atob(body), buf = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) buf[i] = bytes.charCodeAt(i);
    return new Blob([buf], {type: head.slice(5).split(";")[0]});
  }
  function renderOutbox(note) {
    const box = load(OUTBOX, []);
    outboxEl.textContent = "";
    if (box.length) {
      const p = document.createElement("p");
      const waiting = box.filter((x) => !x.refused).length;
      p.textContent = t("待发送 %(n)s 条巡查记录（联网后自动发送）", {n: waiting}) +
        (waiting < box.length ? t("，被退回 %(n)s 条", {n: box.length - waiting}) : "");
      outboxEl.appendChild(p);
      box.forEach((it) => {
        const d = document.createElement("div"); d.className = it.refused ? "pending refused" : "pending";
        d.textContent = `${it.name || it.code} · ${new Date(it.started).toLocaleString()}` + (it.refused ? " · " + t("被退回：%(reasons)s", {reasons: it.refused.join(t("；"))}) : "");
        if (it.refused && it.code === code) {
          const b = document.createElement("button"); b.type = "button"; b.textContent = t("打开修改");
          b.addEventListener("click", () => { if (formIsEmpty() || confirm(t("放弃当前草稿，打开被退回的记录？"))) { reopen(it); renderOutbox(); } });
          d.append(" ", b);
        }
        outboxEl.appendChild(d);
      });
    }
    if (note) { const a = document.createElement("p"); a.className = "sent"; a.append(note); outboxEl.appendChild(a); }
    outboxEl.hidden = !box.length && !note;
    netStatus.textContent = navigator.onLine ? t("在线") : t("离线：记录保存在本机，联网后自动发送");
    netStatus.className = navigator.onLine ? "net" : "net offline";
  }
  async function sendOne(it) {
    const fd = new FormData();
    fd.append("csrfmiddlewaretoken", csrfToken());
    fd.append("client_key", it.key);
    fd.append("inspected_at", it.started);
    Object.entries(it.fields || {}).forEach(([k, v]) => { if (v !== "" && v != null) fd.append(k, v); });
    (it.qt || []).forEach((r) => { fd.append("qt_parameter", r.parameter || ""); fd.append("qt_value", r.value || "");
                                   fd.append("qt_unit", r.unit || ""); });
    for (const p of it.photos || []) {
      fd.append(p.kind === "quick_test" ? "quick_test_photos" : "site_photos", await photoBlob(p), p.name);
    }
    const res = await fetch(it.url, {method: "POST", body: fd, credentials: "same-origin",
                                     headers: {"Accept": "application/json", "X-CSRFToken": csrfToken()}});
    if (res.redirected) throw new Error("login");  // the session ended: keep it until the user logs in again
    return {status: res.status, body: await res.json().catch(() => ({}))};
  }
  function formIsEmpty() {
    return !draft.photos.length && !Object.values(fieldsFromForm()).some((v) => v && v !== "none" && v !== "L/s");
  }
  function reopen(it) {
    store(OUTBOX, load(OUTBOX, []).filter((x) => x.key !== it.key));
    draft = {key: it.key, started: it.started, fields: it.fields, qt: it.qt, photos: it.photos};
    form.reset(); formFromFields(draft.fields); renderQt(draft.qt); renderPhotos(); showDistance();
    store(DRAFT, draft);
    if (it.refused) show(sendErrors, it.refused);
    document.getElementById("draft-status").textContent = t("被退回的记录已放回表单，请修改后再发送");
  }
  async function flush() {
    if (sending) return;
    sending = true;
    let note = null;
    try {
      for (const it of load(OUTBOX, []).filter((x) => !x.refused)) {
        let r;
        try { r = await sendOne(it); } catch (e) { note = e.message === "login" ? t("登录已过期，请重新登录后再发送") : null; break; }
        if (r.status >= 500) break;  // try again later
        if (r.status === 200 || r.status === 201) {
          store(OUTBOX, load(OUTBOX, []).filter((x) => x.key !== it.key));
          dropPhotos(it.photos);
          const a = document.createElement("a"); a.href = form.dataset.outfallUrl; a.id = "sent-link";
          a.textContent = t("已发送：%(name)s %(time)s，查看排污口档案", {name: it.name || it.code, time: new Date(it.started).toLocaleString()});
          note = a;
        } else {
          // refused (400/403/404): never retried; back into the form to fix when it is this outfall's
          // and the form is empty, else kept in the outbox as 被退回 until opened
          const errs = r.body.errors || {"__all__": [r.body.detail || `HTTP ${r.status}`]};
          it.refused = Object.entries(errs).flatMap(([f, ms]) => ms.map((m) => (f === "__all__" ? m : `${f}: ${m}`)));
          show(sendErrors, it.refused);
          if (it.code === code && formIsEmpty()) reopen(it);
          else store(OUTBOX, load(OUTBOX, []).map((x) => (x.key === it.key ? it : x)));
        }
      }
    } finally {
      sending = false;
      renderOutbox(note);
    }
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    save();
    const it = {key: draft.key, started: draft.started, fields: draft.fields, qt: draft.qt, photos: draft.photos,
                url: form.action, code: code, name: form.dataset.name};
    const box = load(OUTBOX, []).filter((x) => x.key !== it.key);
    box.push(it);
    if (!store(OUTBOX, box)) return;
    draft = newDraft();
    localStorage.removeItem(DRAFT);
    form.reset(); renderQt([]); renderPhotos(); show(sendErrors, []);
    document.getElementById("distance").textContent = "";
    document.getElementById("draft-status").textContent = t("已加入待发送");
    renderOutbox();
    flush();
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", () => renderOutbox());
  setInterval(() => { if (navigator.onLine) flush(); }, 15000);

  // ---- start: restore the draft, register the service worker, send what waits ----------------
  if (Object.keys(draft.fields).length || draft.qt.length || draft.photos.length) {
    formFromFields(draft.fields); renderQt(draft.qt); renderPhotos(); showDistance();
    document.getElementById("draft-status").textContent = t("已恢复本机草稿") + (draft.photos.length ? " · " + t("照片 %(n)s 张", {n: draft.photos.length}) : "");
  }
  renderOutbox();
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker.register(form.dataset.sw + "?static=" + encodeURIComponent(form.dataset.static))
      .then(() => caches.open("outfall-inspect-v1"))
      .then((c) => c.addAll([location.pathname, ...form.dataset.assets.split(" ")]))
      .catch(() => {});
  }
  if (navigator.onLine) flush();
})();
