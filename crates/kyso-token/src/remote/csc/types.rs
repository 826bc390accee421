//! Requests and responses of the CSC API v2 methods kyso uses, with the specification's field
//! names (CSC API v2.0.0.2, §11). Responses accept missing optional fields and ignore unknown
//! ones, so that v1.0.4 services (top-level `authMode`) and providers' extensions still parse.
//! Fields holding a secret (PIN, OTP, SAD) are borrowed, never stored in these structs, and
//! never printed by `Debug`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Output of `info` (§11.1): who the service is and what it implements.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InfoResponse {
    /// The version of the specification implemented (`2.0.0.0`, …).
    pub specs: Option<String>,
    /// The service's name.
    pub name: Option<String>,
    /// URI of the service's logo.
    pub logo: Option<String>,
    /// ISO 3166-1 country code of the service's legal jurisdiction (`VN`).
    pub region: Option<String>,
    /// Language of the answers.
    pub lang: Option<String>,
    /// Free-form description.
    pub description: Option<String>,
    /// Service authorisation methods (`basic`, `oauth2code`, `oauth2client`, …).
    #[serde(rename = "authType")]
    pub auth_type: Vec<String>,
    /// Base URI of the OAuth 2.0 authorisation server (`<oauth2>/oauth2/token`).
    pub oauth2: Option<String>,
    /// Issuer URL of the OAuth 2.0 authorisation server (RFC 8414).
    #[serde(rename = "oauth2Issuer")]
    pub oauth2_issuer: Option<String>,
    /// Whether `operationMode: "A"` is supported.
    #[serde(rename = "asynchronousOperationMode")]
    pub asynchronous_operation_mode: Option<bool>,
    /// The API methods implemented (`credentials/list`, `signatures/signHash`, …).
    pub methods: Vec<String>,
    /// The signature algorithms supported.
    #[serde(rename = "signAlgorithms")]
    pub sign_algorithms: Option<SignAlgorithms>,
}

/// `signAlgorithms` of [`InfoResponse`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SignAlgorithms {
    /// Signature algorithm OIDs.
    pub algos: Vec<String>,
    /// Signature parameter OIDs.
    #[serde(rename = "algoParams")]
    pub algo_params: Vec<String>,
}

/// Which certificates `credentials/list` / `credentials/info` return.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Certificates {
    /// None.
    None,
    /// The end-entity certificate only (the specification's default).
    #[default]
    Single,
    /// The end-entity certificate and its chain.
    Chain,
}

/// Input of `credentials/list` (§11.4).
#[derive(Clone, Debug, Default, Serialize)]
pub struct CredentialsListRequest {
    /// The user, for a non-user-specific service authorisation only.
    #[serde(rename = "userID", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Return the credentials' details too.
    #[serde(rename = "credentialInfo", skip_serializing_if = "Option::is_none")]
    pub credential_info: Option<bool>,
    /// Which certificates to return with the details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Certificates>,
    /// Return certificate details (DNs, validity).
    #[serde(rename = "certInfo", skip_serializing_if = "Option::is_none")]
    pub cert_info: Option<bool>,
    /// Return the authorisation mechanism.
    #[serde(rename = "authInfo", skip_serializing_if = "Option::is_none")]
    pub auth_info: Option<bool>,
    /// Return only credentials that can sign now.
    #[serde(rename = "onlyValid", skip_serializing_if = "Option::is_none")]
    pub only_valid: Option<bool>,
    /// Preferred language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Arbitrary data for the service's logs.
    #[serde(rename = "clientData", skip_serializing_if = "Option::is_none")]
    pub client_data: Option<String>,
}

/// Output of `credentials/list`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CredentialsListResponse {
    /// The credentials of the user.
    #[serde(rename = "credentialIDs")]
    pub credential_ids: Vec<String>,
    /// Their details, when asked for.
    #[serde(rename = "credentialInfos")]
    pub credential_infos: Vec<CredentialInfo>,
    /// Whether only valid credentials were returned.
    #[serde(rename = "onlyValid")]
    pub only_valid: Option<bool>,
}

/// Input of `credentials/info` (§11.5).
#[derive(Clone, Debug, Default, Serialize)]
pub struct CredentialInfoRequest {
    /// The credential.
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// Which certificates to return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Certificates>,
    /// Return certificate details.
    #[serde(rename = "certInfo", skip_serializing_if = "Option::is_none")]
    pub cert_info: Option<bool>,
    /// Return the authorisation mechanism.
    #[serde(rename = "authInfo", skip_serializing_if = "Option::is_none")]
    pub auth_info: Option<bool>,
    /// Preferred language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Arbitrary data for the service's logs.
    #[serde(rename = "clientData", skip_serializing_if = "Option::is_none")]
    pub client_data: Option<String>,
}

/// A credential's details: output of `credentials/info`, entry of `credentialInfos`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CredentialInfo {
    /// The credential (in `credentials/list` only).
    #[serde(rename = "credentialID", skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// Free-form description.
    pub description: Option<String>,
    /// The signature type the credential is for (`eu_eidas_qes`, …).
    #[serde(rename = "signatureQualifier")]
    pub signature_qualifier: Option<String>,
    /// The signing key.
    pub key: KeyInfo,
    /// The certificate.
    pub cert: Option<CertInfo>,
    /// The authorisation mechanism (v2).
    pub auth: Option<AuthInfo>,
    /// The authorisation mode of v1.0.4 services (`implicit`, `explicit`, `oauth2code`).
    #[serde(rename = "authMode", skip_serializing_if = "Option::is_none")]
    pub auth_mode: Option<String>,
    /// Sole Control Assurance Level: `"1"`, or `"2"` when the SAD is bound to the hashes.
    #[serde(rename = "SCAL")]
    pub scal: Option<String>,
    /// How many signatures one authorisation may create (at least 1).
    pub multisign: Option<u32>,
    /// Language of the texts.
    pub lang: Option<String>,
}

impl CredentialInfo {
    /// The authorisation mode: `auth.mode` (v2) or `authMode` (v1), `explicit` when absent.
    pub fn authorization_mode(&self) -> &str {
        self.auth
            .as_ref()
            .and_then(|a| a.mode.as_deref())
            .or(self.auth_mode.as_deref())
            .unwrap_or("explicit")
    }
}

/// `key` of [`CredentialInfo`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyInfo {
    /// `enabled` or `disabled`.
    pub status: Option<String>,
    /// OIDs of the signature algorithms the key may be used with.
    pub algo: Vec<String>,
    /// Key length in bits.
    pub len: Option<u32>,
    /// OID of the curve of an ECDSA key.
    pub curve: Option<String>,
}

/// `cert` of [`CredentialInfo`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CertInfo {
    /// `valid`, `expired`, `revoked` or `suspended`.
    pub status: Option<String>,
    /// Base64 DER certificates: the end-entity first, then its chain.
    pub certificates: Vec<String>,
    /// Issuer DN.
    #[serde(rename = "issuerDN")]
    pub issuer_dn: Option<String>,
    /// Serial number, hex.
    #[serde(rename = "serialNumber")]
    pub serial_number: Option<String>,
    /// Subject DN.
    #[serde(rename = "subjectDN")]
    pub subject_dn: Option<String>,
    /// `YYYYMMDDHHmmssZ`.
    #[serde(rename = "validFrom")]
    pub valid_from: Option<String>,
    /// `YYYYMMDDHHmmssZ`.
    #[serde(rename = "validTo")]
    pub valid_to: Option<String>,
}

/// `auth` of [`CredentialInfo`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthInfo {
    /// `explicit` or `oauth2code` (v1 also `implicit`).
    pub mode: Option<String>,
    /// How the objects combine (`PIN AND OTP`).
    pub expression: Option<String>,
    /// The authentication objects to collect from the user.
    pub objects: Vec<AuthObject>,
}

/// One authentication object (PIN, OTP, …) of [`AuthInfo`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthObject {
    /// `Password`, `ChallengeResponse`, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The id to send in `authData` (`PIN`, `OTP`).
    pub id: Option<String>,
    /// `A` (alphanumeric) or `N` (numeric).
    pub format: Option<String>,
    /// Label to show.
    pub label: Option<String>,
    /// Description to show.
    pub description: Option<String>,
}

/// One entry of `authData` in `credentials/authorize`: an authentication object's id and the
/// value the user gave. `Debug` hides the value.
#[derive(Clone, Serialize)]
pub struct AuthDatum<'a> {
    /// The object's id (`PIN`, `OTP`).
    pub id: &'a str,
    /// The value (absent for objects the service collects itself, e.g. a mobile app).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
}

impl fmt::Debug for AuthDatum<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthDatum")
            .field("id", &self.id)
            .field("value", &self.value.map(|_| "***"))
            .finish()
    }
}

/// Input of `credentials/authorize` (§11.6).
#[derive(Clone, Debug, Serialize)]
pub struct AuthorizeRequest<'a> {
    /// The credential.
    #[serde(rename = "credentialID")]
    pub credential_id: &'a str,
    /// How many signatures the SAD authorises.
    #[serde(rename = "numSignatures")]
    pub num_signatures: u32,
    /// Base64 hashes the SAD is bound to (required for SCAL 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hashes: Option<Vec<String>>,
    /// OID of the hash algorithm of `hashes`.
    #[serde(rename = "hashAlgorithmOID", skip_serializing_if = "Option::is_none")]
    pub hash_algorithm_oid: Option<String>,
    /// PIN, OTP, … as `credentials/info` asks.
    #[serde(rename = "authData", skip_serializing_if = "Option::is_none")]
    pub auth_data: Option<Vec<AuthDatum<'a>>>,
    /// What is being signed, shown to the user by services that show it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    /// Arbitrary data for the service's logs.
    #[serde(rename = "clientData", skip_serializing_if = "Option::is_none")]
    pub client_data: Option<&'a str>,
}

/// Output of `credentials/authorize` and `credentials/authorizeCheck`: a SAD (HTTP 200) or a
/// handle while the authorisation is underway (HTTP 202).
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AuthorizeResponse {
    #[serde(rename = "SAD")]
    pub sad: Option<String>,
    #[serde(rename = "expiresIn")]
    pub expires_in: Option<u64>,
    pub handle: Option<String>,
}

/// Input of `credentials/authorizeCheck` (§11.7).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct AuthorizeCheckRequest<'a> {
    pub handle: &'a str,
}

/// `operationMode` of `signatures/signHash`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperationMode {
    /// `"S"`: the signatures come back in the response (the default).
    #[default]
    #[serde(rename = "S")]
    Synchronous,
    /// `"A"`: the response carries a `responseID`; the signatures come from
    /// `signatures/signPolling`.
    #[serde(rename = "A")]
    Asynchronous,
}

/// Input of `signatures/signHash` (§11.10).
#[derive(Clone, Serialize)]
pub struct SignHashRequest<'a> {
    /// The credential.
    #[serde(rename = "credentialID")]
    pub credential_id: &'a str,
    /// The SAD from `credentials/authorize`.
    #[serde(rename = "SAD", skip_serializing_if = "Option::is_none")]
    pub sad: Option<&'a str>,
    /// Base64 hashes to sign.
    pub hashes: Vec<String>,
    /// OID of the hash algorithm (required with `rsaEncryption` / `id-ecPublicKey`).
    #[serde(rename = "hashAlgorithmOID", skip_serializing_if = "Option::is_none")]
    pub hash_algorithm_oid: Option<String>,
    /// OID of the signature algorithm, one of the credential's `key/algo`.
    #[serde(rename = "signAlgo")]
    pub sign_algo: String,
    /// Base64 DER parameters of the signature algorithm (RSASSA-PSS).
    #[serde(rename = "signAlgoParams", skip_serializing_if = "Option::is_none")]
    pub sign_algo_params: Option<String>,
    /// Synchronous or asynchronous.
    #[serde(rename = "operationMode", skip_serializing_if = "Option::is_none")]
    pub operation_mode: Option<OperationMode>,
    /// Milliseconds the service keeps an asynchronous result.
    #[serde(rename = "validity_period", skip_serializing_if = "Option::is_none")]
    pub validity_period: Option<u64>,
    /// Where the service notifies completion of an asynchronous request.
    #[serde(rename = "response_uri", skip_serializing_if = "Option::is_none")]
    pub response_uri: Option<String>,
    /// Arbitrary data for the service's logs.
    #[serde(rename = "clientData", skip_serializing_if = "Option::is_none")]
    pub client_data: Option<String>,
}

impl fmt::Debug for SignHashRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignHashRequest")
            .field("credential_id", &self.credential_id)
            .field("sad", &self.sad.map(|_| "***"))
            .field("hashes", &self.hashes)
            .field("hash_algorithm_oid", &self.hash_algorithm_oid)
            .field("sign_algo", &self.sign_algo)
            .field("operation_mode", &self.operation_mode)
            .finish_non_exhaustive()
    }
}

/// Output of `signatures/signHash` and `signatures/signPolling`.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SignHashResponse {
    pub signatures: Option<Vec<String>>,
    #[serde(rename = "responseID")]
    pub response_id: Option<String>,
}

/// Input of `signatures/signPolling` (§11.12).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SignPollingRequest<'a> {
    #[serde(rename = "requestID")]
    pub request_id: &'a str,
}
