"""Finishing WeasyPrint's tagged PDF for PDF/UA-1, with pikepdf.

WeasyPrint 70 tags the body well but leaves two things a PDF/UA checker fails:

- the page margins (the marking, where the paper went, the page number) are
  marked content that the structure tree never reaches and that is not marked
  as an artifact (WeasyPrint: artifacts in the tree are "only allowed in PDF
  2.0"). Here each such sequence becomes an /Artifact of type /Pagination, and
  its empty slot in the page's parent-tree entry is cleared;
- table header cells (/TH) carry no /Scope. Here each gets /Column when it is
  in the table's head row, /Row otherwise (a front sheet's row headings).

The output is saved with a deterministic document id, so the same paper still
gives the same bytes.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name


def _walk(node, seen: set, parents: tuple = ()):
    """(element, its ancestors' tags) for every structure element under ``node``."""
    if not isinstance(node, Dictionary) or node.objgen in seen and node.objgen != (0, 0):
        return
    seen.add(node.objgen)
    yield node, parents
    kids = node.get("/K")
    if kids is None:
        return
    tag = str(node.get("/S", ""))
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, Dictionary):
            yield from _walk(kid, seen, (*parents, tag))


def _reached(pdf: pikepdf.Pdf) -> set[tuple[tuple[int, int], int]]:
    """(page object, MCID) pairs the structure tree reaches."""
    reached = set()
    root = pdf.Root.StructTreeRoot
    for element, _ in _walk(root, set()):
        kids = element.get("/K")
        if kids is None:
            continue
        page = element.get("/Pg")
        for kid in kids if isinstance(kids, Array) else [kids]:
            if isinstance(kid, int) and page is not None:
                reached.add((page.objgen, int(kid)))
            elif isinstance(kid, Dictionary) and "/MCID" in kid:
                kid_page = kid.get("/Pg", page)
                if kid_page is not None:
                    reached.add((kid_page.objgen, int(kid.MCID)))
    return reached


def _scope_headers(pdf: pikepdf.Pdf) -> None:
    for element, parents in _walk(pdf.Root.StructTreeRoot, set()):
        if str(element.get("/S", "")) != "/TH":
            continue
        scope = Name.Column if "/THead" in parents else Name.Row
        element.A = Dictionary(O=Name.Table, Scope=scope)


def _margins_as_artifacts(pdf: pikepdf.Pdf) -> None:
    reached = _reached(pdf)
    parent_tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    nums = parent_tree.get("/Nums") if parent_tree is not None else None
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)} if nums else {}
    for page in pdf.pages:
        obj = page.obj
        instructions = list(pikepdf.parse_content_stream(page))
        unreached = []
        for index, instruction in enumerate(instructions):
            operands, operator = list(instruction.operands), instruction.operator
            if str(operator) != "BDC" or len(operands) != 2:
                continue
            props = operands[1]
            if not isinstance(props, Dictionary) or "/MCID" not in props:
                continue
            mcid = int(props.MCID)
            if (obj.objgen, mcid) in reached:
                continue
            instructions[index] = pikepdf.ContentStreamInstruction(
                [Name.Artifact, Dictionary(Type=Name.Pagination)], operator
            )
            unreached.append(mcid)
        if not unreached:
            continue
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        entry = entries.get(int(obj.get("/StructParents", -1)))
        if isinstance(entry, Array):
            for mcid in unreached:
                if mcid < len(entry):
                    entry[mcid] = None


def finish(data: bytes) -> bytes:
    """The PDF with its margins as artifacts and its table headers scoped."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _scope_headers(pdf)
        _margins_as_artifacts(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()
