// Talking to the Shopcrew API: bearer key, JSON calls, the chat stream, and errors in plain words.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let key = localStorage.getItem("shopcrew-key") || "";

export const auth = {
  get key() { return key; },
  set(value) {
    key = value;
    if (value) localStorage.setItem("shopcrew-key", value); else localStorage.removeItem("shopcrew-key");
  },
};

// What a person should read when something fails, instead of a status code.
export function plainWords(error) {
  if (!(error instanceof ApiError)) {
    return "Couldn't reach the Shopcrew server. Check that it is running, then try again.";
  }
  if (error.status === 401) return "That API key was not accepted. Check it, or pick a demo person to sign in as.";
  if (error.status === 404 && error.code === "not_found") {
    return "That conversation wasn't found. It may have been started by someone else; start a new one.";
  }
  if (error.status === 422) return `That couldn't be sent: ${error.message}`;
  if (error.status === 429) return "Too many requests at once. Wait a moment, then try again.";
  if (error.status >= 500) return `Something went wrong on the server (error ${error.status}). Please try again.`;
  return error.message || `The request failed (error ${error.status}).`;
}

async function failure(response) {
  const body = await response.json().catch(() => ({}));
  const err = body.error || {};
  return new ApiError(response.status, err.code || "http_error", err.message || response.statusText);
}

function headers(extra = {}) {
  return { ...extra, ...(key ? { Authorization: `Bearer ${key}` } : {}) };
}

// GET or POST JSON; throws ApiError with the server's message on a 4xx or 5xx.
export async function call(path, options = {}) {
  const init = { method: options.method || "GET", headers: headers() };
  if (options.body !== undefined) {
    init.headers = headers({ "Content-Type": "application/json" });
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return response.json();
}

// Download a file the API serves behind the bearer key (a plain link could not send the key).
export async function download(path) {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw await failure(response);
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = (disposition.match(/filename="?([^";]+)"?/) || [])[1] || path.split("/").slice(-2)[0];
  const url = URL.createObjectURL(await response.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// POST a message to the chat stream and yield its server-sent events as {event, data}.
export async function* stream(message, threadId) {
  const response = await fetch("/api/v1/chat/stream", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify({ message, thread_id: threadId }),
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = (block.match(/^event: ?(.*)$/m) || [])[1] || "message";
      const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.replace(/^data: ?/, "")).join("\n");
      if (data) yield { event, data: JSON.parse(data) };
    }
  }
}
