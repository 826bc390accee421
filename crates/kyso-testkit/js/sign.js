// kyso-testkit: sign a PDF with @signpdf (node-signpdf 3), as an independent signer.
//
// Usage: NODE_PATH=<dir>/node_modules node sign.js REQUEST_JSON
//
// REQUEST_JSON is an array of jobs, each an object:
//   {"input": path, "output": path, "p12": path, "passphrase": string,
//    "placeholder": "plain" | "pdf-lib", "name": string}
//
// "plain" adds the signature field and its placeholder as an incremental update, by
// string operations on the file (@signpdf/placeholder-plain); "pdf-lib" loads the
// document with pdf-lib, adds the placeholder there and saves the whole document
// anew (@signpdf/placeholder-pdf-lib: earlier revisions are not kept). Either way
// @signpdf/signer-p12 signs with node-forge: PKCS#7 detached, SHA-256, RSA keys only,
// attributes contentType, signingTime and messageDigest, every certificate of the
// PKCS#12 file embedded.
//
// Prints one line of JSON a job: {"ok": true} or {"ok": false, "error": "..."}.

const fs = require('fs');
const signpdf = require('@signpdf/signpdf').default;
const { plainAddPlaceholder } = require('@signpdf/placeholder-plain');
const { pdflibAddPlaceholder } = require('@signpdf/placeholder-pdf-lib');
const { P12Signer } = require('@signpdf/signer-p12');
const { PDFDocument } = require('pdf-lib');

const SIGNATURE_LENGTH = 16384;

async function sign(job) {
    const input = fs.readFileSync(job.input);
    const common = {
        reason: 'kyso interop test (@signpdf)',
        contactInfo: 'kyso-testkit',
        name: job.name,
        location: 'Hà Nội',
        signatureLength: SIGNATURE_LENGTH,
    };
    let withPlaceholder;
    if (job.placeholder === 'plain') {
        withPlaceholder = plainAddPlaceholder({ pdfBuffer: input, ...common });
    } else if (job.placeholder === 'pdf-lib') {
        const pdfDoc = await PDFDocument.load(input);
        pdflibAddPlaceholder({ pdfDoc, ...common });
        withPlaceholder = Buffer.from(await pdfDoc.save({ useObjectStreams: false }));
    } else {
        throw new Error(`unknown placeholder ${job.placeholder}`);
    }
    const signer = new P12Signer(fs.readFileSync(job.p12), { passphrase: job.passphrase });
    const signed = await signpdf.sign(withPlaceholder, signer);
    fs.writeFileSync(job.output, signed);
}

async function main() {
    const jobs = JSON.parse(process.argv[process.argv.length - 1]);
    for (const job of jobs) {
        try {
            await sign(job);
            console.log(JSON.stringify({ ok: true, error: null }));
        } catch (e) {
            console.log(JSON.stringify({ ok: false, error: String(e && e.stack ? e.stack : e) }));
        }
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
