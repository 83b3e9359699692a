// The chat page: posts to /api/v1/chat/stream and renders its server-sent events.
const $ = (id) => document.getElementById(id);
const state = { key: localStorage.getItem("shopcrew-key") || "", thread: localStorage.getItem("shopcrew-thread") || null };
$("api-key").value = state.key;

function add(cls, text, who) {
  const li = document.createElement("li");
  li.className = cls;
  if (who) { const b = document.createElement("span"); b.className = "who"; b.textContent = who.replace("_", " "); li.append(b); }
  li.append(document.createTextNode(text));
  $("log").append(li);
  li.scrollIntoView({ block: "end" });
}

function setThread(id) {
  state.thread = id;
  if (id) localStorage.setItem("shopcrew-thread", id); else localStorage.removeItem("shopcrew-thread");
}

async function* sse(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
      const event = (block.match(/^event: (.*)$/m) || [])[1] || "message";
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (data) yield { event, data: JSON.parse(data) };
    }
  }
}

async function send(text) {
  if (!state.key) { $("status").textContent = "Enter an API key first."; return; }
  add("you", text);
  $("confirm").hidden = true;
  for (const b of document.querySelectorAll("button")) b.disabled = true;
  $("status").textContent = "The crew is working…";
  try {
    const response = await fetch("/api/v1/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.key}` },
      body: JSON.stringify({ message: text, thread_id: state.thread }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      add("error", (body.error && body.error.message) || `HTTP ${response.status}`);
      return;
    }
    for await (const { event, data } of sse(response)) {
      if (event === "tool_call") add("tool", `${data.agent} → ${data.name}(${JSON.stringify(data.args)})`);
      if (event === "tool_result") add("tool", `${data.name}: ${data.ok ? "done" : "not carried out"}`);
      if (event === "done") {
        setThread(data.thread_id);
        add("agent", data.reply, data.agent);
        if (data.pending_confirmation) {
          $("confirm-text").textContent = `Confirm ${data.pending_confirmation.description || data.pending_confirmation.name}?`;
          $("confirm").hidden = false;
        }
      }
    }
  } catch (err) {
    add("error", `Connection problem: ${err.message}`);
  } finally {
    for (const b of document.querySelectorAll("button")) b.disabled = false;
    $("status").textContent = "";
  }
}

$("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  state.key = $("api-key").value.trim();
  localStorage.setItem("shopcrew-key", state.key);
  $("status").textContent = "Key saved in this browser.";
});
$("new-thread").addEventListener("click", () => { setThread(null); $("log").replaceChildren(); });
$("ask-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("message").value.trim();
  if (text) { $("message").value = ""; send(text); }
});
for (const b of document.querySelectorAll("#confirm button")) b.addEventListener("click", () => send(b.dataset.answer));
