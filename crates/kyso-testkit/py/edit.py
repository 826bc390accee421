"""kyso-testkit: edit a (signed) PDF with pypdf, as an incremental update.

Usage: python3 edit.py REQUEST_JSON

REQUEST_JSON is an array of jobs, each an object:
  {"input": path, "output": path, "edit": EDIT, "field": name, "value": text}

EDIT is one of
  "metadata"        set /Title in the document information dictionary (/Info),
                    creating the dictionary if the file has none;
  "annotation"      add a /Text annotation (a sticky note) to page 1;
  "form-fill"       set the value (/V) of the text field "field" to "value" and
                    regenerate its appearance; fails if there is no such text field;
  "page-content"    append a content stream drawing text to page 1 (its own font
                    resource /KysoF1, Helvetica);
  "add-text-field"  add an empty text field "field" (widget on page 1, /DA with
                    Helvetica in the AcroForm's /DR), creating the AcroForm if needed.

The output is the input's bytes unchanged, then one incremental update written by
PdfWriter(reader, incremental=True) (pypdf >= 5): only the objects the edit
changed or added, a new cross-reference section and trailer with /Prev.

Prints one line of JSON a job: {"ok": true, "error": null} or {"ok": false, "error": ...}.
"""

import json
import sys
import traceback

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Text
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def helvetica():
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def text_fields(writer):
    """Text fields by fully qualified name."""
    fields = writer._root_object.get("/AcroForm", {}).get("/Fields", [])
    found = {}

    def walk(node, prefix):
        node = node.get_object()
        name = node.get("/T")
        full = prefix if name is None else (f"{prefix}.{name}" if prefix else str(name))
        kids = node.get("/Kids")
        if kids and any("/T" in k.get_object() for k in kids):
            for kid in kids:
                walk(kid, full)
        elif node.get("/FT") == "/Tx":
            found[full] = node

    for f in fields:
        walk(f, "")
    return found


def edit(job):
    reader = PdfReader(job["input"])
    writer = PdfWriter(reader, incremental=True)
    what = job["edit"]
    if what == "metadata":
        writer.add_metadata({"/Title": "kyso interop: title set by pypdf"})
    elif what == "annotation":
        note = Text(rect=(50, 700, 70, 720), text="kyso interop: a note added by pypdf")
        writer.add_annotation(page_number=0, annotation=note)
    elif what == "form-fill":
        field = job["field"]
        if field not in text_fields(writer):
            raise ValueError(
                f"no text field named {field!r} in {job['input']} "
                f"(text fields: {sorted(text_fields(writer))})"
            )
        writer.update_page_form_field_values(
            None, {field: job["value"]}, auto_regenerate=False
        )
    elif what == "page-content":
        page = writer.pages[0]
        resources = page.get("/Resources")
        resources = DictionaryObject() if resources is None else resources.get_object()
        fonts = resources.get("/Font")
        fonts = DictionaryObject() if fonts is None else fonts.get_object()
        fonts[NameObject("/KysoF1")] = writer._add_object(helvetica())
        resources[NameObject("/Font")] = fonts
        page[NameObject("/Resources")] = resources
        stream = DecodedStreamObject()
        stream.set_data(b"q BT /KysoF1 14 Tf 72 72 Td (kyso interop: text added by pypdf) Tj ET Q")
        ref = writer._add_object(stream)
        contents = page.get("/Contents")
        if contents is None:
            page[NameObject("/Contents")] = ref
        else:
            old = contents.get_object()
            refs = list(old) if isinstance(old, ArrayObject) else [contents]
            page[NameObject("/Contents")] = ArrayObject(refs + [ref])
    elif what == "add-text-field":
        page = writer.pages[0]
        root = writer._root_object
        form = root.get("/AcroForm")
        if form is None:
            form = DictionaryObject({NameObject("/Fields"): ArrayObject()})
            root[NameObject("/AcroForm")] = writer._add_object(form)
        form = form.get_object()
        if "/Fields" not in form:
            form[NameObject("/Fields")] = ArrayObject()
        dr = form.get("/DR")
        dr = DictionaryObject() if dr is None else dr.get_object()
        dr_fonts = dr.get("/Font")
        dr_fonts = DictionaryObject() if dr_fonts is None else dr_fonts.get_object()
        if "/Helv" not in dr_fonts:
            dr_fonts[NameObject("/Helv")] = writer._add_object(helvetica())
        dr[NameObject("/Font")] = dr_fonts
        form[NameObject("/DR")] = dr
        if "/DA" not in form:
            form[NameObject("/DA")] = TextStringObject("/Helv 0 Tf 0 g")
        widget = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(job["field"]),
                NameObject("/Rect"): ArrayObject(
                    [FloatObject(72), FloatObject(600), FloatObject(300), FloatObject(624)]
                ),
                NameObject("/F"): NumberObject(4),
                NameObject("/DA"): TextStringObject("/Helv 12 Tf 0 g"),
                NameObject("/P"): page.indirect_reference,
            }
        )
        ref = writer._add_object(widget)
        annots = page.get("/Annots")
        annots = ArrayObject() if annots is None else annots.get_object()
        annots.append(ref)
        page[NameObject("/Annots")] = annots
        form["/Fields"].get_object().append(ref)
    else:
        raise ValueError(f"unknown edit {what!r}")
    with open(job["output"], "wb") as out:
        writer.write(out)


def main():
    for job in json.loads(sys.argv[1]):
        try:
            edit(job)
            print(json.dumps({"ok": True, "error": None}), flush=True)
        except Exception:
            print(json.dumps({"ok": False, "error": traceback.format_exc()}), flush=True)


if __name__ == "__main__":
    main()
