// Small DOM helpers shared by the page: elements, readable names, and links to generated documents.

// A document the documents agent generated, e.g. /api/v1/documents/062fbc32-a5dd-5ca1-9d94-4d1e76380a64/file
export const DOCUMENT_PATH = /\/api\/v1\/documents\/[\w.-]+\/file(?:\?[\w=&.%-]*)?/g;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// get_low_stock_report -> "Get low stock report"
export function human(name) {
  const words = String(name).replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// Text with every document path turned into a download link (the click sends the API key).
export function linkified(text) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const match of String(text).matchAll(DOCUMENT_PATH)) {
    out.append(text.slice(last, match.index));
    out.append(el("a", { href: match[0], class: "doc-link", "data-document": "" }, `Download document ${match[0].split("/")[4]}`));
    last = match.index + match[0].length;
  }
  out.append(String(text).slice(last));
  return out;
}
