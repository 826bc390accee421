//! Deferred signing: a document written up to its signature value ([`PreparedPdf`]), kept
//! across processes as a [`DeferredState`] (a file) or a [`DeferredSignature`] with the
//! prepared bytes (in memory), finished when the signature arrives.

use super::*;

/// A document written up to its signature value: the first half of (deferred) signing.
///
/// Send [`PreparedPdf::data_to_sign`] (or its digest) to whatever holds the key, then call
/// [`PreparedPdf::finish`] with the signature — or [`PreparedPdf::suspend`] to end this
/// process and finish later from a [`DeferredState`].
#[derive(Debug)]
pub struct PreparedPdf {
    pub(super) plan: Plan,
    pub(super) tmp: tempfile::NamedTempFile,
    pub(super) output: PathBuf,
    pub(super) sync: bool,
}

impl PreparedPdf {
    /// The digest of the signed byte ranges (the CMS message-digest).
    pub fn content_digest(&self) -> &[u8] {
        &self.plan.content_digest
    }

    /// The DER of the CMS signed attributes: the message the signer must sign.
    pub fn data_to_sign(&self) -> &[u8] {
        self.plan.attributes.der()
    }

    /// The hash of [`PreparedPdf::data_to_sign`] with the signer's digest, for tokens and
    /// services that sign a hash.
    pub fn digest_to_sign(&self) -> Vec<u8> {
        self.plan
            .builder
            .digest_algorithm()
            .digest(self.plan.attributes.der())
    }

    /// The signature algorithm the signature must use.
    pub fn algorithm(&self) -> SignatureScheme {
        self.plan.builder.signature_algorithm()
    }

    /// The /ByteRange of the new signature.
    pub fn byte_range(&self) -> [u64; 4] {
        self.plan.byte_range
    }

    /// Embeds `signature` (over [`PreparedPdf::data_to_sign`]) and moves the finished file
    /// onto the output path.
    pub fn finish(self, signature: &[u8]) -> Result<()> {
        self.finish_from(signature, None)
    }

    /// [`PreparedPdf::finish`] with a signature `signer` just made (see [`Plan::cms`]).
    pub(super) fn finish_signed_by(self, signature: &[u8], signer: &dyn Signer) -> Result<()> {
        self.finish_from(signature, Some(signer))
    }

    fn finish_from(mut self, signature: &[u8], signer: Option<&dyn Signer>) -> Result<()> {
        let cms = self.plan.cms(signature, signer)?;
        write_at(
            self.tmp.as_file_mut(),
            self.plan.contents_at + 1,
            &cms,
            self.sync,
        )?;
        self.tmp
            .persist(&self.output)
            .map_err(|e| Error::Io(e.error))?;
        Ok(())
    }

    /// Writes the bytes the signature covers — the two byte ranges of the prepared file, in
    /// order — to `out`: the content for a CMS made elsewhere ([`PreparedPdf::finish_with_cms`]).
    pub fn write_signed_content(&self, out: &mut dyn Write) -> Result<()> {
        crate::verify::for_each_range_chunk(self.tmp.as_file(), &self.plan.byte_range, |c| {
            out.write_all(c).map_err(Error::from)
        })
    }

    /// Embeds a complete detached CMS `SignedData` made elsewhere — a remote signing service
    /// that returns PKCS#7, `openssl cms -sign`, a browser plug-in — over
    /// [`PreparedPdf::write_signed_content`], and moves the finished file onto the output
    /// path. DER or BER (as RFC 5652 allows) is embedded as given. Like
    /// [`PreparedPdf::finish`], it verifies before embedding: the CMS must verify over the
    /// signed bytes with the digest algorithm it names (its signer need not be the builder's).
    ///
    /// # Errors
    ///
    /// [`Error::PlaceholderTooSmall`] when it does not fit the reserved /Contents, and the
    /// CMS errors ([`kyso_cms::Error`]) when it does not verify over the signed bytes.
    pub fn finish_with_cms(mut self, cms: &[u8]) -> Result<()> {
        if cms.len() > self.plan.capacity {
            return Err(Error::PlaceholderTooSmall {
                needed: cms.len(),
                available: self.plan.capacity,
            });
        }
        let info = kyso_cms::verify::SignedDataInfo::parse(cms)?;
        let mut hasher = info.digest_algorithm().hasher();
        crate::verify::for_each_range_chunk(self.tmp.as_file(), &self.plan.byte_range, |c| {
            hasher.update(c);
            Ok(())
        })?;
        info.verify(&hasher.finalize())?;
        write_at(
            self.tmp.as_file_mut(),
            self.plan.contents_at + 1,
            &super::hex_upper(cms),
            self.sync,
        )?;
        self.tmp
            .persist(&self.output)
            .map_err(|e| Error::Io(e.error))?;
        Ok(())
    }

    /// Keeps the prepared file as `<output>.kyso-pending` and returns the small state that
    /// [`DeferredState::finish`] needs, so that the process holding this value can end.
    pub fn suspend(self) -> Result<DeferredState> {
        let pending = pending_path(&self.output);
        self.tmp.persist(&pending).map_err(|e| Error::Io(e.error))?;
        Ok(DeferredState {
            pending,
            output: self.output,
            signature: DeferredSignature::from_plan(&self.plan),
        })
    }
}

/// What is kept between the two halves of deferred signing: a few kilobytes, serializable
/// (serde) so a portal can store it in a session or a database.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeferredState {
    /// The prepared file waiting for its signature.
    pub pending: PathBuf,
    /// Where the signed file goes.
    pub output: PathBuf,
    #[serde(flatten)]
    signature: DeferredSignature,
}

impl DeferredState {
    /// The message to sign (DER of the signed attributes).
    pub fn data_to_sign(&self) -> &[u8] {
        self.signature.data_to_sign()
    }

    /// Embeds `signature` into the pending file and renames it onto the output. A signature
    /// that does not verify against the signer's certificate (wrong key, corrupted answer) is
    /// refused and the pending file stays, so the caller can try again.
    pub fn finish(self, signature: &[u8]) -> Result<PathBuf> {
        self.finish_with(signature, None)
    }

    /// As [`finish`](Self::finish), with the signature value time-stamped by `tsa` (PAdES
    /// B-T). Room for the token is reserved when the document was prepared with
    /// [`SignOptions::timestamp_authority`] set (any TSA: only the size counts then);
    /// otherwise the token may not fit ([`Error::PlaceholderTooSmall`], the pending file
    /// stays).
    pub fn finish_timestamped(
        self,
        signature: &[u8],
        tsa: Arc<dyn TimestampAuthority>,
    ) -> Result<PathBuf> {
        self.finish_with(signature, Some(tsa))
    }

    fn finish_with(
        self,
        signature: &[u8],
        timestamp_authority: Option<Arc<dyn TimestampAuthority>>,
    ) -> Result<PathBuf> {
        let plan = self.signature.plan(timestamp_authority)?;
        let cms = plan.cms(signature, None)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.pending)
            .map_err(|e| Error::Input {
                path: self.pending.clone(),
                source: e,
            })?;
        check_placeholder(&mut file, plan.contents_at, plan.capacity)?;
        write_at(&mut file, plan.contents_at + 1, &cms, true)?;
        drop(file);
        std::fs::rename(&self.pending, &self.output)?;
        Ok(self.output)
    }
}

/// The half of a deferred signature that is not the document: where the /Contents placeholder
/// is, the signer, the signed attributes and the digest of the signed byte ranges they commit
/// to. Path-free and serializable (serde, bytes as hex), so that a service can hand it to its
/// client with the prepared bytes of [`PdfSigner::prepare_bytes`] and finish on any replica.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeferredSignature {
    /// Offset of the `<` of the /Contents placeholder.
    contents_at: u64,
    /// Bytes reserved for the CMS.
    capacity: usize,
    /// The signature algorithm expected.
    algorithm: SignatureScheme,
    /// Signer certificate, DER.
    #[serde(with = "hex::serde")]
    certificate: Vec<u8>,
    /// Chain certificates, DER.
    #[serde(with = "hex_list")]
    chain: Vec<Vec<u8>>,
    /// The signed attributes (the message to sign), DER.
    #[serde(with = "hex::serde")]
    signed_attributes: Vec<u8>,
    /// Digest of the signed byte ranges.
    #[serde(with = "hex::serde")]
    content_digest: Vec<u8>,
}

impl DeferredSignature {
    pub(super) fn from_plan(plan: &Plan) -> Self {
        let b = &plan.builder;
        Self {
            contents_at: plan.contents_at,
            capacity: plan.capacity,
            algorithm: b.signature_algorithm(),
            certificate: b.certificate().der().to_vec(),
            chain: b.chain().iter().map(|c| c.der().to_vec()).collect(),
            signed_attributes: plan.attributes.der().to_vec(),
            content_digest: plan.content_digest.clone(),
        }
    }

    /// The message to sign: the DER of the signed attributes.
    pub fn data_to_sign(&self) -> &[u8] {
        &self.signed_attributes
    }

    /// The hash of [`data_to_sign`](Self::data_to_sign) with the signature algorithm's
    /// digest, for tokens and services that sign a hash.
    pub fn digest_to_sign(&self) -> Vec<u8> {
        self.algorithm.digest().digest(&self.signed_attributes)
    }

    /// The signature algorithm the signature must use.
    pub fn algorithm(&self) -> SignatureScheme {
        self.algorithm
    }

    /// The digest of the signed byte ranges (the CMS message-digest).
    pub fn content_digest(&self) -> &[u8] {
        &self.content_digest
    }

    /// The signer's certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    /// Where the placeholder of a prepared document of `len` bytes starts and where the
    /// bytes after it start: the signed ranges are `..before` and `after..`.
    fn signed_ranges(&self, len: usize) -> Option<(usize, usize)> {
        let before = usize::try_from(self.contents_at).ok()?;
        let after = before.checked_add(self.capacity.checked_mul(2)?.checked_add(2)?)?;
        (after <= len).then_some((before, after))
    }

    /// Embeds `signature` (over [`data_to_sign`](Self::data_to_sign)) into `prepared`, the
    /// bytes [`PdfSigner::prepare_bytes`] returned with this state, and returns the signed
    /// document. The bytes are checked to be the ones this state was made for — an empty
    /// placeholder where the state says, and signed ranges that hash to its digest — and the
    /// signature is verified against the signer's certificate before it goes in.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when `prepared` is not the document this state was made for; the CMS
    /// errors ([`kyso_cms::Error`]) when the signature does not verify.
    pub fn finish(&self, prepared: Vec<u8>, signature: &[u8]) -> Result<Vec<u8>> {
        self.finish_with(prepared, signature, None)
    }

    /// As [`finish`](Self::finish), with the signature value time-stamped by `tsa` (PAdES
    /// B-T). Room for the token is reserved when the document was prepared with
    /// [`SignOptions::timestamp_authority`] set (only the size counts then); otherwise the
    /// token may not fit ([`Error::PlaceholderTooSmall`]).
    ///
    /// # Errors
    ///
    /// As [`finish`](Self::finish), and the time-stamp's errors.
    pub fn finish_timestamped(
        &self,
        prepared: Vec<u8>,
        signature: &[u8],
        tsa: Arc<dyn TimestampAuthority>,
    ) -> Result<Vec<u8>> {
        self.finish_with(prepared, signature, Some(tsa))
    }

    fn finish_with(
        &self,
        mut prepared: Vec<u8>,
        signature: &[u8],
        timestamp_authority: Option<Arc<dyn TimestampAuthority>>,
    ) -> Result<Vec<u8>> {
        let (before, after) = self
            .signed_ranges(prepared.len())
            .ok_or_else(|| Error::State("the document is shorter than its state says".into()))?;
        let mut cursor = std::io::Cursor::new(prepared.as_slice());
        check_placeholder(&mut cursor, self.contents_at, self.capacity)?;
        let mut hasher = self.algorithm.digest().hasher();
        hasher.update(&prepared[..before]);
        hasher.update(&prepared[after..]);
        if hasher.finalize() != self.content_digest {
            return Err(Error::State(
                "the document's signed byte ranges do not hash to the digest of its state".into(),
            ));
        }
        let cms = self.plan(timestamp_authority)?.cms(signature, None)?;
        embed(&mut prepared, self.contents_at, &cms)?;
        Ok(prepared)
    }

    /// The plan this state was taken from (the byte range is not kept: finishing does not
    /// need it).
    fn plan(&self, timestamp_authority: Option<Arc<dyn TimestampAuthority>>) -> Result<Plan> {
        let cert = |der: &[u8]| {
            Certificate::from_der(der).map_err(|e| Error::State(format!("certificate: {e}")))
        };
        let chain = self
            .chain
            .iter()
            .map(|der| cert(der))
            .collect::<Result<Vec<_>>>()?;
        let builder = SignedDataBuilder::new(cert(&self.certificate)?, chain, self.algorithm);
        Ok(Plan {
            builder,
            attributes: SignedAttributes::from_der(&self.signed_attributes)?,
            content_digest: self.content_digest.clone(),
            contents_at: self.contents_at,
            capacity: self.capacity,
            byte_range: [0; 4],
            timestamp_authority,
        })
    }
}

/// Serde for a list of byte strings as hex.
mod hex_list {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(list: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(list.iter().map(hex::encode))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|h| hex::decode(h).map_err(serde::de::Error::custom))
            .collect()
    }
}

/// Writes the hex `cms` into the placeholder at `contents_at` of a document in memory.
pub(super) fn embed(document: &mut [u8], contents_at: u64, cms: &str) -> Result<()> {
    let start = usize::try_from(contents_at + 1).map_err(|_| Error::Internal("offset"))?;
    document
        .get_mut(start..start + cms.len())
        .ok_or(Error::Internal(
            "the placeholder lies past the document's end",
        ))?
        .copy_from_slice(cms.as_bytes());
    Ok(())
}

/// The reader of `input` and a temporary file beside `output` (so that the finished file can
/// be renamed onto it), refusing an output that is the input.
pub(super) fn open_for_update(
    input: &Path,
    output: &Path,
) -> Result<(PdfReader<InputFile>, tempfile::NamedTempFile)> {
    check_distinct(input, output)?;
    let file = InputFile::open(input)?;
    let reader = PdfReader::new(file)?;
    Ok((reader, crate::output::temp_beside(output)?))
}

pub(super) fn pending_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_os_string();
    name.push(".kyso-pending");
    PathBuf::from(name)
}

/// Makes sure the pending file still has an empty placeholder where the state says.
pub(super) fn check_placeholder<F: std::io::Read + Seek>(
    file: &mut F,
    at: u64,
    capacity: usize,
) -> Result<()> {
    let mut buf = vec![0u8; 2 * capacity + 2];
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(&mut buf)
        .map_err(|_| Error::State("pending file is shorter than its state says".into()))?;
    let empty = buf[0] == b'<'
        && buf[buf.len() - 1] == b'>'
        && buf[1..buf.len() - 1].iter().all(|&b| b == b'0');
    if !empty {
        return Err(Error::State(
            "pending file has no empty /Contents placeholder at the recorded offset".into(),
        ));
    }
    Ok(())
}

pub(super) fn write_at(file: &mut File, offset: u64, hex: &str, sync: bool) -> Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(hex.as_bytes())?;
    if sync {
        file.sync_all()?;
    }
    Ok(())
}
