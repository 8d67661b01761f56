"""The text of a Word body as Word shows it, read from its XML (python-docx's objects leave some out).

python-docx's `Paragraph.text` reads only a paragraph's direct runs and hyperlinks, and its body and
cells only direct paragraphs and tables: tracked insertions (`w:ins`), content controls (`w:sdt`,
inline and block, as official templates use them), smart tags, custom XML, simple fields
(`w:fldSimple`) and tables inside cells were lost. Here a paragraph's text is every `w:t` of it in
document order, except what Word does not show: tracked deletions and moves away (`w:del`,
`w:moveFrom`; their text is `w:delText` anyway), field instructions (`w:instrText`: a complex
field's shown result is ordinary runs), and text boxes (`w:txbxContent`, not read, as before).
A vertically merged cell's text is given once, on its first row (the cells below it that continue
the merge are empty; python-docx gives the first row's cell again for each). The work is bounded: styles are
looked up in one table made per document, and the cells and table nesting have named limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helpers.corpus.formats.encodings import Unreadable

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_CELLS = 200_000  # table cells in one document (a merge-heavy table bomb stops here, named)
MAX_TABLE_DEPTH = 20  # tables inside table cells, this deep at most
# Not shown by Word (or not read here): deletions, moves away, field instructions, text boxes, the
# fallback copy of an alternate content, paragraph and run properties.
_HIDDEN = {f"{W}del", f"{W}moveFrom", f"{W}instrText", f"{W}delText", f"{W}txbxContent", MC_FALLBACK,
           f"{W}pPr", f"{W}rPr", f"{W}delInstrText"}
_WRAPPERS = {f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag", f"{W}ins", f"{W}moveTo"}
_BREAKS = {f"{W}br", f"{W}cr"}


def paragraph_text(p) -> str:
    """A `w:p` element's shown text: runs wherever they sit (insertions, content controls, smart
    tags, fields, hyperlinks), tabs as tabs, line breaks as newlines."""
    out: list[str] = []
    stack = [iter(p)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        tag = element.tag
        if not isinstance(tag, str) or tag in _HIDDEN:
            continue
        if tag == f"{W}t":
            out.append(element.text or "")
        elif tag == f"{W}tab":
            out.append("\t")
        elif tag in _BREAKS:
            out.append("\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
        elif len(element):
            stack.append(iter(element))
    return "".join(out)


def style_names(styles_element) -> tuple[dict[str, str], str]:
    """Paragraph style ids to names, and the default paragraph style's name: made once a document
    (python-docx looks a style up by scanning every style, for every paragraph)."""
    names: dict[str, str] = {}
    default = ""
    if styles_element is None:
        return names, default
    for style in styles_element.iterchildren(f"{W}style"):
        if style.get(f"{W}type", "paragraph") != "paragraph":
            continue
        name = style.find(f"{W}name")
        text = name.get(f"{W}val", "") if name is not None else ""
        names[style.get(f"{W}styleId", "")] = text
        if style.get(f"{W}default") in ("1", "true", "on"):
            default = text
    return names, default


@dataclass
class Paragraph:
    """A paragraph of the body: its text, its style's name, and whether Word numbers it."""

    text: str
    style: str
    numbered: bool


@dataclass
class Table:
    """A table of the body: its rows' lines (cells joined by tabs; a table inside a cell gives its
    own rows, after the row holding it)."""

    rows: list[str] = field(default_factory=list)


@dataclass
class Walk:
    """The state of one document's walk: the style table and the cells counted so far."""

    styles: dict[str, str]
    default_style: str
    cells: int = 0

    def blocks(self, parent, depth: int = 0):
        """The paragraphs and tables of a body, a cell or a content control, in order."""
        for element in parent:
            tag = element.tag
            if tag == f"{W}p":
                yield self.paragraph(element)
            elif tag == f"{W}tbl":
                yield self.table(element, depth + 1)
            elif tag in _WRAPPERS:
                yield from self.blocks(element, depth)

    def paragraph(self, p) -> Paragraph:
        ppr = p.find(f"{W}pPr")
        style_id = ""
        numbered = False
        if ppr is not None:
            pstyle = ppr.find(f"{W}pStyle")
            style_id = pstyle.get(f"{W}val", "") if pstyle is not None else ""
            numbered = ppr.find(f"{W}numPr") is not None
        style = self.styles.get(style_id, self.default_style) if style_id else self.default_style
        return Paragraph(paragraph_text(p), style or "", numbered)

    def table(self, tbl, depth: int) -> Table:
        if depth > MAX_TABLE_DEPTH:
            raise Unreadable(f"Word file with tables nested more than {MAX_TABLE_DEPTH} deep (the limit): not read")
        table = Table()
        for tr in _children(tbl, f"{W}tr"):
            cells, inner = [], []
            for tc in _children(tr, f"{W}tc"):
                self.cells += 1
                if self.cells > MAX_CELLS:
                    raise Unreadable(f"Word file with more than {MAX_CELLS:,} table cells (the limit): not read")
                texts = []
                for block in self.blocks(tc, depth):
                    if isinstance(block, Table):
                        inner += block.rows
                    else:
                        texts.append(block.text)
                cells.append(" ".join(" ".join(texts).split()))  # a vertical merge's other rows are empty
            table.rows.append("\t".join(cells))
            table.rows += inner
        return table


def _children(parent, tag: str):
    """`parent`'s `tag` children, those inside content controls and custom XML too."""
    for element in parent:
        if element.tag == tag:
            yield element
        elif element.tag in _WRAPPERS:
            yield from _children(element, tag)

