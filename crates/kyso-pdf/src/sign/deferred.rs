//! Deferred signing: a document written up to its signature value ([`PreparedPdf`]), kept
//! across processes as a [`DeferredState`], finished when the signature arrives.

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
    pub fn finish(mut self, signature: &[u8]) -> Result<()> {
        let cms = self.plan.cms(signature)?;
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
        let b = &self.plan.builder;
        Ok(DeferredState {
            pending,
            output: self.output,
            contents_at: self.plan.contents_at,
            capacity: self.plan.capacity,
            algorithm: b.signature_algorithm(),
            certificate: hex::encode(b.certificate().der()),
            chain: b.chain().iter().map(|c| hex::encode(c.der())).collect(),
            signed_attributes: hex::encode(self.plan.attributes.der()),
            content_digest: hex::encode(&self.plan.content_digest),
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
    /// Offset of the `<` of the /Contents placeholder.
    pub contents_at: u64,
    /// Bytes reserved for the CMS.
    pub capacity: usize,
    /// The signature algorithm expected.
    pub algorithm: SignatureScheme,
    /// Signer certificate, DER as hex.
    pub certificate: String,
    /// Chain certificates, DER as hex.
    pub chain: Vec<String>,
    /// The signed attributes (the message to sign), DER as hex.
    pub signed_attributes: String,
    /// Digest of the signed byte ranges, hex.
    pub content_digest: String,
}

impl DeferredState {
    /// The message to sign (DER of the signed attributes).
    pub fn data_to_sign(&self) -> Result<Vec<u8>> {
        hex::decode(&self.signed_attributes).map_err(|e| Error::State(e.to_string()))
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

    pub(super) fn finish_with(
        self,
        signature: &[u8],
        timestamp_authority: Option<Arc<dyn TimestampAuthority>>,
    ) -> Result<PathBuf> {
        let decode = |h: &str| hex::decode(h).map_err(|e| Error::State(e.to_string()));
        let certificate = Certificate::from_der(&decode(&self.certificate)?)
            .map_err(|e| Error::State(e.to_string()))?;
        let chain = self
            .chain
            .iter()
            .map(|h| Certificate::from_der(&decode(h)?).map_err(|e| Error::State(e.to_string())))
            .collect::<Result<Vec<_>>>()?;
        let builder = SignedDataBuilder::new(certificate, chain, self.algorithm);
        let attributes = SignedAttributes::from_der(&decode(&self.signed_attributes)?)?;
        let plan = Plan {
            builder,
            attributes,
            content_digest: decode(&self.content_digest)?,
            contents_at: self.contents_at,
            capacity: self.capacity,
            byte_range: [0; 4],
            timestamp_authority,
        };
        let cms = plan.cms(signature)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.pending)
            .map_err(|e| Error::Input {
                path: self.pending.clone(),
                source: e,
            })?;
        check_placeholder(&mut file, self.contents_at, self.capacity)?;
        write_at(&mut file, self.contents_at + 1, &cms, true)?;
        drop(file);
        std::fs::rename(&self.pending, &self.output)?;
        Ok(self.output)
    }
}

/// The reader of `input` and a temporary file beside `output` (so that the finished file can
/// be renamed onto it), refusing an output that is the input.
pub(super) fn open_for_update(
    input: &Path,
    output: &Path,
) -> Result<(PdfReader<File>, tempfile::NamedTempFile)> {
    check_distinct(input, output)?;
    let file = File::open(input).map_err(|e| Error::Input {
        path: input.to_path_buf(),
        source: e,
    })?;
    let reader = PdfReader::new(file)?;
    Ok((reader, crate::output::temp_beside(output)?))
}

pub(super) fn pending_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_os_string();
    name.push(".kyso-pending");
    PathBuf::from(name)
}

/// Makes sure the pending file still has an empty placeholder where the state says.
pub(super) fn check_placeholder(file: &mut File, at: u64, capacity: usize) -> Result<()> {
    use std::io::Read;
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
