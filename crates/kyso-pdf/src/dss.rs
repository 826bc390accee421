//! The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4.2): the
//! validation data — certificates, OCSP responses, CRLs — a PAdES B-LT file keeps so that its
//! signatures can be validated when the services that vouched for them are gone.
//!
//! [`read`] gathers the data of a document's DSS (the /Certs, /OCSPs and /CRLs arrays and the
//! per-signature /VRI dictionaries, all merged: what vouches for one signature's chain
//! vouches for any); `add` (crate-internal; [`extend_file`](crate::sign::extend_file) uses it)
//! plans the incremental update that adds data to it, keeping
//! what is there (the DSS rule of the validator allows exactly that change), with a /VRI entry
//! for each signature the data was gathered for, keyed by the SHA-1 of its /Contents as
//! ETSI EN 319 142-1 §5.4.2.2 says.

use kyso_cert::revocation::RevocationEvidence;

use crate::object::{Dict, Name, Object, Stream};
use crate::reader::{PdfReader, Source};
use crate::update::IncrementalUpdate;
use crate::{Error, Result};

/// At most this many streams read from a DSS (its arrays and VRI entries together, each
/// stream once); a DSS of a long-kept file holds tens.
pub const MAX_DSS_ENTRIES: usize = 10_000;

/// At most this many decoded bytes read from a DSS, all streams together.
pub const MAX_DSS_BYTES: usize = 64 << 20;

/// Validation data: DER certificates, OCSP responses and CRLs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationData {
    /// DER certificates.
    pub certificates: Vec<Vec<u8>>,
    /// Revocation evidence.
    pub revocation: RevocationEvidence,
}

impl ValidationData {
    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.revocation.is_empty()
    }

    /// Adds `other`'s data, leaving out what is already here.
    pub fn extend(&mut self, other: ValidationData) {
        for c in other.certificates {
            if !self.certificates.contains(&c) {
                self.certificates.push(c);
            }
        }
        self.revocation.extend(other.revocation);
    }

    /// What of `self` `other` does not hold.
    pub fn without(&self, other: &ValidationData) -> ValidationData {
        let missing = |mine: &[Vec<u8>], theirs: &[Vec<u8>]| -> Vec<Vec<u8>> {
            mine.iter()
                .filter(|d| !theirs.contains(d))
                .cloned()
                .collect()
        };
        ValidationData {
            certificates: missing(&self.certificates, &other.certificates),
            revocation: RevocationEvidence {
                ocsp_responses: missing(
                    &self.revocation.ocsp_responses,
                    &other.revocation.ocsp_responses,
                ),
                crls: missing(&self.revocation.crls, &other.revocation.crls),
            },
        }
    }

    /// The certificates that parse (a DSS may hold anything).
    pub fn parsed_certificates(&self) -> Vec<kyso_cert::Certificate> {
        self.certificates
            .iter()
            .filter_map(|d| kyso_cert::Certificate::from_der(d).ok())
            .collect()
    }
}

/// The validation data of the document's DSS, empty when it has none. Streams that do not
/// decode are left out (the validator names what they lack: evidence).
///
/// # Errors
///
/// The reader's errors for a catalog that cannot be read.
pub fn read<S: Source>(reader: &PdfReader<S>) -> Result<ValidationData> {
    let mut data = ValidationData::default();
    let catalog = reader.catalog()?;
    let Some(dss) = catalog.get("DSS") else {
        return Ok(data);
    };
    let Ok(Object::Dict(dss)) = reader.deref(dss) else {
        return Ok(data);
    };
    let mut dicts = vec![dss.clone()];
    if let Some(Ok(Object::Dict(vri))) = dss.get("VRI").map(|v| reader.deref(v)) {
        for (_, entry) in vri.iter().take(MAX_DSS_ENTRIES) {
            if let Ok(Object::Dict(d)) = reader.deref(entry) {
                dicts.push(d);
            }
        }
    }
    // Each stream is decoded once, however many arrays list it, within the budgets.
    let mut seen = std::collections::HashSet::new();
    let (mut items, mut bytes) = (0usize, 0usize);
    for d in &dicts {
        for (key, vri_key) in [("Certs", "Cert"), ("OCSPs", "OCSP"), ("CRLs", "CRL")] {
            let Some(Ok(Object::Array(array))) = d
                .get(key)
                .or_else(|| d.get(vri_key))
                .map(|a| reader.deref(a))
            else {
                continue;
            };
            for item in &array {
                if let Object::Reference(r) = item
                    && !seen.insert(*r)
                {
                    continue;
                }
                items += 1;
                if items > MAX_DSS_ENTRIES || bytes > MAX_DSS_BYTES {
                    return Ok(data);
                }
                let Ok(Object::Stream(st)) = reader.deref(item) else {
                    continue;
                };
                let Ok(decoded) = st.decoded_data() else {
                    continue;
                };
                bytes += decoded.len();
                let list = match key {
                    "Certs" => &mut data.certificates,
                    "OCSPs" => &mut data.revocation.ocsp_responses,
                    _ => &mut data.revocation.crls,
                };
                if !list.contains(&decoded) {
                    list.push(decoded);
                }
            }
        }
    }
    Ok(data)
}

/// Plans, in `update`, the addition of `data` to the document's DSS: new streams for what it
/// does not hold yet, the arrays extended, a /VRI entry per signature `/Contents` in
/// `signatures` listing `data`, and the catalog pointing at the DSS. Returns whether anything
/// was added.
///
/// # Errors
///
/// The reader's errors; [`Error::Unsupported`] for a DSS that is not a dictionary.
pub(crate) fn add<S: Source>(
    reader: &PdfReader<S>,
    update: &mut IncrementalUpdate,
    data: &ValidationData,
    signatures: &[Vec<u8>],
) -> Result<bool> {
    let catalog_ref = reader.catalog_ref()?;
    let mut catalog = reader.catalog()?;
    let (dss_ref, mut dss) = match catalog.get("DSS") {
        Some(Object::Reference(r)) => match reader.resolve(*r)? {
            Object::Dict(d) => (*r, d),
            _ => {
                return Err(Error::BadObject {
                    object: *r,
                    message: "the /DSS is not a dictionary".into(),
                });
            }
        },
        Some(Object::Dict(d)) => (update.allocate(), d.clone()),
        Some(_) => {
            return Err(Error::BadObject {
                object: catalog_ref,
                message: "the catalog's /DSS is not a dictionary".into(),
            });
        }
        None => {
            let mut d = Dict::new();
            d.set("Type", Object::name("DSS"));
            (update.allocate(), d)
        }
    };
    let mut added = false;
    let mut vri_refs: [Vec<Object>; 3] = Default::default();
    let lists = [
        ("Certs", &data.certificates),
        ("OCSPs", &data.revocation.ocsp_responses),
        ("CRLs", &data.revocation.crls),
    ];
    for (i, (key, new)) in lists.into_iter().enumerate() {
        let mut array = match dss.get(key).map(|a| reader.deref(a)) {
            Some(Ok(Object::Array(items))) => items,
            _ => Vec::new(),
        };
        // What the array holds already, to be pointed at rather than written again.
        let held: Vec<(Object, Vec<u8>)> = array
            .iter()
            .take(MAX_DSS_ENTRIES)
            .filter_map(|item| match reader.deref(item) {
                Ok(Object::Stream(st)) => st.decoded_data().ok().map(|d| (item.clone(), d)),
                _ => None,
            })
            .collect();
        for bytes in new {
            let item = match held.iter().find(|(_, d)| d == bytes) {
                Some((item, _)) => item.clone(),
                None => {
                    let r = update.allocate();
                    update.put(r, &Object::Stream(data_stream(bytes)));
                    array.push(Object::Reference(r));
                    added = true;
                    Object::Reference(r)
                }
            };
            vri_refs[i].push(item);
        }
        if !array.is_empty() {
            dss.set(key, Object::Array(array));
        }
    }
    if !signatures.is_empty() {
        let mut vri = match dss.get("VRI").map(|v| reader.deref(v)) {
            Some(Ok(Object::Dict(d))) => d,
            _ => Dict::new(),
        };
        for contents in signatures {
            let key = crate::sign::hex_upper(&sha1(contents));
            let mut entry = Dict::new();
            for (i, name) in ["Cert", "OCSP", "CRL"].into_iter().enumerate() {
                if !vri_refs[i].is_empty() {
                    entry.set(name, Object::Array(vri_refs[i].clone()));
                }
            }
            vri.set(&key, Object::Dict(entry));
            added = true;
        }
        dss.set("VRI", Object::Dict(vri));
    }
    if !added {
        return Ok(false);
    }
    update.put(dss_ref, &Object::Dict(dss));
    if catalog.get("DSS").and_then(Object::as_reference) != Some(dss_ref) {
        catalog.set("DSS", Object::Reference(dss_ref));
        update.put(catalog_ref, &Object::Dict(catalog));
    }
    Ok(true)
}

/// The bytes of a DSS stream, Flate-compressed as pyHanko and Adobe write them.
fn data_stream(bytes: &[u8]) -> Stream {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    match z.write_all(bytes).and_then(|()| z.finish()) {
        Ok(compressed) => {
            let mut d = Dict::new();
            d.set("Filter", Object::Name(Name::new("FlateDecode")));
            Stream::new(d, compressed)
        }
        // Writing to a Vec does not fail; were it to, the data goes in uncompressed.
        Err(_) => Stream::new(Dict::new(), bytes.to_vec()),
    }
}

fn sha1(data: &[u8]) -> Vec<u8> {
    kyso_cms::DigestAlgorithm::Sha1.digest(data)
}
