"""kyso-testkit: sign a PDF with pyHanko, as a reference signer.

Usage: python3 sign.py REQUEST_JSON

REQUEST_JSON is an array of jobs, each an object:
  {"input": path, "output": path, "field": name, "key": pem, "cert": pem,
   "chain": pem, "pss": bool, "pades": bool, "password": str (optional)}

"password" opens an encrypted input (user or owner password).

The field is filled if it exists, created (invisible, page 1) otherwise. The
input is read leniently (strict=False), so hybrid-reference files can be signed.
"""

import json
import sys
import traceback

from asn1crypto import algos
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers


def sign(req):
    mechanism = None
    if req.get("pss"):
        mechanism = algos.SignedDigestAlgorithm(
            {
                "algorithm": "rsassa_pss",
                "parameters": algos.RSASSAPSSParams(
                    {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "mask_gen_algorithm": {
                            "algorithm": "mgf1",
                            "parameters": {"algorithm": "sha256"},
                        },
                        "salt_length": 32,
                    }
                ),
            }
        )
    signer = signers.SimpleSigner.load(
        req["key"],
        req["cert"],
        ca_chain_files=(req["chain"],),
        signature_mechanism=mechanism,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=req["field"],
        md_algorithm="sha256",
        subfilter=(
            fields.SigSeedSubFilter.PADES
            if req.get("pades")
            else fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED
        ),
    )
    with open(req["input"], "rb") as inf:
        writer = IncrementalPdfFileWriter(inf, strict=False)
        if req.get("password") is not None:
            writer.encrypt(req["password"].encode("utf-8"))
        with open(req["output"], "wb") as outf:
            signers.sign_pdf(writer, meta, signer=signer, output=outf)


def main():
    for job in json.loads(sys.argv[1]):
        try:
            sign(job)
        except Exception:
            traceback.print_exc()
            sys.exit(f"cannot sign {job['input']}")


if __name__ == "__main__":
    main()
