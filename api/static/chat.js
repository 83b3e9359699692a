// The chat page: sign-in (API key or demo persona), your conversations, and the streamed chat itself.
import { ApiError, auth, call, download, plainWords, stream } from "./api.js";
import { el, human } from "./dom.js";
import { answerMessage, confirmationCard, errorMessage, userMessage } from "./render.js";

const $ = (id) => document.getElementById(id);
const state = { thread: localStorage.getItem("shopcrew-thread") || null, busy: false, card: null };
// Tool steps shown so far, by call id: an action confirmed in a later turn also updates the step that asked.
const shownSteps = new Map();
const phone = window.matchMedia("(max-width: 760px)");

function setStatus(text) { $("status").textContent = text; }

function setThread(id) {
  state.thread = id;
  if (id) localStorage.setItem("shopcrew-thread", id); else localStorage.removeItem("shopcrew-thread");
  for (const b of document.querySelectorAll("#threads button")) {
    b.toggleAttribute("aria-current", b.dataset.thread === id);
  }
}

function setBusy(busy) {
  state.busy = busy;
  $("send").disabled = busy;
  $("log").setAttribute("aria-busy", busy ? "true" : "false");
  for (const b of document.querySelectorAll(".confirm button")) if (busy) b.disabled = true;
}

function openPanel(open) {
  $("panel").classList.toggle("open", open);
  $("panel-toggle").setAttribute("aria-expanded", String(open));
}

function addToLog(node) {
  $("hello").hidden = true;
  $("log").append(node);
  node.scrollIntoView({ block: "nearest" });
}

// ---- signing in ----

// Signing in as someone else always starts a fresh conversation; `restore` keeps the one open on reload.
async function signIn(key, { restore = false } = {}) {
  if (!restore) newThread();
  auth.set(key);
  try {
    const me = await call("/api/v1/me");
    $("who-name").textContent = `${me.principal} · ${me.role}`;
    $("who").hidden = false;
    $("sign-out").hidden = false;
    $("signin-title").textContent = "Switch person or key";
    $("signin").open = false;
    $("api-key").value = "";
    setStatus(`Signed in as ${me.principal}.`);
    if (phone.matches) openPanel(false);
    await loadThreads();
    return true;
  } catch (error) {
    auth.set("");
    setStatus(plainWords(error));
    return false;
  }
}

function signOut() {
  auth.set("");
  setThread(null);
  $("who").hidden = $("sign-out").hidden = true;
  $("signin-title").textContent = "Sign in";
  $("signin").open = true;
  $("threads").replaceChildren();
  $("threads-empty").hidden = false;
  clearLog();
  $("hello").hidden = false;
  setStatus("Signed out.");
}

async function loadPersonas() {
  const { demo, personas } = await call("/api/v1/demo/personas").catch(() => ({ demo: false, personas: [] }));
  $("personas").hidden = !demo;
  $("persona-list").replaceChildren(...personas.map((p) => el("li", {},
    el("button", { type: "button", class: "persona", "data-principal": p.principal,
      onclick: () => signIn(p.key) },
    el("span", { class: "persona-name" }, p.name), el("span", { class: "role" }, p.role)))));
}

// ---- conversations ----

const ago = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
function when(iso) {
  const minutes = Math.round((new Date(iso) - Date.now()) / 60_000);
  if (Math.abs(minutes) < 60) return ago.format(minutes, "minute");
  if (Math.abs(minutes) < 60 * 48) return ago.format(Math.round(minutes / 60), "hour");
  return ago.format(Math.round(minutes / 1440), "day");
}

async function loadThreads() {
  let threads = [];
  try { threads = await call("/api/v1/chat/threads"); } catch (error) { setStatus(plainWords(error)); }
  $("threads-empty").hidden = threads.length > 0;
  $("threads-empty").textContent = "No conversations yet: ask something to start one.";
  $("threads").replaceChildren(...threads.map((t) => el("li", {},
    el("button", { type: "button", class: "thread", "data-thread": t.thread_id, "aria-current": t.thread_id === state.thread,
      onclick: () => openThread(t.thread_id) },
    el("span", { class: "thread-title" }, t.title),
    el("span", { class: "muted" }, `${t.turns} ${t.turns === 1 ? "message" : "messages"} · ${t.last_agent.replace(/_/g, " ")} · ${when(t.updated_at)}`)))));
}

function clearLog() {
  $("log").replaceChildren();
  shownSteps.clear();
}

function newThread() {
  setThread(null);
  clearLog();
  $("hello").hidden = false;
  $("message").focus();
}

async function openThread(id) {
  try {
    const conversation = await call(`/api/v1/chat/threads/${encodeURIComponent(id)}`);
    setThread(id);
    clearLog();
    let answer = null;
    for (const turn of conversation.turns) {
      if (turn.user) addToLog(userMessage(turn.user));
      answer = answerMessage();
      answer.setAgent(turn.agent);
      turn.steps.forEach((s) => showStep(answer, s));
      answer.text(turn.reply);
      answer.finish();
      addToLog(answer.node);
    }
    if (answer && conversation.pending_confirmation) askToConfirm(answer, conversation.pending_confirmation);
    setStatus(`Opened the conversation "${conversation.turns[0]?.user || id}".`);
    if (phone.matches) openPanel(false);
    $("message").focus();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) setThread(null);
    addToLog(errorMessage(plainWords(error)));
  }
}

// ---- sending ----

function showStep(answer, step) {
  const earlier = shownSteps.get(step.id) || { args: step.args, handles: [] };
  const full = { ...step, args: step.args || earlier.args };
  earlier.handles.forEach((handle) => handle.update(full));
  const handle = answer.step(full);
  if (!earlier.handles.includes(handle)) earlier.handles.push(handle);
  shownSteps.set(step.id, earlier);
}

function askToConfirm(answer, pending) {
  const card = confirmationCard(pending, send);
  answer.attach(card.node);
  state.card = card;
}

async function send(text) {
  if (state.busy) return;
  if (!auth.key) { setStatus("Sign in first: enter an API key or pick a demo person."); return; }
  // Any message answers a waiting card (the crew reads it as yes, no or a new request): settle it.
  state.card?.settle(["yes", "no"].includes(text) ? text : "other");
  state.card = null;
  addToLog(userMessage(text));
  const answer = answerMessage();
  let done = null;
  setBusy(true);
  setStatus("The crew is working…");
  try {
    for await (const { event, data } of stream(text, state.thread)) {
      if (event === "route" && data.agents?.length) setStatus(`Asking the ${data.agents.join(" and ").replace(/_/g, " ")} specialist…`);
      if (event === "tool_call" || event === "tool_result" || event === "message") {
        if (!answer.node.isConnected) addToLog(answer.node);
        answer.setAgent(data.agent);
      }
      if (event === "tool_call") { showStep(answer, { ...data, ok: null }); setStatus(`Running ${human(data.name)}…`); }
      if (event === "tool_result") showStep(answer, data);
      if (event === "message") answer.text(data.text);
      if (event === "done") done = data;
    }
    if (!done) throw new Error("cut off");
    if (!answer.node.isConnected) addToLog(answer.node);
    setThread(done.thread_id);
    answer.setAgent(done.agent);
    answer.text(done.reply, { pending: done.pending_confirmation });
    answer.finish();
    if (done.pending_confirmation) askToConfirm(answer, done.pending_confirmation);
    answer.node.scrollIntoView({ block: "nearest" });
    setStatus(done.pending_confirmation ? "Waiting for your confirmation." : "");
    loadThreads();
  } catch (error) {
    answer.node.remove();
    const words = error instanceof ApiError || error instanceof TypeError ? plainWords(error)
      : "The answer was cut off. Open the conversation again to see where it stands.";
    if (error instanceof ApiError && error.status === 401) signOut();
    addToLog(errorMessage(words));
    setStatus("");
  } finally {
    setBusy(false);
  }
}

// ---- wiring ----

$("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const key = $("api-key").value.trim();
  if (key) signIn(key);
});
$("sign-out").addEventListener("click", signOut);
$("new-thread").addEventListener("click", newThread);
$("panel-toggle").addEventListener("click", () => openPanel(!$("panel").classList.contains("open")));
$("ask-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("message").value.trim();
  if (!text || state.busy) return;
  $("message").value = "";
  send(text);
});
$("message").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    $("ask-form").requestSubmit();
  }
});
$("log").addEventListener("click", (e) => {
  const link = e.target.closest("a[data-document]");
  if (!link) return;
  e.preventDefault();
  download(link.getAttribute("href")).catch((error) => addToLog(errorMessage(plainWords(error))));
});

loadPersonas();
if (auth.key) {
  signIn(auth.key, { restore: true }).then((ok) => { if (ok && state.thread) openThread(state.thread); });
} else {
  openPanel(true);
}
