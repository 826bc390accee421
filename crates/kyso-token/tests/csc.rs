//! Remote signing against the CSC test server of `csc_server/`: PDFs signed through the CSC
//! flow (with pending approval) are accepted by pyHanko; multi-hash authorisation signs three
//! documents with one SAD; wrong, foreign and expired SADs, unknown credentials, missing tokens,
//! time-outs and rejections each give their typed error. No test sleeps for real longer than a
//! few milliseconds: waiting runs on a clock that only counts.

mod csc_server;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};
use csc_server::{Config, TestCsc};
use kyso_cert::Certificate;
use kyso_cms::{DigestAlgorithm, SignatureScheme, Signer};
use kyso_pdf::{BatchJob, PdfSigner, SignOptions};
use kyso_testkit::validators::{PyhankoOptions, pyhanko_validate_batch};
use kyso_testkit::{LeafKind, TestPki, corpus};
use kyso_token::Error;
use kyso_token::SoftwareSigner;
use kyso_token::remote::csc::wire::{AuthorizeRequest, CredentialsListRequest, SignHashRequest};
use kyso_token::remote::{
    AccessToken, ApprovalSigner, Clock, CscClient, CscSession, HttpClient, HttpConfig,
    OperationMode, PendingId, PollingOptions, PollingSigner, RemoteError, Sad, SystemClock,
    client_credentials_token,
};

/// A clock whose `sleep` only moves time forward.
struct CountingClock {
    start: Instant,
    elapsed: Mutex<Duration>,
    sleeps: AtomicUsize,
}

impl CountingClock {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
            sleeps: AtomicUsize::new(0),
        })
    }

    fn elapsed(&self) -> Duration {
        *self.elapsed.lock().unwrap()
    }
}

impl Clock for CountingClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }

    fn sleep(&self, duration: Duration) {
        *self.elapsed.lock().unwrap() += duration;
        self.sleeps.fetch_add(1, Ordering::Relaxed);
    }
}

/// Back-off as in production, with a two-minute time-out (on the counting clock).
fn polling() -> PollingOptions {
    PollingOptions {
        initial_interval: Duration::from_secs(1),
        max_interval: Duration::from_secs(5),
        backoff_factor: 2,
        timeout: Duration::from_secs(120),
        max_transient_errors: 0,
    }
}

fn http() -> HttpClient {
    HttpClient::new(
        &HttpConfig::new()
            .allow_insecure_loopback(true)
            .with_timeout(Duration::from_secs(20)),
    )
}

fn client(server: &TestCsc) -> CscClient {
    CscClient::new(http(), &server.base_url, AccessToken::new(server.token())).expect("client")
}

fn session(server: &TestCsc) -> CscSession {
    let pin = server.state().config.pin.clone();
    let credential = server.state().config.credential_id.clone();
    let session = CscSession::open(client(server), credential).expect("open the credential");
    match pin {
        Some(pin) => session.with_pin(&pin),
        None => session,
    }
}

fn remote(error: &Error) -> &RemoteError {
    match error {
        Error::Remote(remote) => remote,
        other => panic!("expected a remote error, got {other:?}"),
    }
}

fn digest(data: &[u8]) -> Vec<u8> {
    DigestAlgorithm::Sha256.digest(data)
}

fn assert_valid_pdfs(paths: &[PathBuf]) {
    let options = PyhankoOptions {
        trust_roots: vec![TestPki::get().root_pem().to_path_buf()],
        ..Default::default()
    };
    for (path, result) in paths.iter().zip(pyhanko_validate_batch(paths, &options)) {
        let sigs = result.unwrap_or_else(|e| panic!("pyHanko cannot read {}: {e}", path.display()));
        assert_eq!(sigs.len(), 1, "{}", path.display());
        assert!(
            sigs[0].is_fully_valid(),
            "{}: {}",
            path.display(),
            sigs[0].details
        );
    }
}

#[test]
fn pdfs_signed_through_csc_with_pending_approval_are_accepted_by_pyhanko() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = SignOptions {
        reason: Some("Phê duyệt văn bản".into()),
        location: Some("Hà Nội".into()),
        ..Default::default()
    };
    let mut outputs = Vec::new();

    // 1. RSA, PIN, the user approves on the phone (authorize answers 202, two pending checks),
    //    then asynchronous signHash (two pending polls).
    let server = TestCsc::start(Config {
        authorize_pending_polls: 2,
        sign_pending_polls: 2,
        ..Config::default()
    });
    let clock = CountingClock::new();
    let signer = session(&server)
        .with_operation_mode(OperationMode::Asynchronous)
        .with_description("Quyết định số 12/QĐ-UBND")
        .with_polling(polling())
        .with_clock(clock.clone())
        .into_signer();
    let out = dir.path().join("csc-pending.pdf");
    PdfSigner::new(options.clone())
        .sign_file(&corpus::classic().path, &out, &signer)
        .expect("sign through CSC");
    outputs.push(out);

    let authorize = server.calls("/csc/v2/credentials/authorize");
    assert_eq!(authorize.len(), 1);
    assert_eq!(authorize[0].status, 202);
    assert_eq!(authorize[0].body["numSignatures"], 1);
    assert_eq!(authorize[0].body["hashes"].as_array().unwrap().len(), 1);
    assert_eq!(authorize[0].body["authData"][0]["id"], "PIN");
    assert_eq!(authorize[0].body["description"], "Quyết định số 12/QĐ-UBND");
    let checks: Vec<u16> = server
        .calls("/csc/v2/credentials/authorizeCheck")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(checks, [202, 202, 200]);
    let sign_hash = server.calls("/csc/v2/signatures/signHash");
    assert_eq!(sign_hash.len(), 1);
    assert_eq!(sign_hash[0].body["operationMode"], "A");
    assert_eq!(sign_hash[0].body["signAlgo"], "1.2.840.113549.1.1.11");
    assert_eq!(
        sign_hash[0].body["hashAlgorithmOID"],
        "2.16.840.1.101.3.4.2.1"
    );
    let polls: Vec<u16> = server
        .calls("/csc/v2/signatures/signPolling")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(polls, [202, 202, 200]);
    // Four waits (two per pending phase) of 1 s then 2 s each, on the counting clock only.
    assert_eq!(clock.sleeps.load(Ordering::Relaxed), 4);
    assert_eq!(clock.elapsed(), Duration::from_secs(6));

    // 2. The same service through the generic adapter: PollingSigner<CscApprovalSigner>, on
    //    the real clock with 5–20 ms intervals.
    let adapter = session(&server)
        .with_operation_mode(OperationMode::Asynchronous)
        .into_approval_signer();
    let signer = PollingSigner::new(adapter)
        .with_options(PollingOptions {
            initial_interval: Duration::from_millis(5),
            max_interval: Duration::from_millis(20),
            backoff_factor: 2,
            timeout: Duration::from_secs(20),
            ..PollingOptions::default()
        })
        .with_clock(Arc::new(SystemClock));
    let out = dir.path().join("csc-adapter.pdf");
    PdfSigner::new(options.clone())
        .sign_file(&corpus::xref_stream().path, &out, &signer)
        .expect("sign through the CSC approval adapter");
    outputs.push(out);
    drop(server);

    // 3. An ECDSA P-256 credential, synchronous, no PIN.
    let server = TestCsc::start(Config {
        leaf: LeafKind::P256,
        credential_id: "cred-p256".into(),
        pin: None,
        ..Config::default()
    });
    let signer = session(&server).into_signer();
    assert_eq!(
        signer.algorithm(),
        SignatureScheme::Ecdsa(DigestAlgorithm::Sha256)
    );
    let out = dir.path().join("csc-p256.pdf");
    PdfSigner::new(options)
        .sign_file(&corpus::classic().path, &out, &signer)
        .expect("sign with P-256 through CSC");
    outputs.push(out);
    assert_eq!(
        server.calls("/csc/v2/signatures/signHash")[0].body["signAlgo"],
        "1.2.840.10045.4.3.2"
    );

    assert_valid_pdfs(&outputs);
}

#[test]
fn credential_chain_and_signatures_match_the_software_key() {
    let server = TestCsc::start(Config::default());
    let session = session(&server);
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let software = SoftwareSigner::from_pem(
        &std::fs::read(&leaf.key_pem).unwrap(),
        &std::fs::read(&leaf.cert_pem).unwrap(),
        Some(&std::fs::read(&leaf.chain_pem).unwrap()),
    )
    .expect("software signer");

    assert_eq!(session.certificate().der(), software.certificate().der());
    // The intermediate; the self-signed root is left out.
    assert_eq!(session.chain().len(), 1);
    assert_eq!(session.chain()[0].der(), software.chain()[0].der());
    assert_eq!(session.multisign(), 5);
    assert_eq!(session.credential_info().scal.as_deref(), Some("2"));
    assert_eq!(session.credential_info().authorization_mode(), "explicit");

    // PKCS#1 v1.5 is deterministic: the remote signature is the local one.
    let signer = session.into_signer();
    let message = "Thông tin cần ký".as_bytes();
    assert_eq!(
        signer.sign(message).expect("CSC signature"),
        software.sign(message).expect("software signature")
    );
}

#[test]
fn three_documents_one_authorisation() {
    let server = TestCsc::start(Config::default());
    let signer = session(&server).into_signer();
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = [
        corpus::classic().path,
        corpus::xref_stream().path,
        corpus::incremental().path,
    ];
    let jobs: Vec<BatchJob> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| BatchJob {
            input: input.clone(),
            output: dir.path().join(format!("batch-{i}.pdf")),
        })
        .collect();
    let report = PdfSigner::new(SignOptions::default()).sign_batch(&jobs, &signer, 2, &|_| {});
    assert_eq!(report.signed(), 3, "{:?}", report.results);

    // One credentials/authorize for three signatures, bound to the three hashes, then one
    // signHash with the three hashes.
    let authorize = server.calls("/csc/v2/credentials/authorize");
    assert_eq!(authorize.len(), 1);
    assert_eq!(authorize[0].body["numSignatures"], 3);
    assert_eq!(authorize[0].body["hashes"].as_array().unwrap().len(), 3);
    let sign_hash = server.calls("/csc/v2/signatures/signHash");
    assert_eq!(sign_hash.len(), 1);
    assert_eq!(sign_hash[0].body["hashes"].as_array().unwrap().len(), 3);
    let sad = sign_hash[0].body["SAD"].as_str().unwrap().to_string();
    assert!(sad.starts_with("sad-"));

    let outputs: Vec<PathBuf> = jobs.into_iter().map(|j| j.output).collect();
    assert_valid_pdfs(&outputs);

    // The SAD is used up: a fourth signature needs a new authorisation.
    let err = signer
        .session()
        .sign_hashes_with_sad(&Sad::new(sad), &[digest(b"fourth")])
        .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::InvalidSad { .. }),
        "{err}"
    );
}

#[test]
fn batches_beyond_multisign_are_split_or_refused() {
    let server = TestCsc::start(Config {
        multisign: 2,
        ..Config::default()
    });
    let signer = session(&server).into_signer();
    let digests: Vec<Vec<u8>> = (0..3u8).map(|i| digest(&[i])).collect();

    let err = signer.session().sign_hashes(&digests).unwrap_err();
    assert!(
        matches!(
            remote(&err),
            RemoteError::BatchTooLarge {
                requested: 3,
                max: 2
            }
        ),
        "{err}"
    );
    assert!(server.calls("/csc/v2/credentials/authorize").is_empty());

    // Through the Signer trait the batch is split: 2 + 1.
    let messages: [&[u8]; 3] = [b"a", b"b", b"c"];
    let results = signer.sign_many(&messages);
    assert!(results.iter().all(Result::is_ok));
    let counts: Vec<u64> = server
        .calls("/csc/v2/credentials/authorize")
        .iter()
        .map(|c| c.body["numSignatures"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [2, 1]);
}

#[test]
fn wrong_sad_is_refused() {
    let server = TestCsc::start(Config::default());
    let session = session(&server);
    let d1 = digest(b"document 1");
    let d2 = digest(b"document 2");

    // A SAD the service never issued.
    let err = session
        .sign_hashes_with_sad(&Sad::new("forged-sad"), &[&d1])
        .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::InvalidSad { .. }),
        "{err}"
    );

    // A real SAD, but for another hash: the SAD is bound to what was authorised.
    let sad = session.authorize(&[&d1]).expect("authorise d1");
    let err = session.sign_hashes_with_sad(&sad, &[&d2]).unwrap_err();
    match remote(&err) {
        RemoteError::InvalidSad { description } => {
            assert_eq!(
                description.as_deref(),
                Some("Hash is not authorized by the SAD")
            )
        }
        other => panic!("{other:?}"),
    }
    // It still signs what it was issued for, once.
    session.sign_hashes_with_sad(&sad, &[&d1]).expect("sign d1");
    let err = session.sign_hashes_with_sad(&sad, &[&d1]).unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::InvalidSad { .. }),
        "{err}"
    );
}

#[test]
fn expired_sad_is_refused() {
    let server = TestCsc::start(Config::default());
    let session = session(&server);
    let d = digest(b"late document");
    let sad = session.authorize(&[&d]).expect("authorise");
    assert_eq!(sad.expires_in(), Some(Duration::from_secs(300)));
    assert!(
        !format!("{sad:?}").contains("sad-"),
        "the SAD must not be printed"
    );

    server.advance_clock(Duration::from_secs(301));
    let err = session.sign_hashes_with_sad(&sad, &[&d]).unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::SadExpired { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("expired"), "{err}");
}

#[test]
fn unknown_credential_is_refused() {
    let server = TestCsc::start(Config::default());
    let err = CscSession::open(client(&server), "no-such-credential").unwrap_err();
    match remote(&err) {
        RemoteError::UnknownCredential { credential_id, .. } => {
            assert_eq!(credential_id, "no-such-credential")
        }
        other => panic!("{other:?}"),
    }

    // signHash naming another credential than the SAD's.
    let session = session(&server);
    let d = digest(b"x");
    let sad = session.authorize(&[&d]).expect("authorise");
    let err = client(&server)
        .sign_hash(&SignHashRequest {
            credential_id: "someone-elses",
            sad: Some(sad.secret()),
            hashes: vec![Base64::encode_string(&d)],
            hash_algorithm_oid: Some("2.16.840.1.101.3.4.2.1".into()),
            sign_algo: "1.2.840.113549.1.1.1".into(),
            sign_algo_params: None,
            operation_mode: None,
            validity_period: None,
            response_uri: None,
            client_data: None,
        })
        .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::UnknownCredential { credential_id, .. } if credential_id == "someone-elses"),
        "{err}"
    );
}

#[test]
fn missing_or_wrong_bearer_token_is_unauthorized() {
    let server = TestCsc::start(Config::default());

    // `info` needs no token.
    let anonymous = CscClient::without_token(http(), &server.base_url).expect("client");
    let info = anonymous.info().expect("info");
    assert_eq!(info.region.as_deref(), Some("VN"));
    assert_eq!(info.asynchronous_operation_mode, Some(true));
    assert!(info.methods.iter().any(|m| m == "signatures/signHash"));

    let err = anonymous
        .list_credentials(&CredentialsListRequest::default())
        .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::Unauthorized { .. }),
        "{err}"
    );
    assert_eq!(server.calls("/csc/v2/credentials/list")[0].status, 401);

    let wrong = CscClient::new(http(), &server.base_url, AccessToken::new("stolen")).unwrap();
    let err = CscSession::open(wrong, "cred-rsa-01").unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::Unauthorized { .. }),
        "{err}"
    );
    assert!(!format!("{err:?}").contains("stolen"));
}

#[test]
fn wrong_pin_and_num_signatures_mismatch_are_refused() {
    let server = TestCsc::start(Config::default());
    let err = CscSession::open(client(&server), "cred-rsa-01")
        .unwrap()
        .with_pin("000000")
        .sign_hashes(&[digest(b"x")])
        .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::AuthenticationFailed { .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("000000"));

    // numSignatures must equal the number of hashes the SAD is bound to.
    let err = client(&server)
        .authorize(&AuthorizeRequest {
            credential_id: "cred-rsa-01",
            num_signatures: 2,
            hashes: Some(vec![Base64::encode_string(&digest(b"only one"))]),
            hash_algorithm_oid: Some("2.16.840.1.101.3.4.2.1".into()),
            auth_data: None,
            description: None,
            client_data: None,
        })
        .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::Service { status: 400, error: Some(code), .. } if code == "invalid_request"),
        "{err}"
    );
}

/// A provider-style "push to phone" adapter (the shape of the module documentation's
/// example), against the test server's `/push/v1` API.
struct PushAdapter {
    http: HttpClient,
    base: String,
    token: AccessToken,
    credential_id: String,
    certificate: Certificate,
    chain: Vec<Certificate>,
}

impl ApprovalSigner for PushAdapter {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureScheme {
        SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256)
    }

    fn submit(&self, digest: &[u8], _algorithm: SignatureScheme) -> kyso_token::Result<PendingId> {
        #[derive(serde::Deserialize)]
        struct Submitted {
            transaction_id: String,
        }
        let body = serde_json::json!({
            "credential_id": self.credential_id,
            "hash": Base64::encode_string(digest),
            "hash_algorithm": "2.16.840.1.101.3.4.2.1",
        });
        let response = self
            .http
            .post_json(
                &format!("{}/push/v1/sign", self.base),
                Some(&self.token),
                &body,
            )?
            .error_for_status()?;
        Ok(PendingId::new(response.json::<Submitted>()?.transaction_id))
    }

    fn poll(&self, id: &PendingId) -> kyso_token::Result<Poll<Vec<u8>>> {
        #[derive(serde::Deserialize)]
        struct Status {
            status: String,
            signature: Option<String>,
        }
        let url = format!("{}/push/v1/transactions/{id}", self.base);
        let status: Status = self
            .http
            .get(&url, Some(&self.token))?
            .error_for_status()?
            .json()?;
        match (status.status.as_str(), status.signature) {
            ("pending", _) => Ok(Poll::Pending),
            ("signed", Some(b64)) => {
                Ok(Poll::Ready(Base64::decode_vec(&b64).map_err(|_| {
                    RemoteError::InvalidResponse("signature is not Base64".into())
                })?))
            }
            ("rejected", _) => Err(RemoteError::Rejected { description: None }.into()),
            ("cancelled", _) => Err(RemoteError::Cancelled { description: None }.into()),
            (other, _) => Err(RemoteError::InvalidResponse(format!("status {other}")).into()),
        }
    }

    fn cancel(&self, id: &PendingId) -> kyso_token::Result<()> {
        let url = format!("{}/push/v1/transactions/{id}/cancel", self.base);
        self.http
            .post_json(&url, Some(&self.token), &serde_json::json!({}))?
            .error_for_status()?;
        Ok(())
    }
}

fn push_signer(server: &TestCsc, clock: Arc<CountingClock>) -> PollingSigner<PushAdapter> {
    let leaf = TestPki::get().leaf(LeafKind::Rsa2048);
    let certificate = Certificate::from_pem(&std::fs::read(&leaf.cert_pem).unwrap()).unwrap();
    let chain = Certificate::all_from_der_or_pem(&std::fs::read(&leaf.chain_pem).unwrap()).unwrap();
    let adapter = PushAdapter {
        http: http(),
        base: server.root_url.clone(),
        token: AccessToken::new(server.token()),
        credential_id: server.state().config.credential_id.clone(),
        certificate,
        chain,
    };
    PollingSigner::new(adapter)
        .with_options(polling())
        .with_clock(clock)
}

#[test]
fn provider_push_api_signs_after_pending_polls() {
    let server = TestCsc::start(Config {
        push_pending_polls: 3,
        ..Config::default()
    });
    let clock = CountingClock::new();
    let signer = push_signer(&server, clock.clone());
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("push.pdf");
    PdfSigner::new(SignOptions::default())
        .sign_file(&corpus::classic().path, &out, &signer)
        .expect("sign through the push adapter");
    let polls = server
        .state()
        .log
        .iter()
        .filter(|l| l.method == "GET")
        .count();
    assert_eq!(polls, 4);
    assert_eq!(clock.elapsed(), Duration::from_secs(1 + 2 + 4));
    assert!(server.cancelled().is_empty());
    assert_valid_pdfs(&[out]);
}

#[test]
fn approval_timeout_is_typed_and_cancels_the_request() {
    // The user never answers.
    let server = TestCsc::start(Config {
        push_pending_polls: u32::MAX,
        sign_pending_polls: u32::MAX,
        ..Config::default()
    });
    let clock = CountingClock::new();
    let signer = push_signer(&server, clock.clone());
    let started = Instant::now();

    // Through PdfSigner: the typed error is found under the PDF and CMS errors.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("never.pdf");
    let err = PdfSigner::new(SignOptions::default())
        .sign_file(&corpus::classic().path, &out, &signer)
        .unwrap_err();
    match RemoteError::find_in(&err) {
        Some(RemoteError::ApprovalTimeout { waited }) => {
            assert_eq!(*waited, Duration::from_secs(120))
        }
        other => panic!("expected a time-out, got {other:?} from {err}"),
    }
    assert!(!out.exists());
    // The transaction was cancelled at the provider, exactly once.
    let submitted = server.calls("/push/v1/sign");
    assert_eq!(submitted.len(), 1);
    let cancelled = server.cancelled();
    assert_eq!(cancelled.len(), 1);
    assert!(cancelled[0].starts_with("tx-"));
    assert_eq!(clock.elapsed(), Duration::from_secs(120));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "no real waiting"
    );

    // The typed API says the same.
    let err = signer.sign_digest(&digest(b"again")).unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::ApprovalTimeout { .. }),
        "{err}"
    );
    assert_eq!(server.cancelled().len(), 2);

    // CSC asynchronous signHash that never completes.
    let err = session(&server)
        .with_operation_mode(OperationMode::Asynchronous)
        .with_polling(polling())
        .with_clock(CountingClock::new())
        .sign_hashes(&[digest(b"csc")])
        .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::ApprovalTimeout { .. }),
        "{err}"
    );
}

#[test]
fn user_rejection_is_typed() {
    // CSC: the user rejects the pending signature.
    let server = TestCsc::start(Config {
        sign_pending_polls: 1,
        authorize_pending_polls: 1,
        push_pending_polls: 1,
        ..Config::default()
    });
    server.set_reject(true);
    let err = session(&server)
        .with_operation_mode(OperationMode::Asynchronous)
        .with_polling(polling())
        .with_clock(CountingClock::new())
        .sign_hashes(&[digest(b"no")])
        .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::Rejected { .. }),
        "{err}"
    );
    // Rejected at the authorisation step: nothing was signed.
    assert!(server.calls("/csc/v2/signatures/signHash").is_empty());

    // CSC: authorised, then the asynchronous signature is rejected.
    server.set_reject(false);
    let adapter = session(&server)
        .with_operation_mode(OperationMode::Asynchronous)
        .into_approval_signer();
    let id = adapter
        .submit(
            &digest(b"no"),
            SignatureScheme::RsaPkcs1v15(DigestAlgorithm::Sha256),
        )
        .expect("submit");
    assert!(adapter.poll(&id).expect("check 1").is_pending());
    assert!(
        adapter
            .poll(&id)
            .expect("check 2, SAD, signHash")
            .is_pending()
    );
    server.set_reject(true);
    let err = adapter.poll(&id).unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::Rejected { .. }),
        "{err}"
    );
    // The request is over: polling it again is a configuration error.
    assert!(matches!(
        remote(&adapter.poll(&id).unwrap_err()),
        RemoteError::Config(_)
    ));

    // Push API: rejected on the phone; nothing to cancel.
    let signer = push_signer(&server, CountingClock::new());
    let err = signer.sign(b"no").unwrap_err();
    assert!(
        matches!(
            RemoteError::find_in(&err),
            Some(RemoteError::Rejected { .. })
        ),
        "{err}"
    );
    assert!(server.cancelled().is_empty());
}

#[test]
fn oauth2_client_credentials_and_url_policy() {
    let server = TestCsc::start(Config::default());
    let token_url = format!("{}/oauth2/token", server.root_url);
    let token = client_credentials_token(
        &http(),
        &token_url,
        "kyso-tests",
        "client-secret",
        Some("service"),
    )
    .expect("token");
    assert_eq!(token.token_type.as_deref(), Some("Bearer"));
    assert_eq!(token.expires_in, Some(3600));
    let client = CscClient::new(http(), &server.base_url, token.access_token).unwrap();
    let list = client
        .list_credentials(&CredentialsListRequest {
            credential_info: Some(true),
            certificates: Some(kyso_token::remote::csc::wire::Certificates::Chain),
            ..Default::default()
        })
        .expect("list");
    assert_eq!(list.credential_ids, ["cred-rsa-01"]);
    assert_eq!(
        list.credential_infos[0]
            .cert
            .as_ref()
            .unwrap()
            .certificates
            .len(),
        3
    );

    let err =
        client_credentials_token(&http(), &token_url, "kyso-tests", "wrong", None).unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::Unauthorized { .. }),
        "{err}"
    );

    // Plain HTTP needs the loopback opt-in, and never leaves loopback.
    let strict = HttpClient::new(&HttpConfig::new());
    let err = CscClient::new(strict, &server.base_url, AccessToken::new("t")).unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::InsecureUrl { .. }),
        "{err}"
    );
    let err = CscClient::new(
        http(),
        "http://rssp.example.vn/csc/v2",
        AccessToken::new("t"),
    )
    .unwrap_err();
    assert!(
        matches!(remote(&err), RemoteError::InsecureUrl { .. }),
        "{err}"
    );

    // A custom root for the service's TLS certificate is read from PEM.
    let root = std::fs::read(TestPki::get().root_pem()).unwrap();
    HttpConfig::new()
        .with_root_certificates(&root)
        .expect("root certificate");
    assert!(
        HttpConfig::new()
            .with_root_certificates(b"not a certificate")
            .is_err()
    );

    // An unreachable service is a transport error, not a hang.
    let closed =
        CscClient::new(http(), "http://127.0.0.1:9/csc/v2", AccessToken::new("t")).unwrap();
    let err = closed.info().unwrap_err();
    assert!(
        matches!(
            remote(&err),
            RemoteError::Transport { .. } | RemoteError::HttpTimeout { .. }
        ),
        "{err}"
    );
}
