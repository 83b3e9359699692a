"""Split a markdown article into retrieval chunks by heading and size."""

import re
from dataclasses import dataclass
from typing import Any

MAX_CHARS = 800
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Chunk:
    """One piece of an article, with the heading path it sits under and its metadata."""

    id: str
    heading: str
    text: str
    metadata: dict[str, Any]

    @property
    def document(self) -> str:
        """The text that gets embedded: title and heading path first, so a short chunk keeps its context."""
        return (
            f"{self.metadata['title']} > {self.heading}\n{self.text}"
            if self.heading
            else (f"{self.metadata['title']}\n{self.text}")
        )


def _sections(body: str, title: str) -> list[tuple[str, str]]:
    """(heading path, text) for each run of text between headings; fenced code is never read as a heading."""
    sections: list[tuple[str, str]] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            # The article title is already in every document prefix; repeating it as a heading adds noise.
            names = [name for _, name in path if name.casefold() != title.casefold()]
            sections.append((" > ".join(names), text))
        lines.clear()

    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match is None:
            lines.append(line)
            continue
        flush()
        level = len(match.group(1))
        path[:] = [(lvl, name) for lvl, name in path if lvl < level] + [(level, match.group(2))]
    flush()
    return sections


# A table row written out ("method: gift card; time to appear: immediately."): read back as an item of a list.
TABLE_ROW = re.compile(r"[^:;\n]+: [^;\n]*(?:; [^:;\n]+: [^;\n]*)+\.")


def _table_rows(lines: list[str]) -> list[str]:
    """Markdown table rows as 'header: cell; ...' lines, so each row reads (and embeds) on its own."""
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    header = cells[0]
    rows = [row for row in cells[1:] if not all(set(c) <= set("-: ") for c in row)]
    return ["; ".join(f"{h}: {c}" for h, c in zip(header, row, strict=False)) + "." for row in rows]


def _flatten_tables(text: str) -> str:
    """Replace every markdown table of a section by its rows written out as lines."""
    out: list[str] = []
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            table.append(line)
            continue
        if table:
            out.extend(_table_rows(table))
            table = []
        out.append(line)
    return "\n".join(out).strip()


def _pieces(text: str, max_chars: int) -> list[str]:
    """Pack paragraphs (then sentences, then hard cuts) into pieces of at most max_chars."""
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", _flatten_tables(text)):
        paragraph = paragraph.strip()
        if len(paragraph) <= max_chars:
            units.append(paragraph)
            continue
        for sentence in SENTENCE_END.split(paragraph):
            units.extend(sentence[i : i + max_chars] for i in range(0, len(sentence), max_chars))
    pieces: list[str] = []
    for unit in filter(None, units):
        if pieces and len(pieces[-1]) + 2 + len(unit) <= max_chars:
            pieces[-1] = f"{pieces[-1]}\n\n{unit}"
        else:
            pieces.append(unit)
    return pieces


def chunk_article(
    article_id: str,
    title: str,
    category: str,
    version: int,
    body: str,
    status: str = "published",
    audience: str = "public",
    max_chars: int = MAX_CHARS,
) -> list[Chunk]:
    """Chunks of an article body, each at most max_chars of text, in reading order."""
    chunks: list[Chunk] = []
    for heading, text in _sections(body, title):
        for piece in _pieces(text, max_chars):
            index = len(chunks)
            metadata = {
                "article_id": article_id,
                "title": title,
                "category": category,
                "version": version,
                "status": status,
                "audience": audience,
                "heading": heading,
                "chunk": index,
            }
            chunks.append(Chunk(id=f"{article_id}#{index}", heading=heading, text=piece, metadata=metadata))
    return chunks
