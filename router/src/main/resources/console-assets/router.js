// The router console's pages: devices, queue, status. Every action is a call of the JSON API under /api/.
"use strict";
(() => {
  const { api, el, text, showErrors, $, $$ } = Console;

  // ---- Devices ----
  async function loadDevices() {
    const a = await api("GET", "/api/devices");
    if (!a.ok) return;
    const body = $("#devices-table tbody");
    body.replaceChildren();
    for (const d of a.data) {
      const echoResult = el("span", { class: "echo-result", "data-ae": d.aeTitle });
      const row = el("tr", { "data-ae": d.aeTitle },
        el("td", {}, d.aeTitle), el("td", {}, d.host), el("td", {}, d.port),
        el("td", {}, (d.services || []).join(", ") || "—"), el("td", {}, (d.transferSyntaxes || []).join(", ") || "usual"),
        el("td", {}, d.exported ? "yes" : "no"), el("td", {}, d.tls ? "yes" : "no"),
        el("td", {}, Console.isAdmin() ? el("button", { type: "button", class: "echo", onclick: () => echo(d.aeTitle, echoResult) }, "Echo") : "", " ", echoResult));
      if (Console.isAdmin()) {
        row.append(el("td", { class: "admin-only" },
          el("button", { type: "button", class: "edit", onclick: () => openForm(d) }, "Edit"), " ",
          el("button", { type: "button", class: "remove danger", onclick: () => removeDevice(d.aeTitle) }, "Remove")));
      }
      body.append(row);
    }
  }

  async function echo(ae, out, kind = "devices") {
    text(out, "…"); out.className = "echo-result muted";
    const a = await api("POST", `/api/${kind}/${encodeURIComponent(ae)}/echo`);
    if (!a.ok) { text(out, a.data.error); out.className = "echo-result bad"; return; }
    const r = a.data;
    const via = r.via ? ` via ${r.via}` : "";
    text(out, r.success ? `success${via}, ${r.milliseconds} ms round trip` : `failed${via}: ${r.error}`);
    out.className = "echo-result " + (r.success ? "ok" : "bad");
  }

  async function removeDevice(ae) {
    if (!confirm(`Remove device ${ae}? It can no longer call the router or be reached through it.`)) return;
    const a = await api("DELETE", `/api/devices/${encodeURIComponent(ae)}`);
    const box = $("#devices-message");
    box.className = "message " + (a.ok ? "good" : "bad");
    text(box, a.ok ? `Device ${ae} removed.` : a.data.error);
    loadDevices();
  }

  function openForm(d) {
    const f = $("#device-form");
    showErrors(f, { ok: true });
    f.reset();
    text($("#device-form-title"), d ? `Edit ${d.aeTitle}` : "Add device");
    f.original.value = d ? d.aeTitle : "";
    f.dataset.tls = d && d.tls ? JSON.stringify(d.tls) : "";
    if (d) {
      f.aeTitle.value = d.aeTitle; f.host.value = d.host; f.port.value = d.port;
      $$("input[name=services]", f).forEach(c => c.checked = (d.services || []).includes(c.value));
      f.transferSyntaxes.value = (d.transferSyntaxes || []).join("\n");
      f.exported.checked = !!d.exported;
    }
    f.classList.remove("hidden");
    f.aeTitle.focus();
  }

  async function saveForm(ev) {
    ev.preventDefault();
    const f = ev.target;
    const body = {
      aeTitle: f.aeTitle.value, host: f.host.value, port: f.port.value === "" ? null : Number(f.port.value),
      services: $$("input[name=services]:checked", f).map(c => c.value),
      transferSyntaxes: f.transferSyntaxes.value.split(/\s+/).filter(s => s),
      exported: f.exported.checked,
      tls: f.dataset.tls ? JSON.parse(f.dataset.tls) : null
    };
    const original = f.original.value;
    const a = original ? await api("PUT", `/api/devices/${encodeURIComponent(original)}`, body) : await api("POST", "/api/devices", body);
    showErrors(f, a);
    if (!a.ok) return;
    f.classList.add("hidden");
    const box = $("#devices-message");
    box.className = "message good";
    text(box, original ? `Device ${a.data.aeTitle} saved.` : `Device ${a.data.aeTitle} added.`);
    loadDevices();
  }

  // ---- Transfers ----
  const size = b => b >= 1048576 ? (b / 1048576).toFixed(1) + " MiB" : b >= 1024 ? (b / 1024).toFixed(1) + " KiB" : b + " B";
  // A known total gets a bar with a value; an unknown one (a C-STORE association still running) an indeterminate bar.
  function progressOf(t) {
    if (t.totalInstances >= 0) {
      return el("span", {}, el("progress", { max: String(Math.max(t.totalInstances, 1)), value: String(t.totalInstances === 0 ? 1 : t.instances) }),
        ` ${t.instances} / ${t.totalInstances}`);
    }
    return el("span", {}, el("progress", {}), ` ${t.instances} so far`);
  }
  function subOperationsOf(t) {
    const s = t.subOperations;
    if (!s) return "—";
    return `${s.remaining < 0 ? "?" : s.remaining} remaining, ${s.completed} completed, ${s.failed} failed, ${s.warning} warning`;
  }
  async function loadTransfers() {
    const a = await api("GET", "/api/transfers");
    if (!a.ok) return;
    $("#transfers-table tbody").replaceChildren(...a.data.map(t => el("tr", { "data-id": t.id, "data-state": t.state },
      el("td", {}, t.callingAe), el("td", { class: "called" }, t.calledAe), el("td", {}, t.remoteRouter || "—"),
      el("td", {}, t.operations.map(o => o.replace(/-RQ$/, "")).join(", ")), el("td", { class: "state " + (t.state === "failed" ? "bad" : t.state === "completed" ? "ok" : "") }, t.state),
      el("td", { class: "progress" }, progressOf(t)), el("td", { class: "instances" }, t.instances),
      el("td", {}, size(t.bytes)), el("td", {}, size(t.bytesPerSecond) + "/s"), el("td", { class: "sub-operations" }, subOperationsOf(t)),
      el("td", { class: t.errors ? "bad" : "" }, t.errors ? `${t.errors}: ${t.lastError || ""}` : "0"),
      el("td", {}, t.started))));
    text($("#transfers-summary"), a.data.length === 0 ? "No association since the router started." : "");
  }

  // ---- Studies and their timelines ----
  let selectedStudy = null;
  async function loadStudies() {
    const a = await api("GET", "/api/studies");
    if (!a.ok) return;
    $("#studies-table tbody").replaceChildren(...a.data.map(s => el("tr", {
        "data-study": s.studyInstanceUid, class: "clickable" + (s.studyInstanceUid === selectedStudy ? " selected" : ""),
        onclick: () => showTimeline(s.studyInstanceUid) },
      el("td", {}, s.studyInstanceUid), el("td", {}, s.callingAe), el("td", {}, s.calledAe), el("td", {}, s.remoteRouter || "—"),
      el("td", {}, s.received), el("td", { class: "answered" }, s.answered), el("td", { class: s.failed ? "bad" : "" }, s.failed),
      el("td", {}, s.lastActivity || "—"))));
    text($("#studies-summary"), a.data.length === 0 ? "No study relayed since the router started." : "");
    if (selectedStudy) showTimeline(selectedStudy);
  }

  async function showTimeline(uid) {
    selectedStudy = uid;
    $$("#studies-table tbody tr").forEach(r => r.classList.toggle("selected", r.dataset.study === uid));
    const a = await api("GET", `/api/studies/${encodeURIComponent(uid)}`);
    const box = $("#timeline");
    if (!a.ok) { box.classList.add("hidden"); return; }
    const t = a.data;
    text($("#timeline-title"), `Study ${t.study.studyInstanceUid}: ${t.study.callingAe} → ${t.study.calledAe} via ${t.study.remoteRouter || "?"}`);
    const statuses = h => Object.entries(h.statuses).map(([k, v]) => `${k}H × ${v}`).join(", ") || "—";
    // Times to the millisecond, and how long after the first object arrived at A (B's times on B's clock).
    const start = t.hops[0].first ? Date.parse(t.hops[0].first) : null;
    const time = (iso, remote) => el("td", { class: remote && iso ? "remote-clock" : "" }, !iso ? "—" :
      iso.replace("T", " ").replace(/(\.\d{3})\d*Z$/, "$1").replace(/Z$/, "") +
      (start === null ? "" : ` (+${((Date.parse(iso) - start) / 1000).toFixed(3)} s)`));
    $("#timeline-table tbody").replaceChildren(...t.hops.map(h => el("tr", { "data-hop": h.hop, class: h.count ? "" : "muted" },
      el("td", {}, h.label), el("td", { class: "count" }, h.count), time(h.first, h.remoteClock), time(h.last, h.remoteClock),
      el("td", {}, statuses(h)))));
    box.classList.remove("hidden");
  }

  // ---- Remote AEs ----
  async function loadRemote() {
    const a = await api("GET", "/api/remote-aes");
    if (!a.ok) return;
    const body = $("#remote-table tbody");
    body.replaceChildren(...a.data.map(r => {
      const result = el("span", { class: "echo-result", "data-ae": r.aeTitle });
      return el("tr", { "data-ae": r.aeTitle }, el("td", {}, r.aeTitle), el("td", {}, r.routerId),
        el("td", {}, (r.services || []).join(", ")),
        el("td", {}, Console.isAdmin() ? el("button", { type: "button", class: "echo", onclick: () => echo(r.aeTitle, result, "remote-aes") }, "Echo") : "",
          " ", result));
    }));
    text($("#remote-summary"), a.data.length === 0 ? "No remote AE yet: nothing exported to this router, or no directory received." : "");
  }

  // ---- Queue ----
  async function loadQueue() {
    const a = await api("GET", "/api/queue");
    if (!a.ok) return;
    const q = a.data;
    text($("#queue-summary"), q.total === 0 ? "The queue is empty: everything was delivered." :
      `${q.total} entr${q.total === 1 ? "y" : "ies"}` + (q.listed < q.total ? ` (${q.listed} listed)` : ""));
    const root = $("#queue-destinations");
    root.replaceChildren();
    for (const d of q.destinations) {
      const head = el("h3", {}, `${d.destination}: ${d.pending} pending, ${d.deadLetter} failed`);
      const bulk = Console.isAdmin() ? el("p", { class: "admin-only" },
        el("button", { type: "button", onclick: () => act("retry", { destination: d.destination }) }, "Retry pending"), " ",
        el("button", { type: "button", onclick: () => act("resubmit", { destination: d.destination }) }, "Resubmit failed"), " ",
        el("button", { type: "button", class: "danger", onclick: () => act("discard", { destination: d.destination }) }, "Discard all")) : "";
      const table = el("table", { class: "queue", "data-destination": d.destination },
        el("thead", {}, el("tr", {}, ...["Entry", "From", "Study", "State", "Attempts", "Remote status", "Reason", "Next attempt"].map(h => el("th", {}, h)),
          Console.isAdmin() ? el("th", { class: "admin-only" }, "Action") : "")));
      const body = el("tbody");
      for (const e of d.entries) {
        const row = el("tr", { "data-id": e.id }, el("td", {}, e.id), el("td", {}, e.callingAe), el("td", {}, e.studyInstanceUid),
          el("td", { class: e.state === "dead-letter" ? "bad" : "" }, e.state), el("td", {}, e.attempts), el("td", {}, e.lastStatus || "—"),
          el("td", {}, e.reason || "—"), el("td", {}, e.nextAttemptAt || "—"));
        if (Console.isAdmin()) {
          row.append(el("td", { class: "admin-only" },
            e.state === "dead-letter" ? el("button", { type: "button", onclick: () => act("resubmit", { id: e.id }) }, "Resubmit")
              : el("button", { type: "button", onclick: () => act("retry", { id: e.id }) }, "Retry"), " ",
            el("button", { type: "button", class: "danger", onclick: () => act("discard", { id: e.id }) }, "Discard")));
        }
        body.append(row);
      }
      table.append(body);
      root.append(head, bulk, table);
    }
  }

  async function act(action, selector) {
    if (action === "discard" && !confirm("Discard for good? This is recorded in discarded.log.")) return;
    const box = $("#queue-message");
    text(box, "…"); box.className = "message";
    const a = await api("POST", `/api/queue/${action}`, selector);
    box.className = "message " + (a.ok ? "good" : "bad");
    text(box, a.ok ? a.data.message : a.data.error);
    loadQueue();
  }

  // ---- Status ----
  async function loadStatus() {
    const a = await api("GET", "/api/status");
    if (!a.ok) return;
    const s = a.data, b = s.bridge || {}, c = s.cloud;
    const rows = [["Router", `${s.routerId} (${s.aeTitle}, DICOM port ${s.dicomPort})`], ["Version", s.version],
      ["Local devices", s.devices], ["Bridge", b.bridgeUrl || "—"],
      ["Bridge reachable", b.reachable ? "yes" : "no"], ["Last directory sync", b.lastSync || "none yet"],
      ["Last successful sync", b.lastSuccess || "none yet"],
      ["Cloud reachable", !c ? "no cloud provider (in-process link)" : c.reachable ? "yes" : c.lastFailure ? `no: ${c.lastError}` : "not yet asked"],
      ...(c ? [["Cloud: last answer", c.lastSuccess || "none yet"],
               ["Cloud: last failure", c.lastFailure ? `${c.lastFailure} (${c.lastError})` : "none"]] : []),
      ["Own key fingerprint", b.fingerprint || "—"]];
    const dl = $("#status-list");
    dl.replaceChildren();
    for (const [k, v] of rows) dl.append(el("dt", {}, k), el("dd", { "data-key": k }, v));
    const peers = await api("GET", "/api/peers");
    if (peers.ok) {
      $("#peers-table tbody").replaceChildren(...peers.data.map(p => el("tr", { "data-router": p.routerId },
        el("td", {}, p.routerId), el("td", {}, p.pinnedFingerprint),
        el("td", {}, p.pendingFingerprint || "—", p.pendingFingerprint && Console.isAdmin()
          ? el("button", { type: "button", class: "admin-only confirm-key", onclick: () => confirmKey(p.routerId, p.pendingFingerprint) }, "Confirm") : ""),
        el("td", {}, p.confirmedFingerprint || "—"))));
    }
    const log = await api("GET", "/api/log");
    if (log.ok) {
      $("#log-table tbody").replaceChildren(...log.data.slice().reverse().map(l => el("tr", {},
        el("td", {}, l.time), el("td", { class: l.level === "SEVERE" ? "bad" : "" }, l.level), el("td", {}, l.logger), el("td", {}, l.message))));
    }
  }

  async function confirmKey(routerId, fingerprint) {
    if (!confirm(`Confirm the new keys of ${routerId}, fingerprint ${fingerprint}? Compare it with that router's operator first.`)) return;
    const a = await api("POST", `/api/peers/${encodeURIComponent(routerId)}/confirm`, { fingerprint });
    const box = $("#peers-message");
    box.className = "message " + (a.ok ? "good" : "bad");
    text(box, a.ok ? a.data.message : a.data.error);
    loadStatus();
  }

  const loaders = { devices: loadDevices, transfers: loadTransfers, studies: loadStudies, remote: loadRemote, queue: loadQueue, status: loadStatus };
  const current = () => (location.hash || "#devices").slice(1);
  document.addEventListener("console:page", e => (loaders[e.detail] || (() => {}))());
  document.addEventListener("DOMContentLoaded", () => {
    $("#device-form").addEventListener("submit", saveForm);
    $("#device-cancel").addEventListener("click", () => $("#device-form").classList.add("hidden"));
    $("#device-new").addEventListener("click", () => openForm(null));
    $$("[data-bulk]").forEach(b => b.addEventListener("click", () => act(b.dataset.bulk, { all: true })));
    Console.start(() => {
      // The router sends at most one event per 250 ms: a load once more after the last one shows what it held back.
      let again = null;
      const progress = () => {
        const load = { transfers: loadTransfers, studies: loadStudies }[current()];
        if (!load) return;
        load();
        clearTimeout(again);
        again = setTimeout(load, 500);
      };
      Console.live({ devices: loadDevices, queue: loadQueue, transfers: progress, studies: progress });
    });
  });
})();
