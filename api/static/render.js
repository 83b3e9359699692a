// Building the conversation: bubbles, agent badges, tool steps, confirmation cards.
import { el, human, linkified } from "./dom.js";
import { tableFor } from "./tables.js";

// Paragraphs and "- " lists of a reply; `withoutLists` leaves the lists out when a table shows the same rows.
export function richText(text, { withoutLists = false } = {}) {
  const out = document.createDocumentFragment();
  for (const block of String(text).split(/\n{2,}/)) {
    const lines = block.split("\n");
    let list = null;
    let para = [];
    const flush = () => { if (para.length) out.append(el("p", {}, linkified(para.join("\n")))); para = []; };
    for (const line of lines) {
      const item = line.match(/^\s*[-•]\s+(.*)$/);
      if (item || (list && /^\s*…and \d+ more/.test(line))) {
        flush();
        if (!list) { list = el("ul"); if (!withoutLists) out.append(list); }
        list.append(el("li", {}, linkified(item ? item[1] : line.trim())));
      } else {
        list = null;
        para.push(line);
      }
    }
    flush();
  }
  return out;
}

const hue = (name) => [...String(name)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);

export function badge(agent) {
  const node = el("span", { class: "badge", title: `Answered by the ${agent} specialist` }, String(agent).replace(/_/g, " "));
  node.style.setProperty("--hue", hue(agent));
  return node;
}

export function userMessage(text) {
  return el("li", { class: "msg you" }, el("span", { class: "sr-only" }, "You said: "), el("p", {}, text));
}

export function errorMessage(text) {
  return el("li", { class: "msg error" }, el("strong", {}, "Sorry: "), text);
}

function argumentList(args) {
  const entries = Object.entries(args || {});
  if (!entries.length) return el("p", { class: "muted" }, "No arguments.");
  return el("dl", { class: "args" }, ...entries.flatMap(([k, v]) => [
    el("dt", {}, human(k)), el("dd", {}, typeof v === "string" ? v : JSON.stringify(v)),
  ]));
}

// One tool step: a line that says what ran and how it went, expandable to its arguments.
export function stepItem(step) {
  const status = el("span", { class: "step-status" });
  const latency = el("span", { class: "step-latency" });
  const detail = el("div", { class: "step-detail" }, argumentList(step.args));
  const li = el("li", { class: "step", "data-step": step.id || "" },
    el("details", {}, el("summary", {}, status, el("code", { class: "step-name" }, step.name), latency), detail));
  const show = (s) => {
    li.dataset.ok = s.ok === true ? "true" : s.ok === false ? "false" : "waiting";
    status.textContent = s.ok === true ? "✓" : s.ok === false ? "✗" : "…";
    status.setAttribute("aria-label", s.ok === true ? "succeeded" : s.ok === false ? "not carried out" : "waiting");
    latency.textContent = s.latency_ms != null ? `${s.latency_ms} ms` : "";
    detail.querySelector(".step-error")?.remove();
    if (s.error) detail.append(el("p", { class: "step-error" }, s.error));
  };
  show(step);
  return { node: li, update: (s) => show({ ...step, ...s }) };
}

// The card for an action that waits for a yes or no; `onAnswer("yes"|"no")` sends it.
export function confirmationCard(pending, onAnswer) {
  const id = `confirm-${Math.random().toString(36).slice(2, 9)}`;
  const outcome = el("p", { class: "confirm-outcome", hidden: true });
  const yes = el("button", { type: "button", class: "confirm-yes" }, "Confirm");
  const no = el("button", { type: "button", class: "ghost confirm-no", "aria-describedby": `${id}-hint` }, "Cancel");
  const card = el("div", { class: "confirm", role: "group", "aria-labelledby": id },
    el("p", { id, class: "confirm-title" }, "Please confirm: ", el("strong", {}, human(pending.name))),
    argumentList(pending.args),
    el("p", { id: `${id}-hint`, class: "muted" }, "Nothing changes until you press Confirm; Cancel leaves everything as it is."),
    el("div", { class: "row" }, yes, no), outcome);
  const settle = (answer) => {
    yes.disabled = no.disabled = true;
    outcome.hidden = false;
    outcome.textContent = { yes: "You confirmed.", no: "You cancelled: nothing was changed." }[answer]
      || "You answered in your next message.";
  };
  yes.addEventListener("click", () => { settle("yes"); onAnswer("yes"); });
  no.addEventListener("click", () => { settle("no"); onAnswer("no"); });
  return { node: card, settle };
}

// An answer from the crew as it streams in: badge, tool steps, text, tables and a confirmation card.
export function answerMessage() {
  const meta = el("div", { class: "meta" }, el("span", { class: "muted working" }, "Working…"));
  const steps = el("ol", { class: "steps", "aria-label": "Tool steps" });
  const text = el("div", { class: "text" });
  const tables = el("div", { class: "tables" });
  const node = el("li", { class: "msg agent" }, meta, steps, text, tables);
  const byId = new Map();
  let agent = null;
  return {
    node,
    setAgent(name) {
      if (!name || name === agent) return;
      agent = name;
      meta.replaceChildren(badge(name));
    },
    step(event) {
      let step = byId.get(event.id);
      if (!step) {
        step = stepItem(event);
        byId.set(event.id, step);
        steps.append(step.node);
      } else {
        step.update(event);
      }
      const table = event.ok ? tableFor(event.name, event.result) : null;
      if (table) tables.append(table);
      return step;
    },
    text(reply, { pending = null } = {}) {
      // The card replaces the reply's own "Please confirm: …" sentence, which repeats its content in code form.
      const shown = pending ? reply.replace(/(^|\n\n)Please confirm: [\s\S]*$/, "") : reply;
      text.replaceChildren(richText(shown, { withoutLists: tables.childElementCount > 0 }));
    },
    finish() {
      meta.querySelector(".working")?.remove();
      if (!agent) meta.replaceChildren(badge("supervisor"));
    },
    attach(card) { node.append(card); },
  };
}
