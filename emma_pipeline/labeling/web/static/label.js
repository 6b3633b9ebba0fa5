// Smart Labeling: clicks and keys become labels; every state change carries a fresh request id and is retried
// with the same id on a network failure, so the store applies it exactly once.
"use strict";

const csrf = document.querySelector('meta[name="csrf-token"]').content;

function requestId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function toast(message, isError) {
  const el = document.getElementById("toast");
  el.textContent = message;  // text, never HTML
  el.className = isError ? "show error" : "show";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.className = ""; }, isError ? 6000 : 1500);
}

async function post(url, body) {
  const payload = JSON.stringify({ request_id: requestId(), ...body });
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, {
        method: "POST", credentials: "same-origin", body: payload,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw Object.assign(new Error(data.error || response.statusText), { final: true });
      return data;
    } catch (err) {
      if (err.final || attempt >= 4) { toast(err.message, true); throw err; }
      await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));  // same request id: applied at most once
    }
  }
}

const status = document.getElementById("status");
const prop = status ? status.dataset.prop : null;
const grid = document.querySelector(".grid");
const mode = grid ? grid.dataset.mode : null;

async function label(card, value) {
  const data = await post(`/api/p/${prop}/labels`, { object_id: card.dataset.id, value, mode });
  card.classList.toggle("labeled-pos", value === 1);
  card.classList.toggle("labeled-neg", value === 0);
  document.getElementById("n-pos").textContent = data.positives;
  document.getElementById("n-neg").textContent = data.negatives;
}

function cards() { return Array.from(document.querySelectorAll(".card")); }

if (grid) {
  grid.addEventListener("click", (e) => {
    const card = e.target.closest(".card");
    if (!card || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;  // modified clicks: browser default
    e.preventDefault();
    card.focus();
    label(card, 1);
  });
  grid.addEventListener("contextmenu", (e) => {
    const card = e.target.closest(".card");
    if (!card) return;
    e.preventDefault();
    card.focus();
    label(card, 0);
  });
  // middle-click: the card is a link to the listing, so the browser opens it in a new tab by itself
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, textarea, select")) return;
    const all = cards();
    const current = document.activeElement && document.activeElement.closest(".card");
    const i = current ? all.indexOf(current) : -1;
    const move = (d) => { const next = all[Math.max(0, Math.min(all.length - 1, i + d))]; if (next) next.focus(); };
    if (e.key === "ArrowRight" || e.key === "j") move(1);
    else if (e.key === "ArrowLeft" || e.key === "k") move(-1);
    else if (e.key === ".") { const next = document.getElementById("next-page"); if (next) next.click(); }
    else if (current && (e.key === "y" || e.key === "1")) { label(current, 1); move(1); }
    else if (current && (e.key === "n" || e.key === "0")) { label(current, 0); move(1); }
    else if (current && e.key === "x") label(current, null);
    else if (current && e.key === "o") window.open(current.href, "_blank", "noopener");
    else if (current && e.key === "s") window.location = `/p/${prop}/more-like-this?ids=${encodeURIComponent(current.dataset.id)}`;
    else return;
    e.preventDefault();
  });
}

function onSubmit(id, handler) {
  const form = document.getElementById(id);
  if (!form) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const fields = Object.fromEntries(new FormData(form).entries());
    try { await handler(fields); } catch (err) { return; }
  });
}

onSubmit("property-form", async (f) => {
  const data = await post("/api/properties", f);
  window.location = `/p/${data.property}/features`;
});
onSubmit("feature-form", async (f) => { await post(`/api/p/${prop}/features`, f); window.location.reload(); });
onSubmit("definition-form", async (f) => { await post(`/api/p/${prop}/definition`, f); toast("saved"); });
onSubmit("decision-form", async (f) => { await post(`/api/p/${prop}/decisions`, f); window.location.reload(); });

document.querySelectorAll(".preset").forEach((button) => button.addEventListener("click", async () => {
  const data = await post("/api/properties", { preset: button.dataset.preset });
  window.location = `/p/${data.property}/features`;
}));
document.querySelectorAll(".remove-feature").forEach((button) => button.addEventListener("click", async () => {
  await post(`/api/p/${prop}/features/remove`, { feature_id: Number(button.dataset.feature) });
  window.location.reload();
}));
document.querySelectorAll(".save-feature").forEach((button) => button.addEventListener("click", async () => {
  const input = button.closest("tr").querySelector(".edit-pattern");
  await post(`/api/p/${prop}/features`, { kind: input.dataset.kind, pattern: input.value, replaces: Number(button.dataset.feature) });
  window.location.reload();
}));
