// The Bridge console's pages: routers and enrollment tokens, directory and access, network map.
// Every action is a call of the Bridge's admin API (/api/admin/...), the same the 'bridge' commands use.
"use strict";
(() => {
  const { api, el, text, showErrors, $, $$ } = Console;
  const SERVICES = ["echo", "store", "find", "move", "get"];
  let bridge = {}, traffic = { lastSeen: {}, versions: {}, links: [] }, routers = [], grants = [];
  const size = b => b >= 1048576 ? (b / 1048576).toFixed(1) + " MiB" : b >= 1024 ? (b / 1024).toFixed(1) + " KiB" : Math.round(b) + " B";
  const say = (box, ok, s) => { box.className = "message " + (ok ? "good" : "bad"); text(box, s); };

  async function loadRouters() {
    const a = await api("GET", "/api/admin/routers");
    if (a.ok) routers = a.data.routers;
    return a.ok;
  }

  async function loadTraffic() {
    const a = await api("GET", "/api/console/traffic");
    if (a.ok && a.data) traffic = a.data;
  }

  // ---- Routers ----
  async function showRouters() {
    await Promise.all([loadRouters(), loadTraffic()]);
    drawRouters();
    const t = await api("GET", "/api/admin/enrollment-tokens");
    if (!t.ok) return;
    $("#tokens-table tbody").replaceChildren(...t.data.tokens.map(k => {
      const row = el("tr", { "data-token": k.id, "data-router": k.routerId }, el("td", {}, k.id), el("td", {}, k.routerId), el("td", {}, k.displayName),
        el("td", {}, k.label || "—"), el("td", {}, k.createdAt), el("td", {}, k.expiresAt));
      if (Console.isAdmin()) {
        row.append(el("td", { class: "admin-only" }, el("button", { type: "button", class: "danger cancel-token", onclick: () => cancelToken(k.id) }, "Cancel")));
      }
      return row;
    }));
    text($("#tokens-summary"), t.data.tokens.length === 0 ? "No unused enrollment token." : "");
  }

  // The routers table from what is loaded: again at each traffic sample (last call, version, what each sent).
  function drawRouters() {
    const sent = id => traffic.links.filter(l => l.from === id)
      .reduce((t, l) => ({ n: t.n + l.notifications, b: t.b + l.blobBytes }), { n: 0, b: 0 });
    $("#routers-table tbody").replaceChildren(...routers.map(r => {
      const s = sent(r.routerId);
      const row = el("tr", { "data-router": r.routerId, "data-status": r.status },
        el("td", {}, r.routerId), el("td", {}, r.displayName), el("td", { class: r.status === "revoked" ? "bad state" : "ok state" },
          r.status === "revoked" ? `revoked ${r.revokedAt}` : "enrolled"),
        el("td", {}, r.enrolledAt), el("td", {}, traffic.lastSeen[r.routerId] || "not since the Bridge started"), (traffic.versions || {})[r.routerId] ? el("td", {}, traffic.versions[r.routerId])
          : el("td", { class: "muted" }, "not reported"),
        el("td", {}, r.provider || "bridge (default)"), el("td", {}, r.aes.map(x => x.aeTitle).join(", ") || "—"),
        el("td", {}, `${s.n} notification${s.n === 1 ? "" : "s"}, ${size(s.b)}`));
      if (Console.isAdmin()) {
        row.append(el("td", { class: "admin-only" }, r.status === "revoked" ? "" :
          el("button", { type: "button", class: "danger revoke", onclick: () => revoke(r.routerId) }, "Revoke")));
      }
      return row;
    }));
  }

  async function revoke(routerId) {
    if (!confirm(`Revoke router ${routerId}? Its API key and TLS certificate are refused from now on, the other routers drop it ` +
      `from their routing tables, and it can come back only with a new enrollment token.`)) return;
    const a = await api("POST", `/api/admin/routers/${encodeURIComponent(routerId)}/revoke`);
    say($("#routers-message"), a.ok, a.ok ? `Router ${routerId} revoked at ${a.data.revokedAt}.` : a.data.error);
    showRouters();
  }

  async function cancelToken(id) {
    if (!confirm(`Cancel enrollment token ${id}? It can no longer enroll a router.`)) return;
    const a = await api("DELETE", `/api/admin/enrollment-tokens/${encodeURIComponent(id)}`);
    say($("#routers-message"), a.ok, a.ok ? `Enrollment token ${id} for ${a.data.routerId} cancelled.` : a.data.error);
    showRouters();
  }

  async function createToken(ev) {
    ev.preventDefault();
    const f = ev.target;
    const body = { routerId: f.routerId.value.trim(), ttlSeconds: Number(f.ttl.value) };
    if (f.displayName.value.trim()) body.displayName = f.displayName.value.trim();
    if (f.label.value.trim()) body.label = f.label.value.trim();
    const a = await api("POST", "/api/admin/enrollment-tokens", body);
    showErrors(f, a);
    if (!a.ok) return;
    f.reset();
    const t = a.data;
    text($("#token-router"), `${t.routerId} (valid until ${t.expiresAt})`);
    text($("#token-value"), t.token);
    text($("#token-command"), "./dicom-relay enroll --config router.yaml --bridge " + bridge.url +
      (bridge.fingerprint ? " --bridge-fingerprint " + bridge.fingerprint : "") + " --token " + t.token);
    text($("#token-note"), `${bridge.url} is the Bridge as seen from its own host: give the address the router reaches it at. ` +
      `The router's router.yaml must say routerId: ${t.routerId}.`);
    $("#token-created").classList.remove("hidden");
    showRouters();
  }

  // ---- Directory and access ----
  async function showAccess() {
    const [ok, g] = await Promise.all([loadRouters(), api("GET", "/api/admin/access")]);
    if (!ok || !g.ok) return;
    grants = g.data.access;
    const owner = {};
    const aes = [];
    for (const r of routers) for (const x of r.aes) { owner[x.aeTitle] = r.routerId; aes.push({ routerId: r.routerId, ...x }); }
    $("#aes-table tbody").replaceChildren(...aes.map(x => el("tr", { "data-ae": x.aeTitle }, el("td", {}, x.routerId), el("td", {}, x.aeTitle),
      el("td", {}, x.services.join(", ")))));
    // columns: every exported AE, and AEs granted before their router exported them
    const columns = [...new Set([...aes.map(x => x.aeTitle), ...grants.map(x => x.aeTitle)])].sort();
    const active = routers.filter(r => r.status !== "revoked");
    const granted = (routerId, ae) => (grants.find(x => x.routerId === routerId && x.aeTitle === ae) || { services: [] }).services;
    $("#access-grid thead").replaceChildren(el("tr", {}, el("th", {}, "Router \\ AE"),
      ...columns.map(ae => el("th", { class: "ae", title: owner[ae] ? `exported by ${owner[ae]}` : "not exported by any router yet" }, ae))));
    $("#access-grid tbody").replaceChildren(...active.map(r => el("tr", { "data-router": r.routerId }, el("th", {}, r.routerId),
      ...columns.map(ae => {
        if (owner[ae] === r.routerId) return el("td", { class: "cell own", "data-ae": ae }, "owner");
        const has = granted(r.routerId, ae);
        return el("td", { class: "cell", "data-ae": ae }, ...SERVICES.map(s => {
          const box = el("input", { type: "checkbox", value: s, "data-router": r.routerId, "data-ae": ae, class: "grant" });
          box.checked = has.includes(s);
          if (!Console.isAdmin()) box.disabled = true; else box.addEventListener("change", () => saveCell(r.routerId, ae));
          return el("label", { title: s }, box, s);
        }));
      }))));
    $("#providers-table tbody").replaceChildren(...routers.map(r => {
      const settings = Object.entries(r.providerSettings || {}).map(([k, v]) => `${k}=${v}`).join("\n");
      const row = el("tr", { "data-router": r.routerId }, el("td", {}, r.routerId), el("td", { class: "provider" }, r.provider || "bridge (default)"),
        el("td", {}, el("pre", {}, settings || "—")));
      if (Console.isAdmin()) {
        row.append(el("td", { class: "admin-only" }, r.status === "revoked" ? "" :
          el("button", { type: "button", class: "edit-provider", onclick: () => openProvider(r, settings) }, "Assign")));
      }
      return row;
    }));
  }

  async function saveCell(routerId, ae) {
    const services = $$(`input.grant[data-router="${CSS.escape(routerId)}"][data-ae="${CSS.escape(ae)}"]`).filter(b => b.checked).map(b => b.value);
    const a = services.length > 0 ? await api("PUT", "/api/admin/access", { routerId, aeTitle: ae, services })
      : await api("DELETE", `/api/admin/access?routerId=${encodeURIComponent(routerId)}&aeTitle=${encodeURIComponent(ae)}`);
    say($("#access-message"), a.ok, a.ok ? (services.length > 0 ? `${routerId} may use ${services.join(", ")} of ${ae}.` : `${routerId} may no longer use ${ae}.`)
      : a.data.error);
    showAccess();
  }

  function openProvider(r, settings) {
    const f = $("#provider-form");
    showErrors(f, { ok: true });
    text($("#provider-title"), `Provider of ${r.routerId}`);
    f.routerId.value = r.routerId;
    f.name.value = r.provider || "";
    f.settings.value = settings;
    f.classList.remove("hidden");
    f.name.focus();
  }

  async function saveProvider(ev) {
    ev.preventDefault();
    const f = ev.target;
    const settings = {};
    for (const line of f.settings.value.split("\n").map(l => l.trim()).filter(l => l)) {
      const i = line.indexOf("=");
      if (i <= 0) { showErrors(f, { ok: false, status: 400, data: { error: `not key=value: ${line}` } }); return; }
      settings[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    const a = await api("PUT", `/api/admin/routers/${encodeURIComponent(f.routerId.value)}/provider`, { name: f.name.value.trim(), settings });
    showErrors(f, a);
    if (!a.ok) return;
    f.classList.add("hidden");
    say($("#access-message"), true, `${a.data.routerId} uses provider ${a.data.name}.`);
    showAccess();
  }

  // ---- Network map ----
  const NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, ...children) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  async function showMap() {
    const [ok, g] = await Promise.all([loadRouters(), api("GET", "/api/admin/access"), loadTraffic()]);
    if (ok && g.ok) grants = g.data.access;
    drawMap();
  }

  function drawMap() {
    const map = $("#map");
    if (!map) return;
    const owner = {};
    for (const r of routers) for (const x of r.aes) owner[x.aeTitle] = r.routerId;
    const n = routers.length, cx = 400, cy = 260, radius = n <= 1 ? 0 : 190;
    const at = {};
    routers.forEach((r, i) => {
      const angle = -Math.PI / 2 + 2 * Math.PI * i / Math.max(1, n);
      at[r.routerId] = { x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle) };
    });
    const parts = [svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "22", refY: "5", markerWidth: "8", markerHeight: "8", orient: "auto" },
      svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#5b6878" })))];
    const pairs = new Set();
    for (const gr of grants) {
      const to = owner[gr.aeTitle];
      if (!to || !at[gr.routerId] || !at[to] || pairs.has(gr.routerId + ">" + to)) continue;
      pairs.add(gr.routerId + ">" + to);
      const a = at[gr.routerId], b = at[to];
      parts.push(svg("line", { class: "grant", x1: a.x, y1: a.y, x2: b.x, y2: b.y, "marker-end": "url(#arrow)", "data-from": gr.routerId, "data-to": to }));
    }
    for (const l of traffic.links) {
      const a = at[l.from], b = at[l.to];
      if (!a || !b) continue;
      // offset each direction to its own side of the line, so both directions' labels are readable
      const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1, ox = -dy / len * 14, oy = dx / len * 14;
      parts.push(svg("line", { class: "traffic", x1: a.x + ox, y1: a.y + oy, x2: b.x + ox, y2: b.y + oy, "stroke-width": 1 + Math.min(6, Math.log10(1 + l.blobBytesPerSecond)) }));
      parts.push(svg("text", { class: "rate", x: (a.x + b.x) / 2 + ox * 2, y: (a.y + b.y) / 2 + oy * 2, "text-anchor": "middle", "data-from": l.from, "data-to": l.to },
        `${l.from} → ${l.to}: ${size(l.blobBytesPerSecond)}/s, ${l.notificationsPerSecond.toFixed(1)} notif/s now; ${size(l.blobBytes)}, ${l.notifications} notif in all`));
    }
    for (const r of routers) {
      const p = at[r.routerId];
      parts.push(svg("g", { class: "node" + (r.status === "revoked" ? " revoked" : ""), "data-router": r.routerId },
        svg("circle", { cx: p.x, cy: p.y, r: 16 }),
        svg("text", { x: p.x, y: p.y + 34, "text-anchor": "middle" }, r.routerId + (r.status === "revoked" ? " (revoked)" : "")),
        svg("text", { x: p.x, y: p.y + 50, "text-anchor": "middle", class: "aes" }, r.aes.map(x => x.aeTitle).join(", "))));
    }
    map.replaceChildren(...parts);
    text($("#map-sampled"), routers.length === 0 ? "No router enrolled yet." : `Traffic sampled at ${traffic.sampledAt || "—"}.`);
  }

  const loaders = { routers: showRouters, access: showAccess, map: showMap };
  const current = () => (location.hash || "#routers").slice(1);
  document.addEventListener("console:page", e => (loaders[e.detail] || (() => {}))());
  document.addEventListener("DOMContentLoaded", () => {
    const tf = $("#token-form");
    if (tf) tf.addEventListener("submit", createToken);
    $("#token-dismiss").addEventListener("click", () => { $("#token-created").classList.add("hidden"); text($("#token-value"), ""); text($("#token-command"), ""); });
    const pf = $("#provider-form");
    if (pf) { pf.addEventListener("submit", saveProvider); $("#provider-cancel").addEventListener("click", () => pf.classList.add("hidden")); }
    Console.start(async () => {
      const b = await api("GET", "/api/console/bridge");
      if (b.ok) bridge = b.data;
      Console.live({
        changed: () => (loaders[current()] || (() => {}))(),
        traffic: t => { traffic = t; if (current() === "map") drawMap(); else if (current() === "routers") drawRouters(); }
      });
    });
  });
})();
