// Tables from structured tool results: a list of records (or a report holding one) becomes a table.
import { el, human, linkified } from "./dom.js";

const isRecord = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isRecordList = (v) => Array.isArray(v) && v.length > 0 && v.every(isRecord);

// The records of a result that is a list: the result itself, or a report's one list beside plain figures.
// A single record holding several lists (an order with its items and payments) is not a list.
export function recordsOf(result) {
  if (isRecordList(result)) return { field: null, rows: result, figures: {} };
  if (!isRecord(result)) return null;
  const lists = Object.entries(result).filter(([, v]) => isRecordList(v));
  const nested = Object.values(result).filter((v) => isRecord(v) || (Array.isArray(v) && v.length && !isRecordList(v)));
  if (lists.length !== 1 || nested.length) return null;
  const [field, rows] = lists[0];
  const figures = Object.fromEntries(Object.entries(result).filter(([k, v]) => k !== field && !Array.isArray(v)));
  return { field, rows, figures };
}

export function cell(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map((v) => (isRecord(v) ? cell(v) : String(v))).join(", ");
  if (isRecord(value)) return Object.entries(value).map(([k, v]) => `${k}: ${cell(v)}`).join(", ");
  return String(value);
}

// Every key of the records, in their order, with internal ids after the words people read.
function columnsOf(rows) {
  const columns = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const isId = (c) => c === "id" || c.endsWith("_id");
  return [...columns.filter((c) => !isId(c)), ...columns.filter(isId)];
}

// A captioned, keyboard-scrollable table for the tool's result, or null when the result is not a list.
export function tableFor(toolName, result) {
  const found = recordsOf(result);
  if (!found) return null;
  const columns = columnsOf(found.rows);
  const what = human(String(toolName).replace(/^get_/, ""));
  const caption = `${what}: ${found.rows.length} ${found.rows.length === 1 ? "row" : "rows"}`;
  const numeric = columns.filter((c) => found.rows.every((r) => r[c] == null || typeof r[c] === "number"));
  const table = el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", { scope: "col" }, human(c))))),
    el("tbody", {}, ...found.rows.map((row) => el("tr", {},
      ...columns.map((c) => el("td", { class: numeric.includes(c) ? "num" : null }, linkified(cell(row[c]))))))));
  const figures = Object.entries(found.figures).filter(([, v]) => v !== null && v !== "");
  return el("figure", { class: "result-table" },
    el("div", { class: "table-scroll", role: "region", tabindex: "0", "aria-label": caption }, table),
    figures.length ? el("figcaption", {}, figures.map(([k, v]) => `${human(k)}: ${cell(v)}`).join(" · ")) : null);
}
