//! Test support for kyso: run the crates against the real world.
//!
//! kyso's integration tests (kyso-pdf, kyso-cli, kyso-token) take this crate as a
//! dev-dependency. It depends on no other kyso crate, so any of them can use it.
//!
//! * [`TestPki`]: a test PKI made with the `openssl` command the first time a test asks
//!   for it — root CA, intermediate CA and leaves for RSA-2048, RSA-3072 with RSASSA-PSS,
//!   ECDSA P-256 and a revoked certificate, each with Vietnamese subjects, PKCS#8 keys,
//!   chains, modern and legacy PKCS#12 files — plus an NSS database trusting the root
//!   for `pdfsig`;
//! * [`corpus`]: the kinds of input PDF a signer must handle (classic xref table,
//!   incremental update, xref and object streams, hybrid reference, PDF 2.0, linearized,
//!   300 pages, an existing empty signature field, encrypted);
//! * [`ber`]: BER re-encodings of DER, as streaming CMS encoders write them;
//! * [`validators`]: the external validators — `qpdf --check`, pyHanko, poppler's
//!   `pdfsig`, `openssl cms -verify` — run for real, with typed results that keep the
//!   raw output for failure messages;
//! * [`reference`](mod@reference): pyHanko as a reference signer, to check that kyso verifies what
//!   others produce;
//! * [`tsa`]: a time-stamping authority (`openssl ts -reply`), direct or over HTTP;
//! * [`interop`]: independent implementations — PDFBox 2, iText 5, @signpdf, poppler's
//!   `pdfsig`, `openssl cms -stream` — that sign PDFs, pypdf and PDFBox that edit signed
//!   ones, and PDFBox and iText 5 as verifiers of kyso's output.
//!
//! Everything generated lands in one shared directory (see [`shared_dir`]) that all
//! test processes reuse: `cargo nextest` runs each test in a process of its own, in
//! parallel. Each artefact is built once, in a fresh temporary directory beside its
//! final place, then renamed into place; a process that loses that race uses the
//! winner's copy.
//!
//! A missing tool is never a silent pass: the helpers panic with a message naming the
//! tool and the fix (`qpdf not installed: run scripts/test.sh`).
//!
//! # Example
//!
//! ```no_run
//! use kyso_testkit::{corpus, validators, LeafKind, TestPki};
//!
//! let pki = TestPki::get();
//! let leaf = pki.leaf(LeafKind::Rsa2048);
//! let input = corpus::classic();
//! let output = tempfile::tempdir().unwrap().keep().join("signed.pdf");
//! kyso_testkit::reference::pyhanko_sign(&input.path, &output, leaf, "Sig1");
//!
//! assert!(validators::qpdf_check(&output).ok);
//! let sigs = validators::pyhanko_validate(&output, pki.root_pem());
//! assert!(sigs[0].intact && sigs[0].valid && sigs[0].trusted);
//! let sigs = validators::pdfsig_verify(&output, pki.nss_db());
//! assert!(sigs[0].signature_valid && sigs[0].certificate_trusted);
//! validators::openssl_cms_verify(&output, 0, pki.root_pem()).unwrap();
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ber;
mod cache;
pub mod corpus;
pub mod interop;
pub mod ltv;
mod pki;
pub mod reference;
mod time;
mod tools;
pub mod tsa;
pub mod validators;

pub use cache::{SHARED_DIR_ENV, shared_dir};
pub use pki::{
    ExtraExtensions, ExtraKey, ExtraLeaf, LEAF_ORGANIZATION, Leaf, LeafKind, P12_PASSWORD,
    PKI_DIR_NAME, TestPki,
};
