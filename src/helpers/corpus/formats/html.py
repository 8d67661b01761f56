"""Web pages (`.html`, `.htm`): the article's main text and metadata, by trafilatura.

trafilatura is made for exactly this: it finds the main text of a news page and leaves out menus,
footers, share buttons, scripts and comments, and reads the page's title, author, date and site
name. Its tree of the main text (headings, paragraphs, lists, tables, images) becomes lines: a
block a line, blank lines between; an image's alt text a caption; a table row its cells joined
by tabs. Only dates marked up as such are taken (no guessing from a copyright year).
"""

from __future__ import annotations

import re

from helpers.corpus.formats import Blocks, Extracted, library, quiet, register
from helpers.text.characters import clean_markup, split_lines
from helpers.corpus.formats.encodings import Decoded, Unreadable, decode_text, repair

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADS = {"head"}
_BLOCKS = {"p", "quote", "code"}
_CONTAINED = _HEADS | _BLOCKS | {"list", "table", "graphic", "div", "cell"}
MAX_DEPTH = 1000  # elements nested in a page, at most (lxml's own limit of 256 is lifted: an article
# 300 <div>s deep is read, not lost)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
PARAGRAPH_WORDS = 15  # after a paragraph this long, a heading is a section heading, not the title


def decode_html(data: bytes) -> Decoded:
    """A page's text: UTF-8 when it is valid UTF-8 (whatever the page claims), else the charset its
    <meta> declares, else as a text file is decoded; mojibake repaired either way."""
    try:
        return repair(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(data[:8192])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            return repair(data.decode(name), name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _text(element) -> str:
    """An element's text, its inline children included, without the text after it."""
    return "".join(element.itertext()).strip()


def _holds_blocks(element) -> bool:
    """True for a container (a layout <div> or table cell) holding blocks of its own."""
    return any(child.tag in _CONTAINED for child in element)


def _lines_of(body) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Lines and settled roles from trafilatura's tree of the main text; a container of blocks (a
    <div> of paragraphs, an article in a layout table's cell) gives each block its own lines."""
    blocks = Blocks()
    block = blocks.add
    seen_text = False
    stack = [iter(body)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if tag in _HEADS:
            block([_text(el)], ("body", f"section heading (HTML {el.get('rend', 'heading')})") if seen_text else None)
        elif tag in _BLOCKS:
            # a <br> inside a paragraph (trafilatura's <lb/>) ends a line, as Shift+Enter does
            parts = [p.strip() for p in split_lines(_with_breaks(el))]
            block(parts)
            seen_text = seen_text or len(" ".join(parts).split()) > PARAGRAPH_WORDS
        elif tag == "list":
            block([_text(item) for item in el.iter("item")], ("body", "list item (HTML list)"))
            seen_text = True
        elif tag == "table" and any(_holds_blocks(cell) for cell in el.iter("cell")):
            stack.append(cell for row in el.iter("row") for cell in row.iter("cell"))  # a layout table
        elif tag == "table":
            rows = ["\t".join(_text(cell) for cell in row.iter("cell")) for row in el.iter("row")]
            block(rows, ("body", "table row (HTML table)"))
            seen_text = True
        elif tag == "graphic":
            caption = (el.get("alt") or el.get("title") or "").strip()
            block([caption], ("caption", "image caption (HTML alt text)"))
        elif _holds_blocks(el):
            if (el.text or "").strip():
                block([el.text.strip()])
            stack.append(iter(el))
        else:  # anything else trafilatura keeps (a <div> of text): its text, one line
            block([_text(el)])
    return blocks.lines, blocks.roles


def _with_breaks(element) -> str:
    """Text of a paragraph with its <lb/> line breaks as newlines."""
    out = [element.text or ""]
    for child in element:
        out.append("\n" if child.tag == "lb" else "".join(child.itertext()))
        out.append(child.tail or "")
    return "".join(out)


def deepest(tree) -> int:
    """How deep the page's elements are nested (counted without recursion)."""
    import lxml.etree

    depth = most = 0
    for event, _ in lxml.etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        most = max(most, depth)
    return most


def _captioned(markup: str):
    """The page's tree, each <figure>'s caption given to its images that have no alt text (trafilatura
    keeps an image's alt text and drops a <figcaption>). lxml's HTML parser expands no entities
    but the HTML ones, and loads nothing."""
    import lxml.etree
    import lxml.html

    try:  # an XHTML page's <?xml ... encoding=...?> is refused in a str: the text is decoded already
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", markup, count=1),
                                             parser=lxml.html.HTMLParser(huge_tree=True))
    except (lxml.etree.ParserError, ValueError):
        return markup  # trafilatura says what it makes of it
    depth = deepest(tree)
    if depth > MAX_DEPTH:
        raise Unreadable(f"web page with elements nested {depth} deep, over the {MAX_DEPTH} limit: not read")
    for figure in tree.iter("figure"):
        caption = " ".join(" ".join(c.itertext()) for c in figure.iter("figcaption")).split()
        for img in figure.iter("img"):
            if caption and not (img.get("alt") or "").strip():
                img.set("alt", " ".join(caption))
    return tree


def _link_texts(tree) -> set[str]:
    """The texts of the page's links and <noscript> notes: a page whose every line found is one of
    them holds menus and scripts, no article."""
    if isinstance(tree, str):
        return set()
    return {" ".join("".join(a.itertext()).split()) for a in tree.iter("a", "noscript")}


def extract_html(markup: str) -> Extracted:
    """The main text of a web page as lines, with its metadata; Unreadable when it has none."""
    import trafilatura

    markup, dropped = clean_markup(markup)  # a U+0001 or &#xFFFF; costs its character, not the page
    tree = _captioned(markup)
    links = _link_texts(tree)  # before trafilatura, which prunes the tree it is given
    try:
        with quiet("trafilatura", "htmldate", "courlan", "justext"):
            doc = trafilatura.bare_extraction(
                tree, with_metadata=True, include_comments=False, include_tables=True,
                include_images=True, favor_recall=True,
                date_extraction_params={"extensive_search": False, "original_date": True},
            )
    except Unreadable:
        raise
    except Exception as exc:  # a page the library cannot parse: named, never a traceback
        raise Unreadable(f"web page could not be read ({type(exc).__name__}: {exc})") from None
    if doc is None or doc.body is None or not len(doc.body):
        raise Unreadable("web page with no main text (only menus, scripts or nothing at all)")
    lines, roles = _lines_of(doc.body)
    if not lines or all(" ".join(line.split()) in links for line in lines if line.strip()):
        raise Unreadable("web page with no main text (only menus, scripts or nothing at all)")
    meta = tuple((k, str(v)) for k, v in (("title", doc.title), ("date", doc.date), ("author", doc.author),
                                            ("site", doc.sitename)) if v)
    return Extracted(tuple(lines), "html", library("trafilatura"), conversion=dropped, roles=tuple(roles), meta=meta)


@register("html", ".html", ".htm", ".xhtml")
def read_html(data: bytes) -> Extracted:
    """A saved web page."""
    decoded = decode_html(data)
    page = extract_html(decoded.text)
    conversion = "; ".join(c for c in (decoded.conversion, page.conversion) if c)
    return Extracted(page.lines, page.format, page.extractor, decoded.encoding, conversion,
                     page.roles, page.notes, page.meta)
