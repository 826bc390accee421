"""kyso-pdf attack tests: certify a PDF with pyHanko (DocMDP certification signature).

Usage: python3 certify.py REQUEST_JSON

REQUEST_JSON: {"input": path, "output": path, "field": name, "key": pem, "cert": pem,
               "chain": pem, "p": 1 | 2 | 3}

kyso's signer does not certify, so the certification attacks of Mainka et al. (IEEE S&P
2021) start from a document certified by pyHanko: catalog /Perms /DocMDP pointing at the
signature, whose /Reference holds a DocMDP transform with /P.
"""

import json
import sys

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers


def main():
    req = json.loads(sys.argv[1])
    signer = signers.SimpleSigner.load(
        req["key"], req["cert"], ca_chain_files=(req["chain"],)
    )
    meta = signers.PdfSignatureMetadata(
        field_name=req["field"],
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm(req["p"]),
    )
    with open(req["input"], "rb") as inf:
        writer = IncrementalPdfFileWriter(inf)
        with open(req["output"], "wb") as outf:
            signers.sign_pdf(writer, meta, signer=signer, output=outf)


if __name__ == "__main__":
    main()
