"""Signs every PDF of a folder with pyHanko in one process (no start-up cost per file), for
benches/batch.sh: python3 batch_pyhanko.py IN_DIR OUT_DIR ID.p12 PASSWORD"""
import os
import sys

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

in_dir, out_dir, p12, password = sys.argv[1:5]
signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=password.encode())
meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=signers.fields.SigSeedSubFilter.PADES)
for name in sorted(os.listdir(in_dir)):
    with open(os.path.join(in_dir, name), "rb") as inf, open(os.path.join(out_dir, name), "wb") as outf:
        signers.sign_pdf(IncrementalPdfFileWriter(inf), meta, signer=signer, output=outf)
