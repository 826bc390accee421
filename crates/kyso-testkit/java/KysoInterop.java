// kyso-testkit: PDFBox 2 and iText 5 as independent signers, editors and verifiers.
//
// Usage: java -cp CLASSES:JARS KysoInterop < JOBS
//
// JOBS is one job a line, its fields separated by tabs:
//
//   pdfbox-sign   IN OUT KEY CERT CHAIN PSS(true|false)
//   itext5-sign   IN OUT KEY CERT CHAIN CMS|CADES
//   pdfbox-edit   IN OUT annotation
//   pdfbox-edit   IN OUT form-fill FIELD VALUE
//   pdfbox-verify PDF
//   itext5-verify PDF
//
// For each job, in order, one line of JSON goes to stdout:
//
//   {"ok": true, "error": null, "signatures": [...]}
//
// where a signature (verify jobs only) is
//
//   {"field": "Sig1", "subfilter": "adbe.pkcs7.detached", "verified": true,
//    "covers_whole_file": true, "signer_subject": "C=VN,...", "error": null}
//
// A job that throws gives {"ok": false, "error": "<stack trace>"} and writes no output
// file; the next job runs.
// KEY is a PEM PKCS#8 private key, CERT the signer's PEM certificate, CHAIN its
// issuers (PEM, intermediate then root); all of them go into the CMS.

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collection;
import java.util.List;

import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSUpdateInfo;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotation;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationText;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationWidget;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.PDSignature;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.SignatureOptions;
import org.apache.pdfbox.pdmodel.interactive.form.PDAcroForm;
import org.apache.pdfbox.pdmodel.interactive.form.PDField;
import org.apache.pdfbox.pdmodel.interactive.form.PDSignatureField;
import org.apache.pdfbox.pdmodel.interactive.form.PDTerminalField;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.Store;

import com.itextpdf.text.pdf.AcroFields;
import com.itextpdf.text.pdf.PdfDictionary;
import com.itextpdf.text.pdf.PdfName;
import com.itextpdf.text.pdf.PdfReader;
import com.itextpdf.text.pdf.PdfSignatureAppearance;
import com.itextpdf.text.pdf.PdfStamper;
import com.itextpdf.text.pdf.security.BouncyCastleDigest;
import com.itextpdf.text.pdf.security.DigestAlgorithms;
import com.itextpdf.text.pdf.security.EncryptionAlgorithms;
import com.itextpdf.text.pdf.security.ExternalSignature;
import com.itextpdf.text.pdf.security.MakeSignature;
import com.itextpdf.text.pdf.security.PdfPKCS7;
import com.itextpdf.text.pdf.security.PrivateKeySignature;

public final class KysoInterop {
    private KysoInterop() {}

    public static void main(String[] args) throws IOException {
        Security.addProvider(new BouncyCastleProvider());
        PrintStream out = new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            StringBuilder json = new StringBuilder();
            try {
                List<String> sigs = run(f);
                json.append("{\"ok\":true,\"error\":null,\"signatures\":[");
                json.append(String.join(",", sigs));
                json.append("]}");
            } catch (Throwable t) {
                json.setLength(0);
                json.append("{\"ok\":false,\"error\":").append(str(stackTrace(t))).append(",\"signatures\":[]}");
            }
            out.println(json);
        }
    }

    private static List<String> run(String[] f) throws Exception {
        List<String> none = new ArrayList<>();
        switch (f[0]) {
            case "pdfbox-sign":
                pdfboxSign(f[1], f[2], f[3], f[4], f[5], Boolean.parseBoolean(f[6]));
                return none;
            case "itext5-sign":
                itext5Sign(f[1], f[2], f[3], f[4], f[5], MakeSignature.CryptoStandard.valueOf(f[6]));
                return none;
            case "pdfbox-edit":
                pdfboxEdit(f);
                return none;
            case "pdfbox-verify":
                return pdfboxVerify(f[1]);
            case "itext5-verify":
                return itext5Verify(f[1]);
            default:
                throw new IllegalArgumentException("unknown job " + f[0]);
        }
    }

    // --- keys and certificates ---------------------------------------------------------

    private static PrivateKey loadKey(String path) throws IOException {
        try (PEMParser p = new PEMParser(new FileReader(path, StandardCharsets.US_ASCII))) {
            Object o = p.readObject();
            if (!(o instanceof PrivateKeyInfo)) {
                throw new IOException(path + ": not a PKCS#8 PRIVATE KEY but " + o);
            }
            return new JcaPEMKeyConverter().setProvider("BC").getPrivateKey((PrivateKeyInfo) o);
        }
    }

    /** The signer's certificate, then its issuers. */
    private static X509Certificate[] loadChain(String cert, String chain) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> all = new ArrayList<>();
        for (String path : new String[] {cert, chain}) {
            try (InputStream is = new FileInputStream(path)) {
                for (Certificate c : cf.generateCertificates(is)) {
                    all.add((X509Certificate) c);
                }
            }
        }
        return all.toArray(new X509Certificate[0]);
    }

    private static String subject(X509Certificate cert) {
        return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).toString();
    }

    // --- PDFBox --------------------------------------------------------------------------

    /** The classic PDFBox CreateSignature example, with BouncyCastle's CMSSignedDataGenerator. */
    private static void pdfboxSign(String in, String out, String keyPath, String certPath, String chainPath,
            boolean pss) throws Exception {
        PrivateKey key = loadKey(keyPath);
        X509Certificate[] chain = loadChain(certPath, chainPath);
        String alg;
        switch (key.getAlgorithm()) {
            case "RSA":
                alg = pss ? "SHA256withRSAandMGF1" : "SHA256withRSA";
                break;
            case "EC":
            case "ECDSA":
                alg = "SHA256withECDSA";
                break;
            default:
                throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
        }
        final String algorithm = alg;
        ByteArrayOutputStream os = new ByteArrayOutputStream();
        try (PDDocument doc = PDDocument.load(new File(in)); SignatureOptions options = new SignatureOptions()) {
            PDSignature signature = new PDSignature();
            signature.setFilter(PDSignature.FILTER_ADOBE_PPKLITE);
            signature.setSubFilter(PDSignature.SUBFILTER_ADBE_PKCS7_DETACHED);
            signature.setName(subject(chain[0]));
            signature.setReason("kyso interop test (PDFBox)");
            signature.setSignDate(Calendar.getInstance());
            options.setPreferredSignatureSize(32768);
            doc.addSignature(signature, content -> {
                try {
                    CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
                    ContentSigner signer = new JcaContentSignerBuilder(algorithm).setProvider("BC").build(key);
                    gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                            new JcaDigestCalculatorProviderBuilder().setProvider("BC").build())
                            .build(signer, chain[0]));
                    gen.addCertificates(new JcaCertStore(java.util.Arrays.asList(chain)));
                    CMSProcessableByteArray msg = new CMSProcessableByteArray(readAll(content));
                    CMSSignedData signed = gen.generate(msg, false);
                    return signed.getEncoded();
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }, options);
            doc.saveIncremental(os);
        }
        writeFile(out, os);
    }

    /** Marks `base` (resolving an indirect reference, and the reference too) for saveIncremental. */
    private static void mark(COSBase base) {
        if (base instanceof COSObject) {
            ((COSObject) base).setNeedToBeUpdated(true);
            base = ((COSObject) base).getObject();
        }
        if (base instanceof COSUpdateInfo) {
            ((COSUpdateInfo) base).setNeedToBeUpdated(true);
        }
    }

    /** Marks the page and every page-tree node up to the root, then the catalog. */
    private static void markPagePath(PDDocument doc, PDPage page) {
        COSDictionary node = page.getCOSObject();
        while (node != null) {
            node.setNeedToBeUpdated(true);
            node = node.getCOSDictionary(COSName.PARENT);
        }
        doc.getDocumentCatalog().getCOSObject().setNeedToBeUpdated(true);
    }

    private static void pdfboxEdit(String[] f) throws Exception {
        String in = f[1], out = f[2], what = f[3];
        ByteArrayOutputStream os = new ByteArrayOutputStream();
        try (PDDocument doc = PDDocument.load(new File(in))) {
            switch (what) {
                case "annotation": {
                    PDPage page = doc.getPage(0);
                    PDAnnotationText note = new PDAnnotationText();
                    note.setRectangle(new PDRectangle(50, 700, 20, 20));
                    note.setContents("kyso interop: a note added by PDFBox");
                    note.setName(PDAnnotationText.NAME_COMMENT);
                    note.setPage(page);
                    note.getCOSObject().setNeedToBeUpdated(true);
                    List<PDAnnotation> annots = page.getAnnotations();
                    annots.add(note);
                    page.setAnnotations(annots);
                    mark(page.getCOSObject().getItem(COSName.ANNOTS));
                    markPagePath(doc, page);
                    break;
                }
                case "form-fill": {
                    String name = f[4], value = f[5];
                    PDAcroForm form = doc.getDocumentCatalog().getAcroForm();
                    PDField field = form == null ? null : form.getField(name);
                    if (field == null) {
                        throw new IllegalArgumentException("no form field named " + name + " in " + in);
                    }
                    field.setValue(value);
                    doc.getDocumentCatalog().getCOSObject().setNeedToBeUpdated(true);
                    form.getCOSObject().setNeedToBeUpdated(true);
                    mark(form.getCOSObject().getItem(COSName.FIELDS));
                    field.getCOSObject().setNeedToBeUpdated(true);
                    if (field instanceof PDTerminalField) {
                        for (PDAnnotationWidget w : ((PDTerminalField) field).getWidgets()) {
                            w.getCOSObject().setNeedToBeUpdated(true);
                            COSBase ap = w.getCOSObject().getItem(COSName.AP);
                            mark(ap);
                            COSBase apd = ap instanceof COSObject ? ((COSObject) ap).getObject() : ap;
                            if (apd instanceof COSDictionary) {
                                for (COSName k : ((COSDictionary) apd).keySet()) {
                                    mark(((COSDictionary) apd).getItem(k));
                                }
                            }
                        }
                    }
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown pdfbox edit " + what);
            }
            doc.saveIncremental(os);
        }
        writeFile(out, os);
    }

    @SuppressWarnings("unchecked")
    private static List<String> pdfboxVerify(String path) throws Exception {
        byte[] file = Files.readAllBytes(new File(path).toPath());
        List<String> result = new ArrayList<>();
        try (PDDocument doc = PDDocument.load(file)) {
            for (PDSignatureField field : doc.getSignatureFields()) {
                PDSignature sig = field.getSignature();
                if (sig == null) {
                    continue;
                }
                String name = field.getFullyQualifiedName();
                String subFilter = sig.getSubFilter();
                boolean covers = coversWholeFile(sig.getByteRange(), file.length);
                boolean verified = false;
                String subject = null;
                String error = null;
                try {
                    byte[] contents = sig.getContents(file);
                    byte[] signed = sig.getSignedContent(file);
                    CMSSignedData cms = new CMSSignedData(new CMSProcessableByteArray(signed), contents);
                    Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
                    if (signers.size() != 1) {
                        throw new IllegalStateException(signers.size() + " SignerInfos");
                    }
                    SignerInformation si = signers.iterator().next();
                    Store<X509CertificateHolder> certs = cms.getCertificates();
                    Collection<X509CertificateHolder> matches = certs.getMatches(si.getSID());
                    if (matches.isEmpty()) {
                        throw new IllegalStateException("the signer's certificate is not in the CMS");
                    }
                    X509CertificateHolder cert = matches.iterator().next();
                    subject = cert.getSubject().toString();
                    verified = si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(cert));
                    if (!verified) {
                        error = "SignerInformation.verify returned false";
                    }
                } catch (Exception e) {
                    error = e.toString();
                }
                result.add(sigJson(name, subFilter, verified, covers, subject, error));
            }
        }
        return result;
    }

    private static boolean coversWholeFile(int[] br, long length) {
        return br != null && br.length == 4 && br[0] == 0 && br[1] > 0 && br[2] > br[1]
                && (long) br[2] + br[3] == length;
    }

    // --- iText 5 -------------------------------------------------------------------------

    private static void itext5Sign(String in, String out, String keyPath, String certPath, String chainPath,
            MakeSignature.CryptoStandard standard) throws Exception {
        PrivateKey key = loadKey(keyPath);
        X509Certificate[] chain = loadChain(certPath, chainPath);
        PdfReader reader = new PdfReader(in);
        ByteArrayOutputStream os = new ByteArrayOutputStream();
        try {
            PdfStamper stamper = PdfStamper.createSignature(reader, os, '\0', null, true);
            PdfSignatureAppearance appearance = stamper.getSignatureAppearance();
            appearance.setReason("kyso interop test (iText 5)");
            ExternalSignature signature = new PrivateKeySignature(key, DigestAlgorithms.SHA256, "BC");
            MakeSignature.signDetached(appearance, new BouncyCastleDigest(), signature, chain, null, null, null, 0,
                    standard);
        } finally {
            reader.close();
        }
        writeFile(out, os);
    }

    /**
     * iText 5.5.13 maps no ECDSA OID to a signature algorithm name (its
     * EncryptionAlgorithms knows RSA, DSA and ECGOST only), so PdfPKCS7 cannot verify any
     * ECDSA signature. Register them through its public extension point; ECDSA has no
     * parameters, so the name fully describes the algorithm. RSASSA-PSS
     * (1.2.840.113549.1.1.10) is left unregistered: a name would drop its parameters.
     */
    private static boolean ecdsaRegistered = false;

    private static void registerEcdsa() throws Exception {
        if (ecdsaRegistered) {
            return;
        }
        for (String oid : new String[] {"1.2.840.10045.2.1", "1.2.840.10045.4.1", "1.2.840.10045.4.3.2",
                "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"}) {
            if (!"ECDSA".equals(EncryptionAlgorithms.getAlgorithm(oid))) {
                EncryptionAlgorithms.addAlgorithm(oid, "ECDSA");
            }
        }
        ecdsaRegistered = true;
    }

    private static List<String> itext5Verify(String path) throws Exception {
        registerEcdsa();
        List<String> result = new ArrayList<>();
        PdfReader reader = new PdfReader(path);
        try {
            AcroFields fields = reader.getAcroFields();
            for (String name : fields.getSignatureNames()) {
                PdfDictionary dict = fields.getSignatureDictionary(name);
                PdfName sf = dict == null ? null : dict.getAsName(PdfName.SUBFILTER);
                String subFilter = sf == null ? null : PdfName.decodeName(sf.toString());
                boolean covers = fields.signatureCoversWholeDocument(name);
                boolean verified = false;
                String subject = null;
                String error = null;
                try {
                    PdfPKCS7 pkcs7 = fields.verifySignature(name, "BC");
                    subject = subject(pkcs7.getSigningCertificate());
                    verified = pkcs7.verify();
                    if (!verified) {
                        error = "PdfPKCS7.verify returned false";
                    }
                } catch (Exception e) {
                    error = e.toString();
                }
                result.add(sigJson(name, subFilter, verified, covers, subject, error));
            }
        } finally {
            reader.close();
        }
        return result;
    }

    // --- output --------------------------------------------------------------------------

    /** Writes the output only once the job has succeeded: a failed job leaves no file. */
    private static void writeFile(String path, ByteArrayOutputStream bytes) throws IOException {
        Files.write(new File(path).toPath(), bytes.toByteArray());
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        return buf.toByteArray();
    }

    private static String sigJson(String field, String subFilter, boolean verified, boolean covers, String subject,
            String error) {
        return "{\"field\":" + str(field) + ",\"subfilter\":" + str(subFilter) + ",\"verified\":" + verified
                + ",\"covers_whole_file\":" + covers + ",\"signer_subject\":" + str(subject) + ",\"error\":"
                + str(error) + "}";
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** A JSON string literal, or null. */
    private static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"':
                    b.append("\\\"");
                    break;
                case '\\':
                    b.append("\\\\");
                    break;
                case '\n':
                    b.append("\\n");
                    break;
                case '\r':
                    b.append("\\r");
                    break;
                case '\t':
                    b.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }
}
