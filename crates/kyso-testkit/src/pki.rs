//! A test PKI made by the `openssl` command: root CA, intermediate CA and leaves.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::cache::build_once;
use crate::time::{DAY, generalized_time, now};
use crate::tools::run_ok;

/// The name of the PKI's directory inside [`shared_dir`](crate::shared_dir). The
/// version goes up whenever what is generated changes.
pub const PKI_DIR_NAME: &str = "pki-v1";

/// The password of every PKCS#12 file of the test PKI.
pub const P12_PASSWORD: &str = "kyso-test";

/// The organisation of every leaf that signs documents.
pub const LEAF_ORGANIZATION: &str = "Sở Thông tin và Truyền thông Hà Nội";

/// A certificate for [`TestPki::issue_extra_leaf`].
#[derive(Clone, Copy, Debug)]
pub struct ExtraLeaf<'a> {
    /// The key pair to make.
    pub key: ExtraKey,
    /// The subject, OpenSSL's `/CN=…/O=…` form.
    pub subject: &'a str,
    /// Days of validity from now.
    pub days: u32,
    /// The serial number; `None`: OpenSSL picks one (`-CAcreateserial`).
    pub serial: Option<u64>,
    /// Its extensions.
    pub extensions: ExtraExtensions<'a>,
}

/// The key of an [`ExtraLeaf`].
#[derive(Clone, Copy, Debug)]
pub enum ExtraKey {
    /// RSA with this many bits.
    Rsa(u32),
    /// ECDSA on P-256.
    EcP256,
}

/// The extensions of an [`ExtraLeaf`].
#[derive(Clone, Copy, Debug)]
pub enum ExtraExtensions<'a> {
    /// None: whatever `openssl x509 -req` adds by itself.
    None,
    /// The PKI's own signer extensions (`v3_signer`, as its signing leaves have).
    Signer,
    /// These lines of an OpenSSL extensions file.
    Lines(&'a str),
}

/// The leaves of the test PKI, all issued by its intermediate CA.
///
/// The four signer leaves ([`LeafKind::SIGNERS`]) have keyUsage
/// `digitalSignature, nonRepudiation` (critical), extendedKeyUsage
/// `clientAuth, emailProtection` as Vietnamese token certificates do, a Vietnamese
/// subject (`C=VN, ST=Hà Nội, O=Sở Thông tin và Truyền thông Hà Nội, CN=…, UID=MST:…`
/// or `UID=CCCD:…`, all UTF8String) and are valid from one day ago for two years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeafKind {
    /// RSA-2048 key, for PKCS#1 v1.5 signatures with SHA-256; certificate signed
    /// sha256WithRSAEncryption. Subject `CN=Trần Thị Bình, UID=CCCD:001234567890`.
    Rsa2048,
    /// RSA-3072 key, for RSASSA-PSS signatures (SHA-256, MGF1-SHA-256, salt 32);
    /// the certificate itself is signed by the intermediate with RSASSA-PSS.
    /// Subject `CN=Nguyễn Văn An, UID=MST:0101234567`.
    ///
    /// The key is an `rsaEncryption` key, not an `id-RSASSA-PSS` one: poppler's
    /// `pdfsig` (22.12, NSS) reports signatures by an `id-RSASSA-PSS` key as invalid,
    /// and pyHanko cannot sign with one, while both handle PSS signatures by an
    /// `rsaEncryption` key — the form PSS takes in practice.
    Rsa3072Pss,
    /// ECDSA key on NIST P-256, for ecdsa-with-SHA256 signatures.
    /// Subject `CN=Lê Văn Cường, UID=CCCD:079123456789`.
    P256,
    /// RSA-2048 key whose certificate the intermediate CA has revoked
    /// (reason keyCompromise): it is listed in [`TestPki::intermediate_crl_pem`] and
    /// in the CA database [`TestPki::intermediate_index`].
    /// Subject `CN=Phạm Thị Dung, UID=MST:0107654321`.
    Revoked,
    /// RSA-2048 time-stamping authority for `openssl ts -reply`: extendedKeyUsage
    /// `timeStamping` (critical), keyUsage `digitalSignature`.
    Tsa,
    /// RSA-2048 OCSP responder for `openssl ocsp`: extendedKeyUsage `OCSPSigning`,
    /// keyUsage `digitalSignature`, and id-pkix-ocsp-nocheck.
    OcspResponder,
}

impl LeafKind {
    /// The leaves that sign documents (every kind but the TSA and OCSP responder).
    pub const SIGNERS: [LeafKind; 4] = [
        LeafKind::Rsa2048,
        LeafKind::Rsa3072Pss,
        LeafKind::P256,
        LeafKind::Revoked,
    ];

    /// Every leaf of the test PKI.
    pub const ALL: [LeafKind; 6] = [
        LeafKind::Rsa2048,
        LeafKind::Rsa3072Pss,
        LeafKind::P256,
        LeafKind::Revoked,
        LeafKind::Tsa,
        LeafKind::OcspResponder,
    ];

    /// The leaf's directory name under `leaves/` (`rsa2048`, `rsa3072-pss`, `p256`,
    /// `revoked`, `tsa`, `ocsp`).
    pub fn name(self) -> &'static str {
        match self {
            LeafKind::Rsa2048 => "rsa2048",
            LeafKind::Rsa3072Pss => "rsa3072-pss",
            LeafKind::P256 => "p256",
            LeafKind::Revoked => "revoked",
            LeafKind::Tsa => "tsa",
            LeafKind::OcspResponder => "ocsp",
        }
    }

    /// The common name (CN) of the leaf's subject.
    pub fn common_name(self) -> &'static str {
        self.identity().0
    }

    /// The `UID` attribute of a signer leaf's subject (`MST:…` or `CCCD:…`), `None`
    /// for the TSA and OCSP responder.
    pub fn uid(self) -> Option<&'static str> {
        self.identity().1
    }

    /// Whether signatures by this leaf are meant to use RSASSA-PSS.
    pub fn uses_pss(self) -> bool {
        self == LeafKind::Rsa3072Pss
    }

    fn identity(self) -> (&'static str, Option<&'static str>) {
        match self {
            LeafKind::Rsa2048 => ("Trần Thị Bình", Some("CCCD:001234567890")),
            LeafKind::Rsa3072Pss => ("Nguyễn Văn An", Some("MST:0101234567")),
            LeafKind::P256 => ("Lê Văn Cường", Some("CCCD:079123456789")),
            LeafKind::Revoked => ("Phạm Thị Dung", Some("MST:0107654321")),
            LeafKind::Tsa => ("Kyso Test TSA", None),
            LeafKind::OcspResponder => ("Kyso Test OCSP Responder", None),
        }
    }

    fn subject(self) -> String {
        match self.uid() {
            Some(uid) => format!(
                "/C=VN/ST=Hà Nội/O={LEAF_ORGANIZATION}/CN={}/UID={uid}",
                self.common_name()
            ),
            None => format!("/C=VN/O=Kyso Test PKI/CN={}", self.common_name()),
        }
    }

    fn genpkey_args(self) -> &'static [&'static str] {
        match self {
            LeafKind::Rsa3072Pss => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
            LeafKind::P256 => &[
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-pkeyopt",
                "ec_param_enc:named_curve",
            ],
            _ => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        }
    }

    fn extensions(self) -> &'static str {
        match self {
            LeafKind::Tsa => "v3_tsa",
            LeafKind::OcspResponder => "v3_ocsp",
            _ => "v3_signer",
        }
    }
}

/// The files of one leaf of the [`TestPki`]. All paths are absolute.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// Which leaf this is.
    pub kind: LeafKind,
    /// The private key, PEM `PRIVATE KEY` (PKCS#8, unencrypted).
    pub key_pem: PathBuf,
    /// The leaf certificate, PEM.
    pub cert_pem: PathBuf,
    /// The issuers, PEM: intermediate CA then root CA.
    pub chain_pem: PathBuf,
    /// PKCS#12 with key, certificate and chain as OpenSSL 3 writes it by default
    /// (PBES2/PBKDF2/AES-256-CBC, HMAC-SHA-256 MAC), password [`Leaf::p12_password`].
    pub p12_modern: PathBuf,
    /// PKCS#12 as older tools and Windows write it (`openssl pkcs12 -export -legacy`:
    /// certificates under pbeWithSHA1And40BitRC2-CBC, key under
    /// pbeWithSHA1And3-KeyTripleDES-CBC, HMAC-SHA-1 MAC), password
    /// [`Leaf::p12_password`].
    pub p12_legacy: PathBuf,
    /// The password of both PKCS#12 files ([`P12_PASSWORD`]).
    pub p12_password: &'static str,
}

/// The test PKI: a root CA, an intermediate CA and the [`LeafKind`] leaves it issued,
/// with an NSS database that trusts the root (for `pdfsig`).
///
/// Made by the `openssl` command (`genpkey`, `req`, `ca`, `pkcs12`) and `certutil` the
/// first time any test process asks for it, in `shared_dir()/pki-v1`, then reused by
/// every later test process:
///
/// ```text
/// pki-v1/
///   openssl.cnf                 CA configuration (paths relative to pki-v1/)
///   root/                       cert.pem key.pem index.txt serial crlnumber crl.pem
///   intermediate/               cert.pem key.pem index.txt serial crlnumber crl.pem
///   leaves/<name>/              key.pem cert.pem chain.pem modern.p12 legacy.p12
///   nssdb/                      cert9.db key4.db pkcs11.txt (root trusted "CT,C,C")
/// ```
///
/// Root and intermediate are RSA-2048, valid from one day ago for ten years;
/// `openssl.cnf` has sections `root_ca` and `intermediate_ca` for `openssl ca -name`
/// (run it with `pki-v1/` as the working directory).
#[derive(Debug)]
pub struct TestPki {
    dir: PathBuf,
    root_pem: PathBuf,
    root_key: PathBuf,
    root_crl: PathBuf,
    intermediate_pem: PathBuf,
    intermediate_key: PathBuf,
    intermediate_crl: PathBuf,
    intermediate_index: PathBuf,
    nss_db: PathBuf,
    leaves: Vec<Leaf>,
}

impl TestPki {
    /// The test PKI, generated on first use (by this or any other test process).
    ///
    /// # Panics
    ///
    /// If `openssl` or `certutil` is missing or fails.
    pub fn get() -> &'static TestPki {
        static PKI: OnceLock<TestPki> = OnceLock::new();
        PKI.get_or_init(|| {
            let pki = TestPki::at(&build_once(PKI_DIR_NAME, generate));
            pki.assert_complete();
            pki
        })
    }

    /// A directory left by an older kyso-testkit that forgot to bump
    /// [`PKI_DIR_NAME`] would lack files: say so instead of failing obscurely.
    fn assert_complete(&self) {
        let leaf_files = self.leaves.iter().flat_map(|l| {
            [
                &l.key_pem,
                &l.cert_pem,
                &l.chain_pem,
                &l.p12_modern,
                &l.p12_legacy,
            ]
        });
        let ca_files = [
            &self.root_pem,
            &self.intermediate_pem,
            &self.intermediate_crl,
        ];
        if let Some(missing) = leaf_files.chain(ca_files).find(|p| !p.is_file()) {
            panic!(
                "test PKI at {} is incomplete ({} missing): delete that directory",
                self.dir.display(),
                missing.display()
            );
        }
    }

    fn at(dir: &Path) -> TestPki {
        let leaves = LeafKind::ALL
            .iter()
            .map(|&kind| {
                let d = dir.join("leaves").join(kind.name());
                Leaf {
                    kind,
                    key_pem: d.join("key.pem"),
                    cert_pem: d.join("cert.pem"),
                    chain_pem: d.join("chain.pem"),
                    p12_modern: d.join("modern.p12"),
                    p12_legacy: d.join("legacy.p12"),
                    p12_password: P12_PASSWORD,
                }
            })
            .collect();
        TestPki {
            dir: dir.to_path_buf(),
            root_pem: dir.join("root/cert.pem"),
            root_key: dir.join("root/key.pem"),
            root_crl: dir.join("root/crl.pem"),
            intermediate_pem: dir.join("intermediate/cert.pem"),
            intermediate_key: dir.join("intermediate/key.pem"),
            intermediate_crl: dir.join("intermediate/crl.pem"),
            intermediate_index: dir.join("intermediate/index.txt"),
            nss_db: dir.join("nssdb"),
            leaves,
        }
    }

    /// The PKI's directory (`shared_dir()/pki-v1`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The root CA certificate (PEM): the trust anchor to give validators.
    pub fn root_pem(&self) -> &Path {
        &self.root_pem
    }

    /// The root CA's private key (PEM, PKCS#8).
    pub fn root_key(&self) -> &Path {
        &self.root_key
    }

    /// The root CA's CRL (PEM), listing nothing.
    pub fn root_crl_pem(&self) -> &Path {
        &self.root_crl
    }

    /// The intermediate CA certificate (PEM), issued by the root.
    pub fn intermediate_pem(&self) -> &Path {
        &self.intermediate_pem
    }

    /// The intermediate CA's private key (PEM, PKCS#8): it signs CRLs and, for an
    /// `openssl ocsp` responder, can stand in for [`LeafKind::OcspResponder`].
    pub fn intermediate_key(&self) -> &Path {
        &self.intermediate_key
    }

    /// Issues a certificate from the intermediate CA outside the PKI's own records (its
    /// index, its serial file), as `spec` says, into `dir`: for the leaves a test needs and
    /// the PKI does not have (a weak key, a short life, one no OCSP index lists). Returns the
    /// certificate and its PKCS#8 key, both PEM.
    pub fn issue_extra_leaf(&self, dir: &Path, spec: &ExtraLeaf<'_>) -> (PathBuf, PathBuf) {
        let (key, csr, cert) = (
            dir.join("extra-leaf.key"),
            dir.join("extra-leaf.csr"),
            dir.join("extra-leaf.pem"),
        );
        let mut req: Vec<std::ffi::OsString> = ["req", "-new", "-nodes", "-newkey"]
            .iter()
            .map(Into::into)
            .collect();
        match spec.key {
            ExtraKey::Rsa(bits) => req.push(format!("rsa:{bits}").into()),
            ExtraKey::EcP256 => {
                req.extend(["ec", "-pkeyopt", "ec_paramgen_curve:P-256"].map(Into::into))
            }
        }
        req.extend(["-subj", spec.subject, "-keyout"].map(Into::into));
        req.push(key.clone().into());
        req.push("-out".into());
        req.push(csr.clone().into());
        run_ok("openssl", &req, None);

        let mut x509: Vec<std::ffi::OsString> = vec!["x509".into(), "-req".into(), "-in".into()];
        x509.push(csr.into());
        x509.extend(["-CA".into(), self.intermediate_pem.clone().into()]);
        x509.extend(["-CAkey".into(), self.intermediate_key.clone().into()]);
        match spec.serial {
            Some(serial) => x509.extend(["-set_serial".into(), serial.to_string().into()]),
            None => x509.push("-CAcreateserial".into()),
        }
        x509.extend([
            "-days".into(),
            spec.days.to_string().into(),
            "-sha256".into(),
        ]);
        match spec.extensions {
            ExtraExtensions::None => {}
            ExtraExtensions::Signer => {
                x509.extend(["-extfile".into(), self.dir.join("openssl.cnf").into()]);
                x509.extend(["-extensions".into(), "v3_signer".into()]);
            }
            ExtraExtensions::Lines(lines) => {
                let ext = dir.join("extra-leaf-ext.cnf");
                fs::write(&ext, lines).expect("write the extensions file");
                x509.extend(["-extfile".into(), ext.into()]);
            }
        }
        x509.extend(["-out".into(), cert.clone().into()]);
        run_ok("openssl", &x509, None);
        (cert, key)
    }

    /// The intermediate CA's CRL (PEM), listing [`LeafKind::Revoked`], valid for a
    /// year from generation.
    pub fn intermediate_crl_pem(&self) -> &Path {
        &self.intermediate_crl
    }

    /// The intermediate CA's `openssl ca` database, which `openssl ocsp -index` reads.
    pub fn intermediate_index(&self) -> &Path {
        &self.intermediate_index
    }

    /// The NSS database directory trusting the root (`CT,C,C`, nickname `kyso-root`);
    /// give it to `pdfsig` as `-nssdir sql:<dir>`.
    pub fn nss_db(&self) -> &Path {
        &self.nss_db
    }

    /// The files of one leaf.
    pub fn leaf(&self, kind: LeafKind) -> &Leaf {
        self.leaves
            .iter()
            .find(|l| l.kind == kind)
            .expect("every LeafKind is generated")
    }
}

/// The `openssl ca` configuration. Paths are relative to the PKI directory.
const OPENSSL_CNF: &str = r#"# kyso-testkit test PKI: `openssl ca -config openssl.cnf -name <section>`,
# run from the directory holding this file.
[ca]
default_ca = intermediate_ca

[root_ca]
dir = root
certificate = root/cert.pem
private_key = root/key.pem
database = root/index.txt
serial = root/serial
crlnumber = root/crlnumber
new_certs_dir = newcerts
default_md = sha256
default_crl_days = 365
policy = policy_any
unique_subject = no
copy_extensions = none

[intermediate_ca]
dir = intermediate
certificate = intermediate/cert.pem
private_key = intermediate/key.pem
database = intermediate/index.txt
serial = intermediate/serial
crlnumber = intermediate/crlnumber
new_certs_dir = newcerts
default_md = sha256
default_crl_days = 365
policy = policy_any
unique_subject = no
copy_extensions = none

[policy_any]
C = optional
ST = optional
O = optional
CN = optional
UID = optional

[req]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes

[req_dn]

[v3_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[v3_intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[v3_signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = clientAuth, emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[v3_tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[v3_ocsp]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[crl_ext]
authorityKeyIdentifier = keyid
"#;

/// Generates the whole PKI into `dir` (see [`TestPki`] for the layout).
fn generate(dir: &Path) {
    let now = now();
    let not_before = generalized_time(now - DAY);
    let ca_not_after = generalized_time(now + 10 * 365 * DAY);
    let leaf_not_after = generalized_time(now + 2 * 365 * DAY + DAY);

    fs::write(dir.join("openssl.cnf"), OPENSSL_CNF).expect("write openssl.cnf");
    for sub in ["root", "intermediate", "newcerts", "leaves"] {
        fs::create_dir_all(dir.join(sub)).expect("create PKI dirs");
    }
    for ca in ["root", "intermediate"] {
        fs::write(dir.join(ca).join("index.txt"), "").expect("write index.txt");
        fs::write(dir.join(ca).join("serial"), "1000\n").expect("write serial");
        fs::write(dir.join(ca).join("crlnumber"), "01\n").expect("write crlnumber");
    }
    for kind in LeafKind::ALL {
        fs::create_dir_all(dir.join("leaves").join(kind.name())).expect("create leaf dir");
    }

    // Key generation is the slow part (RSA-3072 above all): run it on both cores.
    let mut keys: Vec<(String, &[&str])> = vec![
        (
            "root/key.pem".into(),
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ),
        (
            "intermediate/key.pem".into(),
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ),
    ];
    keys.extend(
        LeafKind::ALL
            .iter()
            .map(|k| (format!("leaves/{}/key.pem", k.name()), k.genpkey_args())),
    );
    std::thread::scope(|s| {
        // The RSA-3072 key alone takes about as long as all the others.
        let (slow, rest): (Vec<_>, Vec<_>) = keys.iter().partition(|(p, _)| p.contains("3072"));
        for batch in [slow, rest] {
            s.spawn(move || {
                for (path, args) in batch {
                    let mut a = vec!["genpkey", "-quiet"];
                    a.extend_from_slice(args);
                    a.extend_from_slice(&["-out", path]);
                    run_ok("openssl", &a, Some(dir));
                }
            });
        }
    });

    let ca = |name: &str, extra: &[&str]| {
        let mut a = vec!["ca", "-batch", "-config", "openssl.cnf", "-name", name];
        a.extend_from_slice(extra);
        run_ok("openssl", &a, Some(dir));
    };
    let csr = |key: &str, subject: &str, out: &str| {
        let a = [
            "req",
            "-new",
            "-config",
            "openssl.cnf",
            "-utf8",
            "-key",
            key,
            "-subj",
            subject,
            "-out",
            out,
        ];
        run_ok("openssl", a, Some(dir));
    };

    // Root: self-signed through `openssl ca -selfsign` so that the validity can start
    // in the past (OpenSSL 3.0's `req -x509` has no -not_before).
    csr(
        "root/key.pem",
        "/C=VN/O=Kyso Test PKI/CN=Kyso Test Root CA",
        "root/req.csr",
    );
    ca(
        "root_ca",
        &[
            "-selfsign",
            "-rand_serial",
            "-notext",
            "-utf8",
            "-in",
            "root/req.csr",
            "-out",
            "root/cert.pem",
            "-startdate",
            &not_before,
            "-enddate",
            &ca_not_after,
            "-extensions",
            "v3_root",
        ],
    );
    csr(
        "intermediate/key.pem",
        "/C=VN/O=Kyso Test PKI/CN=Kyso Test Intermediate CA",
        "intermediate/req.csr",
    );
    ca(
        "root_ca",
        &[
            "-rand_serial",
            "-notext",
            "-utf8",
            "-in",
            "intermediate/req.csr",
            "-out",
            "intermediate/cert.pem",
            "-startdate",
            &not_before,
            "-enddate",
            &ca_not_after,
            "-extensions",
            "v3_intermediate",
        ],
    );
    let root = fs::read_to_string(dir.join("root/cert.pem")).expect("read root");
    let intermediate =
        fs::read_to_string(dir.join("intermediate/cert.pem")).expect("read intermediate");
    let chain = format!("{intermediate}{root}");

    for kind in LeafKind::ALL {
        let d = format!("leaves/{}", kind.name());
        csr(
            &format!("{d}/key.pem"),
            &kind.subject(),
            &format!("{d}/req.csr"),
        );
        let (req, cert) = (format!("{d}/req.csr"), format!("{d}/cert.pem"));
        let mut args = vec![
            "-rand_serial",
            "-notext",
            "-utf8",
            "-preserveDN",
            "-in",
            &req,
            "-out",
            &cert,
            "-startdate",
            &not_before,
            "-enddate",
            &leaf_not_after,
            "-extensions",
            kind.extensions(),
        ];
        if kind.uses_pss() {
            args.extend_from_slice(&[
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:digest",
                "-sigopt",
                "rsa_mgf1_md:sha256",
            ]);
        }
        ca("intermediate_ca", &args);
        fs::write(dir.join(&d).join("chain.pem"), &chain).expect("write chain.pem");
        for (file, legacy) in [("modern.p12", false), ("legacy.p12", true)] {
            let mut a = vec![
                "pkcs12".to_string(),
                "-export".into(),
                "-inkey".into(),
                format!("{d}/key.pem"),
                "-in".into(),
                cert.clone(),
                "-certfile".into(),
                format!("{d}/chain.pem"),
                "-name".into(),
                kind.common_name().into(),
                "-passout".into(),
                format!("pass:{P12_PASSWORD}"),
                "-out".into(),
                format!("{d}/{file}"),
            ];
            if legacy {
                a.push("-legacy".into());
            }
            run_ok("openssl", &a, Some(dir));
        }
    }

    // Revoke the `revoked` leaf, then issue both CRLs.
    let revoked = format!("leaves/{}/cert.pem", LeafKind::Revoked.name());
    ca(
        "intermediate_ca",
        &["-revoke", &revoked, "-crl_reason", "keyCompromise"],
    );
    ca(
        "intermediate_ca",
        &[
            "-gencrl",
            "-crlexts",
            "crl_ext",
            "-out",
            "intermediate/crl.pem",
        ],
    );
    ca(
        "root_ca",
        &["-gencrl", "-crlexts", "crl_ext", "-out", "root/crl.pem"],
    );

    // NSS database for pdfsig, trusting the root only (the chain travels in the CMS).
    let nss = format!("sql:{}", dir.join("nssdb").display());
    fs::create_dir_all(dir.join("nssdb")).expect("create nssdb");
    run_ok("certutil", ["-N", "--empty-password", "-d", &nss], None);
    let root_path = dir.join("root/cert.pem");
    let root_path = root_path.to_str().expect("UTF-8 path");
    run_ok(
        "certutil",
        [
            "-A",
            "-n",
            "kyso-root",
            "-t",
            "CT,C,C",
            "-i",
            root_path,
            "-d",
            &nss,
        ],
        None,
    );
}
