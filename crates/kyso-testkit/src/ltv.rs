//! A PKI whose certificates point at live services, for long-term-validation tests: a root CA,
//! an intermediate CA whose cRLDistributionPoints names the root's CRL, signers and a
//! time-stamping authority whose authorityInfoAccess names an `openssl ocsp` responder and
//! whose cRLDistributionPoints names the intermediate's CRL — all served on loopback by
//! `py/pki_services.py` (Python's `http.server` in front of `openssl ts -reply`, `openssl ocsp
//! -index` and the CRL files, see there), started before the certificates are issued so that
//! they carry its port.
//!
//! Each [`LtvPki`] is its own: its own keys (P-256, fast to make; the signers RSA-2048 or
//! P-256), its own server, its own directory; a test may revoke a certificate
//! ([`LtvPki::revoke`]) or stop the services ([`LtvPki::stop`]) without disturbing another.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::time::generalized_time;
use crate::tools::run_ok;

/// The password of the signers' PKCS#12 files.
pub const LTV_P12_PASSWORD: &str = "kyso-ltv";

/// Serial numbers the PKI gives out (hex, as `openssl` writes them in its index).
const FIRST_LEAF_SERIAL: u32 = 0x1001;

/// A certificate of an [`LtvPki`] with its key. Paths are absolute.
#[derive(Clone, Debug)]
pub struct LtvLeaf {
    /// The private key, PEM PKCS#8.
    pub key_pem: PathBuf,
    /// The certificate, PEM.
    pub cert_pem: PathBuf,
    /// Intermediate then root, PEM.
    pub chain_pem: PathBuf,
    /// Key, certificate and chain, PKCS#12 with [`LTV_P12_PASSWORD`].
    pub p12: PathBuf,
    /// The serial number, hex.
    pub serial: String,
}

impl LtvLeaf {
    /// This certificate as a [`crate::Leaf`], for the signers of [`crate::interop`] (PDFBox,
    /// iText): an RSA-2048 PKCS #1 v1.5 signer (`kind` [`crate::LeafKind::Rsa2048`] only says
    /// how they sign).
    pub fn as_leaf(&self) -> crate::Leaf {
        crate::Leaf {
            kind: crate::LeafKind::Rsa2048,
            key_pem: self.key_pem.clone(),
            cert_pem: self.cert_pem.clone(),
            chain_pem: self.chain_pem.clone(),
            p12_modern: self.p12.clone(),
            p12_legacy: self.p12.clone(),
            p12_password: LTV_P12_PASSWORD,
        }
    }
}

/// The key type of a signer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LtvKey {
    /// RSA-2048.
    Rsa2048,
    /// ECDSA P-256.
    P256,
}

/// The PKI and its running services. The server stops when this is dropped.
pub struct LtvPki {
    dir: tempfile::TempDir,
    child: Option<Child>,
    base: String,
    signer: LtvLeaf,
    tsa: LtvLeaf,
    next_serial: std::cell::Cell<u32>,
}

impl LtvPki {
    /// Starts the services and issues the certificates: root, intermediate, OCSP responder
    /// (`id-kp-OCSPSigning`, `id-pkix-ocsp-nocheck`), TSA and one RSA-2048 signer valid for
    /// a year ([`signer`](Self::signer)).
    ///
    /// # Panics
    ///
    /// When `openssl` or `python3` is missing or fails.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        let (child, port) = crate::tools::spawn_python_server(
            d,
            "pki_services.py",
            include_str!("../py/pki_services.py"),
            &[d.as_os_str()],
        );
        let base = format!("http://127.0.0.1:{port}");

        std::fs::write(d.join("ext.cnf"), extensions(&base)).expect("write extensions");
        std::fs::write(d.join("ca.cnf"), ca_config(d)).expect("write the CA config");
        for f in ["intermediate-index.txt", "root-index.txt"] {
            std::fs::write(d.join(f), "").expect("write an index");
        }
        std::fs::write(
            d.join("intermediate-index.txt.attr"),
            "unique_subject = no\n",
        )
        .expect("write an index attribute file");
        std::fs::write(d.join("root-index.txt.attr"), "unique_subject = no\n")
            .expect("write an index attribute file");
        for f in ["intermediate-crlnumber", "root-crlnumber"] {
            std::fs::write(d.join(f), "01\n").expect("write a CRL number");
        }

        ec_key(&d.join("root.key"));
        run_ok(
            "openssl",
            [
                "req",
                "-x509",
                "-new",
                "-key",
                "root.key",
                "-subj",
                "/C=VN/O=Kyso LTV Test/CN=Kyso LTV Root CA",
                "-days",
                "3650",
                "-sha256",
                "-config",
                "ext.cnf",
                "-extensions",
                "v3_root",
                "-out",
                "root.pem",
            ],
            Some(d),
        );
        ec_key(&d.join("intermediate.key"));
        issue(
            d,
            "intermediate",
            "/C=VN/O=Kyso LTV Test/CN=Kyso LTV Issuing CA",
            "root",
            "v3_int",
            "1000",
            3650,
        );
        index(&d.join("root-index.txt"), "1000", "/CN=Kyso LTV Issuing CA");
        ec_key(&d.join("ocsp.key"));
        issue(
            d,
            "ocsp",
            "/C=VN/O=Kyso LTV Test/CN=Kyso LTV OCSP Responder",
            "intermediate",
            "v3_ocsp",
            "1fff",
            3650,
        );

        let mut pki = LtvPki {
            dir,
            child: Some(child),
            base,
            signer: placeholder(),
            tsa: placeholder(),
            next_serial: std::cell::Cell::new(FIRST_LEAF_SERIAL),
        };
        pki.tsa = pki.issue_leaf(
            "tsa",
            "/C=VN/O=Kyso LTV Test/CN=Kyso LTV TSA",
            LtvKey::P256,
            "v3_tsa",
            3650,
        );
        let d = pki.dir.path();
        // issue_leaf("tsa") wrote tsa.pem, tsa.key and tsa-chain.pem: what the server reads.
        let config = crate::tsa::write_config(d, "sha256, sha384, sha512");
        std::fs::rename(config, d.join("tsa.cnf")).expect("place the TSA config");
        pki.signer = pki.issue_signer("Trần Văn Ký", LtvKey::Rsa2048, 365);
        pki.publish_crls();
        pki
    }

    /// The RSA-2048 signer issued at start.
    pub fn signer(&self) -> &LtvLeaf {
        &self.signer
    }

    /// The TSA's certificate and key.
    pub fn tsa(&self) -> &LtvLeaf {
        &self.tsa
    }

    /// Issues another signer (a distinct key), valid for `days` days from now.
    pub fn issue_signer(&self, common_name: &str, key: LtvKey, days: u32) -> LtvLeaf {
        let n = self.next_serial.get();
        self.issue_leaf(
            &format!("signer-{n:x}"),
            &format!("/C=VN/O=Sở Nội vụ tỉnh Kyso/CN={common_name}"),
            key,
            "v3_signer",
            days,
        )
    }

    fn issue_leaf(&self, name: &str, subject: &str, key: LtvKey, ext: &str, days: u32) -> LtvLeaf {
        let d = self.dir.path();
        let serial = format!("{:X}", self.next_serial.get());
        self.next_serial.set(self.next_serial.get() + 1);
        let key_path = d.join(format!("{name}.key"));
        match key {
            LtvKey::P256 => ec_key(&key_path),
            LtvKey::Rsa2048 => {
                let mut args: Vec<std::ffi::OsString> = [
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                    "-out",
                ]
                .map(Into::into)
                .into();
                args.push(key_path.clone().into_os_string());
                run_ok("openssl", args, None);
            }
        }
        issue(d, name, subject, "intermediate", ext, &serial, days);
        index(&d.join("intermediate-index.txt"), &serial, subject);
        let chain = d.join(format!("{name}-chain.pem"));
        let mut pem = std::fs::read(d.join("intermediate.pem")).expect("intermediate");
        pem.extend(std::fs::read(d.join("root.pem")).expect("root"));
        std::fs::write(&chain, pem).expect("write the chain");
        let p12 = d.join(format!("{name}.p12"));
        run_ok(
            "openssl",
            [
                "pkcs12".into(),
                "-export".into(),
                "-inkey".into(),
                key_path.clone().into_os_string(),
                "-in".into(),
                d.join(format!("{name}.pem")).into_os_string(),
                "-certfile".into(),
                chain.clone().into_os_string(),
                "-passout".into(),
                format!("pass:{LTV_P12_PASSWORD}").into(),
                "-out".into(),
                p12.clone().into_os_string(),
            ],
            None,
        );
        LtvLeaf {
            key_pem: key_path,
            cert_pem: d.join(format!("{name}.pem")),
            chain_pem: chain,
            p12,
            serial,
        }
    }

    /// The root CA certificate (PEM): the trust anchor.
    pub fn root_pem(&self) -> PathBuf {
        self.dir.path().join("root.pem")
    }

    /// The intermediate CA certificate (PEM).
    pub fn intermediate_pem(&self) -> PathBuf {
        self.dir.path().join("intermediate.pem")
    }

    /// The services' base URL, `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The TSA's URL.
    pub fn tsa_url(&self) -> String {
        format!("{}/tsa", self.base)
    }

    /// The OCSP responder's URL (what the leaves' authorityInfoAccess names).
    pub fn ocsp_url(&self) -> String {
        format!("{}/ocsp", self.base)
    }

    /// The intermediate's CRL, DER, as served now.
    pub fn intermediate_crl(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("intermediate.crl")).expect("the intermediate CRL")
    }

    /// The root's CRL, DER, as served now.
    pub fn root_crl(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("root.crl")).expect("the root CRL")
    }

    /// The responder's DER OCSP response to a DER request, made the way the server makes it.
    pub fn ocsp_response(&self, request: &[u8]) -> Vec<u8> {
        let d = self.dir.path();
        let (req, resp) = (d.join("direct.req"), d.join("direct.resp"));
        std::fs::write(&req, request).expect("write the request");
        run_ok(
            "openssl",
            [
                "ocsp",
                "-index",
                "intermediate-index.txt",
                "-CA",
                "intermediate.pem",
                "-rsigner",
                "ocsp.pem",
                "-rkey",
                "ocsp.key",
                "-rmd",
                "sha256",
                "-nmin",
                "60",
                "-reqin",
                "direct.req",
                "-respout",
                "direct.resp",
            ],
            Some(d),
        );
        std::fs::read(resp).expect("the response")
    }

    /// Revokes `leaf` as of `at` (reason keyCompromise) in the responder's index and the
    /// intermediate's CRL, which the services give out from now on.
    pub fn revoke(&self, leaf: &LtvLeaf, at: SystemTime) {
        let index = self.dir.path().join("intermediate-index.txt");
        let text = std::fs::read_to_string(&index).expect("the index");
        let secs = at
            .duration_since(UNIX_EPOCH)
            .expect("a time after 1970")
            .as_secs();
        let when = &generalized_time(i64::try_from(secs).expect("a plausible time"))[2..];
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                if f.len() == 6 && f[3] == leaf.serial {
                    format!(
                        "R\t{}\t{when},keyCompromise\t{}\t{}\t{}",
                        f[1], f[3], f[4], f[5]
                    )
                } else {
                    l.to_string()
                }
            })
            .collect();
        std::fs::write(&index, lines.join("\n") + "\n").expect("write the index");
        self.publish_crls();
    }

    /// How many requests each service had (`/tsa`, `/ocsp`, `/crl`), from the server.
    pub fn requests(&self, service: &str) -> u64 {
        let body = http_get(&self.base, "/stats");
        let stats: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        stats[service].as_u64().unwrap_or(0)
    }

    /// Stops the services: validation from here on has only what the files carry.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Writes both CRLs (DER) afresh from the indexes, valid for a day.
    fn publish_crls(&self) {
        let d = self.dir.path();
        for (ca, name) in [("root", "root_ca"), ("intermediate", "intermediate_ca")] {
            run_ok(
                "openssl",
                [
                    "ca",
                    "-gencrl",
                    "-config",
                    "ca.cnf",
                    "-name",
                    name,
                    "-keyfile",
                    &format!("{ca}.key"),
                    "-cert",
                    &format!("{ca}.pem"),
                    "-out",
                    &format!("{ca}.crl.pem"),
                ],
                Some(d),
            );
            run_ok(
                "openssl",
                [
                    "crl",
                    "-in",
                    &format!("{ca}.crl.pem"),
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{ca}.crl"),
                ],
                Some(d),
            );
        }
    }
}

impl Drop for LtvPki {
    fn drop(&mut self) {
        self.stop();
    }
}

fn placeholder() -> LtvLeaf {
    LtvLeaf {
        key_pem: PathBuf::new(),
        cert_pem: PathBuf::new(),
        chain_pem: PathBuf::new(),
        p12: PathBuf::new(),
        serial: String::new(),
    }
}

/// A GET over a plain TCP connection (HTTP/1.0, the body after the headers).
fn http_get(base: &str, path: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return Vec::new();
    };
    let _ = write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    match all.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => all[i + 4..].to_vec(),
        None => Vec::new(),
    }
}

fn ec_key(path: &Path) {
    run_ok(
        "openssl",
        [
            "genpkey".into(),
            "-algorithm".into(),
            "EC".into(),
            "-pkeyopt".into(),
            "ec_paramgen_curve:P-256".into(),
            "-pkeyopt".into(),
            "ec_param_enc:named_curve".into(),
            "-out".into(),
            path.as_os_str().to_owned(),
        ],
        None,
    );
}

/// Issues `<name>.pem` for `<name>.key` from CA `ca` with extensions section `ext`.
fn issue(dir: &Path, name: &str, subject: &str, ca: &str, ext: &str, serial: &str, days: u32) {
    let (key, csr, cert) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    run_ok(
        "openssl",
        [
            "req", "-new", "-key", &key, "-subj", subject, "-utf8", "-out", &csr,
        ],
        Some(dir),
    );
    run_ok(
        "openssl",
        [
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            &format!("0x{serial}"),
            "-days",
            &days.to_string(),
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-extensions",
            ext,
            "-out",
            &cert,
        ],
        Some(dir),
    );
}

/// Adds a valid certificate to an `openssl ca` index.
fn index(path: &Path, serial: &str, subject: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open the index");
    let serial = if serial.len() % 2 == 1 {
        format!("0{serial}")
    } else {
        serial.to_string()
    };
    writeln!(f, "V\t491231235959Z\t\t{serial}\tunknown\t{subject}").expect("write the index");
}

fn extensions(base: &str) -> String {
    format!(
        "[req]\ndistinguished_name = dn\n[dn]\n\
         [v3_root]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\n\
         [v3_int]\nbasicConstraints = critical, CA:TRUE, pathlen:0\n\
         keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid\ncrlDistributionPoints = URI:{base}/crl/root.crl\n\
         [v3_ocsp]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = OCSPSigning\nnoCheck = ignored\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid\n\
         [v3_tsa]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = critical, timeStamping\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid\nauthorityInfoAccess = OCSP;URI:{base}/ocsp\n\
         crlDistributionPoints = URI:{base}/crl/intermediate.crl\n\
         [v3_signer]\nbasicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature, nonRepudiation\n\
         extendedKeyUsage = clientAuth, emailProtection\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid\nauthorityInfoAccess = OCSP;URI:{base}/ocsp\n\
         crlDistributionPoints = URI:{base}/crl/intermediate.crl\n"
    )
}

fn ca_config(dir: &Path) -> String {
    let d = dir.display();
    format!(
        "[root_ca]\ndatabase = {d}/root-index.txt\ncrlnumber = {d}/root-crlnumber\n\
         default_md = sha256\ndefault_crl_days = 1\ncrl_extensions = crl_ext\n\
         [intermediate_ca]\ndatabase = {d}/intermediate-index.txt\n\
         crlnumber = {d}/intermediate-crlnumber\ndefault_md = sha256\ndefault_crl_days = 1\n\
         crl_extensions = crl_ext\n[crl_ext]\nauthorityKeyIdentifier = keyid\n"
    )
}
