//! SoftHSM2 as the PKCS#11 token of the tests.
//!
//! Each test process makes its own token directory (a temporary SoftHSM2 configuration with
//! `directories.tokendir` inside it, named by `SOFTHSM2_CONF`), initialises two tokens with
//! `softhsm2-util`, and imports into the first, with `pkcs11-tool`, the RSA-2048, RSA-3072 and
//! P-256 keys of the test PKI with their certificates, and the intermediate CA's certificate
//! (the root stays off the token, so a validator trusting only the root needs the chain read
//! from the token). The second token is left empty for PIN tests, so a wrong PIN there never
//! meets a session another test has logged in.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` once, when the library is initialised; the variable is set
//! before any test loads the module (under nextest every test is a process of its own; under
//! `cargo test` the first test to get here sets it for all of them).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use kyso_testkit::{LeafKind, TestPki};

/// The label of the token with the keys (UTF-8, Vietnamese diacritics).
pub const TOKEN: &str = "Token Ký Số";
/// The label of the empty token used for wrong-PIN tests.
pub const PIN_TOKEN: &str = "Thẻ thử PIN";
/// The user PIN of both tokens.
pub const PIN: &str = "1234";
/// The security officer PIN of both tokens.
pub const SO_PIN: &str = "5678";

/// A key imported into [`TOKEN`].
#[derive(Clone, Copy, Debug)]
pub struct Imported {
    /// The test PKI leaf.
    pub kind: LeafKind,
    /// `CKA_ID` in hex.
    pub id: &'static str,
    /// The private key's label.
    pub key_label: &'static str,
    /// The certificate's label.
    pub cert_label: &'static str,
    /// Whether a public-key object is imported too.
    pub public_key: bool,
}

/// RSA-2048: the certificate labelled as Viettel-CA tokens label theirs, the key otherwise.
pub const RSA: Imported = Imported {
    kind: LeafKind::Rsa2048,
    id: "01",
    key_label: "Trần Thị Bình",
    cert_label: "Trần Thị Bình's Kyso-CA SHA2 Certificate",
    public_key: true,
};
/// RSA-3072 for PSS, without a public-key object (the key object shows its modulus).
pub const PSS: Imported = Imported {
    kind: LeafKind::Rsa3072Pss,
    id: "02",
    key_label: "Nguyễn Văn An",
    cert_label: "Nguyễn Văn An",
    public_key: false,
};
/// P-256, with a public-key object (an EC private key object shows no point).
pub const EC: Imported = Imported {
    kind: LeafKind::P256,
    id: "03",
    key_label: "Lê Văn Cường",
    cert_label: "Lê Văn Cường",
    public_key: true,
};
/// Every imported key.
pub const KEYS: [Imported; 3] = [RSA, PSS, EC];
/// The intermediate CA certificate's id and label.
pub const CA_ID: &str = "c1";
/// The intermediate CA certificate's label.
pub const CA_LABEL: &str = "Kyso Test Intermediate CA";

/// The SoftHSM2 set-up of this process.
pub struct SoftHsm {
    _dir: tempfile::TempDir,
    /// The PKCS#11 module.
    pub module: PathBuf,
    /// The configuration file `SOFTHSM2_CONF` names.
    pub conf: PathBuf,
    /// Scratch space of this process.
    pub scratch: PathBuf,
}

static SOFTHSM: OnceLock<SoftHsm> = OnceLock::new();

/// The set-up of this process, with every mechanism SoftHSM2 has.
pub fn softhsm() -> &'static SoftHsm {
    SOFTHSM.get_or_init(|| set_up(None))
}

/// The set-up of this process, with `slots.mechanisms = mechanisms` (the first call decides).
pub fn softhsm_with_mechanisms(mechanisms: &str) -> &'static SoftHsm {
    SOFTHSM.get_or_init(|| set_up(Some(mechanisms)))
}

/// Where Debian and other systems put SoftHSM2's module.
const MODULE_PATHS: [&str; 4] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
];

fn find_module() -> PathBuf {
    if let Some(path) = std::env::var_os("KYSO_SOFTHSM2_MODULE") {
        return PathBuf::from(path);
    }
    MODULE_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "SoftHSM2's PKCS#11 module is not installed (looked in {MODULE_PATHS:?}): \
                 run scripts/test.sh, which installs softhsm2 and opensc, or \
                 `apt-get install -y softhsm2 opensc`"
            )
        })
}

fn set_up(mechanisms: Option<&str>) -> SoftHsm {
    let module = find_module();
    let dir = tempfile::tempdir().expect("temp dir");
    let tokens = dir.path().join("tokens");
    let scratch = dir.path().join("scratch");
    std::fs::create_dir_all(&tokens).unwrap();
    std::fs::create_dir_all(&scratch).unwrap();
    let conf = dir.path().join("softhsm2.conf");
    let mut text = format!(
        "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
        tokens.display()
    );
    if let Some(m) = mechanisms {
        text.push_str(&format!("slots.mechanisms = {m}\n"));
    }
    std::fs::write(&conf, text).unwrap();
    // SAFETY: set once, before this process loads SoftHSM2 (which reads it in C_Initialize);
    // tests reach the module only through this OnceLock-guarded set-up.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &conf) };

    let hsm = SoftHsm {
        _dir: dir,
        module,
        conf,
        scratch,
    };
    for label in [TOKEN, PIN_TOKEN] {
        hsm.tool(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                label,
                "--pin",
                PIN,
                "--so-pin",
                SO_PIN,
            ],
        );
    }

    let pki = TestPki::get();
    for key in KEYS {
        let leaf = pki.leaf(key.kind);
        let key_der = hsm.scratch.join(format!("{}.key.der", key.id));
        let pub_der = hsm.scratch.join(format!("{}.pub.der", key.id));
        let cert_der = hsm.scratch.join(format!("{}.cert.der", key.id));
        let leaf_key = leaf.key_pem.to_str().unwrap();
        hsm.openssl(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            leaf_key,
            "-outform",
            "DER",
            "-out",
            path(&key_der),
        ]);
        hsm.openssl(&[
            "pkey",
            "-in",
            leaf_key,
            "-pubout",
            "-outform",
            "DER",
            "-out",
            path(&pub_der),
        ]);
        hsm.openssl(&[
            "x509",
            "-in",
            leaf.cert_pem.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            path(&cert_der),
        ]);
        hsm.write_object(&key_der, "privkey", key.id, key.key_label);
        if key.public_key {
            hsm.write_object(&pub_der, "pubkey", key.id, key.key_label);
        }
        hsm.write_object(&cert_der, "cert", key.id, key.cert_label);
    }
    let ca_der = hsm.scratch.join("ca.cert.der");
    hsm.openssl(&[
        "x509",
        "-in",
        pki.intermediate_pem().to_str().unwrap(),
        "-outform",
        "DER",
        "-out",
        path(&ca_der),
    ]);
    hsm.write_object(&ca_der, "cert", CA_ID, CA_LABEL);
    hsm
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

impl SoftHsm {
    fn tool(&self, program: &str, args: &[&str]) -> String {
        let out = Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", &self.conf)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {program}: {e} (run scripts/test.sh, which installs softhsm2, \
                     opensc and openssl)"
                )
            });
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
        text
    }

    /// Runs `softhsm2-util` on this process's token directory and returns what it printed.
    pub fn softhsm2_util(&self, args: &[&str]) -> String {
        self.tool("softhsm2-util", args)
    }

    /// Runs `openssl` and returns what it printed.
    pub fn openssl(&self, args: &[&str]) -> String {
        self.tool("openssl", args)
    }

    /// Runs `pkcs11-tool` on this module and returns what it printed.
    pub fn pkcs11_tool(&self, args: &[&str]) -> String {
        let mut all = vec!["--module", path(&self.module)];
        all.extend_from_slice(args);
        self.tool("pkcs11-tool", &all)
    }

    fn write_object(&self, file: &Path, kind: &str, id: &str, label: &str) {
        self.pkcs11_tool(&[
            "--token-label",
            TOKEN,
            "--login",
            "--pin",
            PIN,
            "--write-object",
            path(file),
            "--type",
            kind,
            "--id",
            id,
            "--label",
            label,
        ]);
    }

    /// The DER of a key's certificate, as imported.
    pub fn cert_der(&self, key: Imported) -> Vec<u8> {
        std::fs::read(self.scratch.join(format!("{}.cert.der", key.id))).unwrap()
    }

    /// The DER of the intermediate CA's certificate.
    pub fn ca_der(&self) -> Vec<u8> {
        std::fs::read(self.scratch.join("ca.cert.der")).unwrap()
    }
}
