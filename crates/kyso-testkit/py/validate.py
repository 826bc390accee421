"""kyso-testkit: validate every signature of a PDF with pyHanko and print JSON.

Usage: python3 validate.py REQUEST_JSON

REQUEST_JSON is an object:
  {"pdfs": [paths], "trust_roots": [pem paths], "crls": [pem/der paths],
   "revocation_mode": "soft-fail" | "hard-fail" | "require", "password": str | null}

Prints a JSON array with one object per PDF, in order: either
{"pdf": path, "strict_syntax": bool, "signatures": [...]} with one entry per
embedded signature, in file order, each with the sub-results pyHanko keeps
(intact, valid, trusted, coverage, modification level, docmdp_ok, ...), or
{"pdf": path, "error": str} when the file cannot be read at all. Several PDFs
per run save the second or so that importing pyHanko takes.
"""

import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def _name(value):
    return None if value is None else getattr(value, "name", str(value))


def _read_crl(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.lstrip().startswith(b"-----"):
        from asn1crypto import pem

        _, _, data = pem.unarmor(data)
    return data


def _signature(sig, vc_factory):
    entry = {"field": sig.field_name}
    try:
        entry["sub_filter"] = str(sig.sig_object.get("/SubFilter"))
    except Exception:  # noqa: BLE001 - reporting only
        entry["sub_filter"] = None
    try:
        st = validate_pdf_signature(sig, vc_factory())
    except Exception as e:  # noqa: BLE001 - the failure is the result
        entry["error"] = f"{type(e).__name__}: {e}"
        return entry
    cert = st.signing_cert
    entry.update(
        intact=bool(st.intact),
        valid=bool(st.valid),
        trusted=bool(st.trusted),
        revoked=bool(getattr(st, "revoked", False)),
        coverage=_name(st.coverage),
        modification_level=_name(st.modification_level),
        docmdp_ok=st.docmdp_ok,
        bottom_line=bool(st.bottom_line),
        md_algorithm=st.md_algorithm,
        signature_mechanism=st.pkcs7_signature_mechanism,
        signer_subject=cert.subject.human_friendly if cert is not None else None,
        signer_common_name=(
            cert.subject.native.get("common_name") if cert is not None else None
        ),
        signing_time=(
            st.signer_reported_dt.isoformat() if st.signer_reported_dt else None
        ),
        trust_problem=_name(st.trust_problem_indic),
        summary=st.summary(),
        details=st.pretty_print_details(),
    )
    return entry


def main():
    req = json.loads(sys.argv[1])
    roots = [load_cert_from_pemder(p) for p in req.get("trust_roots", [])]
    crls = [_read_crl(p) for p in req.get("crls", [])]
    mode = req.get("revocation_mode") or "soft-fail"

    def vc_factory():
        return ValidationContext(
            trust_roots=roots, crls=crls, allow_fetching=False, revocation_mode=mode
        )

    def run(path, strict):
        with open(path, "rb") as f:
            reader = PdfFileReader(f, strict=strict)
            if reader.encrypted and req.get("password") is not None:
                reader.decrypt(req["password"].encode())
            if strict and reader.xrefs.hybrid_xrefs_present:
                # pyHanko validates hybrid-reference files only leniently.
                raise ValueError("hybrid-reference file")
            return [_signature(sig, vc_factory) for sig in reader.embedded_signatures]

    def one(path):
        try:
            return {"pdf": path, "strict_syntax": True, "signatures": run(path, True)}
        except Exception:  # noqa: BLE001 - retry leniently, as --no-strict-syntax
            pass
        try:
            return {"pdf": path, "strict_syntax": False, "signatures": run(path, False)}
        except Exception as e:  # noqa: BLE001 - the failure is the result
            return {"pdf": path, "error": f"{type(e).__name__}: {e}"}

    json.dump([one(path) for path in req["pdfs"]], sys.stdout)

if __name__ == "__main__":
    main()
