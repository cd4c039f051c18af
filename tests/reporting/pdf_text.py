"""Reading a tagged PDF for tests: each page's text runs with their position and
marked content, and the structure tree's elements with their text.

pikepdf gives the objects; the text is decoded here from each font's ToUnicode
map (WeasyPrint writes Type 0 fonts with two-byte codes), so that a structure
element's text is what its marked content (MCID) draws on its page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf


@dataclass
class Run:
    text: str
    x: float
    y: float  # from the bottom of the page, in points
    artifact: bool  # inside an /Artifact marked-content sequence
    mcid: int | None  # the marked content's id, if tagged


@dataclass
class Element:
    tag: str  # "H1", "Table", "TH", …
    text: str
    children: list[Element] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def _to_unicode(font) -> dict[int, str]:
    data = font.ToUnicode.read_bytes().decode("latin-1")
    codes: dict[int, str] = {}

    def text(hex_: str) -> str:
        return bytes.fromhex(hex_).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            codes[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for src, end, dst in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])", block
        ):
            first, last = int(src, 16), int(end, 16)
            if dst.startswith("["):
                for i, each in enumerate(re.findall(r"<([0-9a-fA-F]+)>", dst)):
                    codes[first + i] = text(each)
            else:
                raw = bytes.fromhex(dst[1:-1])
                base = int.from_bytes(raw, "big")
                for i in range(last - first + 1):
                    codes[first + i] = (base + i).to_bytes(len(raw), "big").decode("utf-16-be")
    return codes


def _times(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def runs(page) -> list[Run]:
    """Every text-showing operator on ``page``, in content-stream order."""
    fonts = {str(name): _to_unicode(font) for name, font in page.Resources.Font.items()}
    identity = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    ctm, saved, tm, line = identity, [], identity, identity
    marks: list[tuple[str, int | None]] = []
    font: dict[int, str] = {}
    out: list[Run] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop()
        elif op == "cm":
            ctm = _times([float(x) for x in operands], ctm)
        elif op == "BT":
            tm = line = identity
        elif op == "Tm":
            tm = line = [float(x) for x in operands]
        elif op in ("Td", "TD"):
            tm = line = _times([1, 0, 0, 1, float(operands[0]), float(operands[1])], line)
        elif op == "Tf":
            font = fonts.get(str(operands[0]), {})
        elif op == "BMC":
            marks.append((str(operands[0]), None))
        elif op == "BDC":
            props = operands[1]
            mcid = (
                int(props.MCID)
                if isinstance(props, pikepdf.Dictionary) and "/MCID" in props
                else None
            )
            marks.append((str(operands[0]), mcid))
        elif op == "EMC":
            marks.pop()
        elif op in ("Tj", "TJ", "'", '"'):
            items = operands[0] if op == "TJ" else [operands[-1]]
            raw = b"".join(bytes(i) for i in items if isinstance(i, pikepdf.String))
            text = "".join(
                font.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2)
            )
            where = _times(tm, ctm)
            out.append(
                Run(
                    text,
                    where[4],
                    where[5],
                    any(tag == "/Artifact" for tag, _ in marks),
                    next((m for _, m in reversed(marks) if m is not None), None),
                )
            )
    return out


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def structure(pdf: pikepdf.Pdf) -> tuple[Element, set[tuple[int, int]]]:
    """The structure tree from /StructTreeRoot, each element with the text of
    the marked content under it; and the (page, MCID) pairs the tree reaches."""
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    texts: dict[tuple[int, int], str] = {}
    for number, page in enumerate(pdf.pages):
        for run in runs(page):
            if run.mcid is not None:
                key = (number, run.mcid)
                texts[key] = (texts.get(key, "") + " " + run.text).strip()
    reached: set[tuple[int, int]] = set()

    def build(node, page) -> list[Element]:
        if isinstance(node, pikepdf.Array):
            return [e for child in node for e in build(child, page)]
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/Type") == "/MCR":
                key = (pages[node.Pg.objgen], int(node.MCID))
                reached.add(key)
                return [Element("MCID", texts.get(key, ""))]
            if "/S" not in node:
                return []
            own = node.get("/Pg")
            here = pages[own.objgen] if own is not None else page
            children = build(node.K, here) if "/K" in node else []
            text = " ".join(c.text for c in children if c.text)
            return [Element(str(node.S).lstrip("/"), " ".join(text.split()), children)]
        try:
            mcid = int(node)
        except (TypeError, ValueError):
            return []
        key = (page, mcid)
        reached.add(key)
        return [Element("MCID", texts.get(key, ""))]

    root = pdf.Root.StructTreeRoot
    return Element("StructTreeRoot", "", build(root.K, None)), reached


def headings(tree: Element) -> list[tuple[int, str]]:
    return [(int(e.tag[1]), e.text) for e in tree.walk() if re.fullmatch(r"H[1-6]", e.tag)]
