// The consoles' shared script: sign-in, the CSRF token on every change, roles, field messages, live updates.
// No inline script anywhere (the Content-Security-Policy forbids it): pages load this file and their own.
"use strict";
const Console = (() => {
  let csrf = null, session = null;
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    let data = null;
    const text = await res.text();
    if (text) { try { data = JSON.parse(text); } catch (e) { data = { error: text }; } }
    if (res.status === 401 && path !== "/api/session") showSignIn("Your session ended: sign in again.");
    return { ok: res.ok, status: res.status, data: data || {} };
  }

  function text(el, s) { el.textContent = s == null ? "" : String(s); return el; }

  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
    return e;
  }

  /** Shows an answer's error next to its field (data-error-for) or in the form's message box. */
  function showErrors(form, answer) {
    $$(".field-error", form).forEach(e => text(e, ""));
    const box = $(".message", form);
    if (box) { box.className = "message"; text(box, ""); }
    if (answer.ok) return;
    const target = answer.data.field && $(`[data-error-for="${answer.data.field}"]`, form);
    if (target) text(target, answer.data.error);
    else if (box) { box.className = "message bad"; text(box, answer.data.error || ("HTTP " + answer.status)); }
  }

  function applyRole() {
    document.body.classList.toggle("role-viewer", session.role !== "admin");
    document.body.classList.toggle("role-admin", session.role === "admin");
    // A viewer gets no change controls at all, not only hidden ones.
    if (session.role !== "admin") $$(".admin-only").forEach(e => e.remove());
  }

  let onReady = () => {};
  function showSignIn(message) {
    csrf = null;
    $("#app").classList.add("hidden");
    $("#signin").classList.remove("hidden");
    const box = $("#signin .message");
    box.className = message ? "message bad" : "message";
    text(box, message || "");
  }

  async function signedIn(s) {
    session = s; csrf = s.csrfToken;
    text($("#who"), `${s.user} (${s.role})`);
    $("#signin").classList.add("hidden");
    $("#app").classList.remove("hidden");
    applyRole();
    route();
    onReady(s);
  }

  function route() {
    const name = (location.hash || "").replace("#", "") || $("section.page").id.replace("page-", "");
    $$("section.page").forEach(p => p.classList.toggle("active", p.id === "page-" + name));
    $$("header nav a").forEach(a => a.classList.toggle("active", a.getAttribute("href") === "#" + name));
    document.dispatchEvent(new CustomEvent("console:page", { detail: name }));
  }

  function live(handlers) {
    if (!window.EventSource) return;
    const es = new EventSource("/api/events");
    for (const [event, fn] of Object.entries(handlers)) es.addEventListener(event, e => fn(JSON.parse(e.data || "{}")));
  }

  async function start(ready) {
    onReady = ready;
    window.addEventListener("hashchange", route);
    $("#signin form").addEventListener("submit", async ev => {
      ev.preventDefault();
      const f = ev.target;
      const a = await api("POST", "/api/session", { user: f.user.value, password: f.password.value });
      f.password.value = "";
      if (!a.ok) { showErrors(f, a); return; }
      signedIn(a.data);
    });
    // a fresh page after sign-out: controls a viewer's page removed come back for the next user
    $("#signout").addEventListener("click", async () => { await api("DELETE", "/api/session"); location.reload(); });
    const a = await api("GET", "/api/session");
    if (a.ok) signedIn(a.data); else showSignIn("");
  }

  return { api, el, text, showErrors, live, start, route, $, $$, isAdmin: () => session && session.role === "admin" };
})();
