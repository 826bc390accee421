//! Reading the objects of a token — private keys, public keys, certificates — and telling which
//! certificate belongs to which key.
//!
//! Keys and certificates are paired by `CKA_ID` (what CA provisioning tools and PKCS#15 set),
//! and the pair is checked by public key: the RSA modulus or EC point that the key object, or a
//! public-key object with the same id, exposes must be the certificate's. When the token exposes
//! no public value for a key, a certificate with its id is taken as unverified, and
//! [`Pkcs11Signer`](super::Pkcs11Signer) checks it with a trial signature before use.

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType as CkKeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::Session;
use der::Decode;
use der::asn1::{ObjectIdentifier, OctetString, UintRef};
use kyso_cert::Certificate;
use spki::SubjectPublicKeyInfoOwned;

use super::{TokenInfo, ck_error};
use crate::Result;

/// What kind of key an object holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// RSA (`CKK_RSA`), with the modulus length when the token tells it.
    Rsa {
        /// Modulus length in bits.
        bits: Option<usize>,
    },
    /// Elliptic curve (`CKK_EC`), with the curve when the token tells it (`P-256`, `P-384`,
    /// `P-521`, or the dotted OID of another curve).
    Ec {
        /// The named curve.
        curve: Option<String>,
    },
    /// Any other key type, as cryptoki names it.
    Other(String),
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rsa { bits: Some(bits) } => write!(f, "RSA-{bits}"),
            Self::Rsa { bits: None } => f.write_str("RSA"),
            Self::Ec { curve: Some(curve) } => write!(f, "EC {curve}"),
            Self::Ec { curve: None } => f.write_str("EC"),
            Self::Other(name) => f.write_str(name),
        }
    }
}

/// A private or public key object on a token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct KeyObject {
    /// `CKA_LABEL`, decoded as UTF-8 (invalid bytes show as U+FFFD).
    pub label: String,
    /// `CKA_ID`: the bytes that tie a key to its certificate.
    pub id: Vec<u8>,
    /// The key type and size.
    pub kind: KeyKind,
    /// `CKA_SIGN` (for public keys: `CKA_VERIFY`).
    pub can_sign: bool,
    /// `CKA_ALWAYS_AUTHENTICATE`: every signature needs the PIN again (private keys only).
    pub always_authenticate: bool,
    pub(crate) handle: ObjectHandle,
    /// The public value, when the object (or a public key with the same id) shows it.
    pub(crate) public: Option<PublicMaterial>,
}

impl KeyObject {
    /// [`KeyObject::id`] in lowercase hex, as `pkcs11-tool` and `--key-id` write it.
    pub fn id_hex(&self) -> String {
        hex::encode(&self.id)
    }
}

/// A certificate object (`CKO_CERTIFICATE`, `CKC_X_509`) on a token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CertificateObject {
    /// `CKA_LABEL`, decoded as UTF-8 (invalid bytes show as U+FFFD).
    pub label: String,
    /// `CKA_ID`: equal to the id of the certificate's private key.
    pub id: Vec<u8>,
    /// `CKA_VALUE`: the certificate's DER.
    pub der: Vec<u8>,
    /// The parsed certificate (subject, issuer, validity, MST/CCCD via
    /// [`Certificate::subject`]); `None` when [`CertificateObject::parse_error`] says why not.
    pub certificate: Option<Certificate>,
    /// Why `der` could not be parsed, if it could not.
    pub parse_error: Option<String>,
}

impl CertificateObject {
    /// [`CertificateObject::id`] in lowercase hex.
    pub fn id_hex(&self) -> String {
        hex::encode(&self.id)
    }

    fn public(&self) -> Option<PublicMaterial> {
        PublicMaterial::from_spki(
            self.certificate
                .as_ref()?
                .inner()
                .tbs_certificate()
                .subject_public_key_info(),
        )
    }
}

/// Everything listed on one token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenObjects {
    /// The token.
    pub token: TokenInfo,
    /// Whether the listing saw the token as its user does: the session logged in, or the token
    /// needs no login. Private keys are usually listed only then.
    pub logged_in: bool,
    /// Private keys (`CKO_PRIVATE_KEY`).
    pub private_keys: Vec<KeyObject>,
    /// Public keys (`CKO_PUBLIC_KEY`).
    pub public_keys: Vec<KeyObject>,
    /// X.509 certificates (`CKO_CERTIFICATE`): the signers' and the CA certificates the token
    /// carries.
    pub certificates: Vec<CertificateObject>,
}

/// How a key relates to the certificates of its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pairing {
    /// This certificate holds the key's public value.
    Verified(usize),
    /// These certificates have the key's `CKA_ID`, but the key's public value is unknown.
    Unverified(Vec<usize>),
    /// Certificates have the key's `CKA_ID` but hold another public key.
    Mismatch,
    /// No certificate has the key's id or public key.
    None,
}

impl TokenObjects {
    /// The certificate of `key`: the one with its `CKA_ID` and its public key; a certificate
    /// with another id but the same public key; or, when the token does not show the key's public
    /// value, the only certificate with its id.
    pub fn certificate_for(&self, key: &KeyObject) -> Option<&CertificateObject> {
        match self.pairing(key) {
            Pairing::Verified(i) => Some(&self.certificates[i]),
            Pairing::Unverified(v) if v.len() == 1 => Some(&self.certificates[v[0]]),
            _ => None,
        }
    }

    /// The private key whose certificate is `cert` (see [`TokenObjects::certificate_for`]).
    pub fn private_key_for(&self, cert: &CertificateObject) -> Option<&KeyObject> {
        self.private_keys.iter().find(|k| {
            self.certificate_for(k)
                .is_some_and(|c| c.der == cert.der && c.id == cert.id)
        })
    }

    pub(crate) fn pairing(&self, key: &KeyObject) -> Pairing {
        let same_id: Vec<usize> = self
            .certificates
            .iter()
            .enumerate()
            .filter(|(_, c)| !key.id.is_empty() && c.id == key.id && c.certificate.is_some())
            .map(|(i, _)| i)
            .collect();
        match &key.public {
            Some(public) => {
                let holds = |i: &usize| self.certificates[*i].public().as_ref() == Some(public);
                if let Some(&i) = same_id.iter().find(|i| holds(i)) {
                    Pairing::Verified(i)
                } else if let Some(i) = (0..self.certificates.len()).find(holds) {
                    Pairing::Verified(i)
                } else if same_id.is_empty() {
                    Pairing::None
                } else {
                    Pairing::Mismatch
                }
            }
            None if same_id.is_empty() => Pairing::None,
            None => Pairing::Unverified(same_id),
        }
    }
}

/// A public key's value, in a form comparable between a token object and a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PublicMaterial {
    /// The RSA modulus, big-endian without leading zeros.
    Rsa(Vec<u8>),
    /// The EC point, uncompressed (`04 || X || Y`).
    Ec(Vec<u8>),
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` ([RFC 8017 A.1.1]).
///
/// [RFC 8017 A.1.1]: https://www.rfc-editor.org/rfc/rfc8017#appendix-A.1.1
#[derive(der::Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    #[allow(dead_code)]
    public_exponent: UintRef<'a>,
}

const RSA_ENCRYPTION: ObjectIdentifier = const_oid::db::rfc5912::RSA_ENCRYPTION;
const ID_RSASSA_PSS: ObjectIdentifier = const_oid::db::rfc5912::ID_RSASSA_PSS;
const ID_EC_PUBLIC_KEY: ObjectIdentifier = const_oid::db::rfc5912::ID_EC_PUBLIC_KEY;

impl PublicMaterial {
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Option<Self> {
        let bits = spki.subject_public_key.as_bytes()?;
        match spki.algorithm.oid {
            RSA_ENCRYPTION | ID_RSASSA_PSS => {
                let key = RsaPublicKey::from_der(bits).ok()?;
                Some(Self::Rsa(strip_zeros(key.modulus.as_bytes())))
            }
            ID_EC_PUBLIC_KEY => Some(Self::Ec(bits.to_vec())),
            _ => None,
        }
    }

    fn from_spki_der(der: &[u8]) -> Option<Self> {
        Self::from_spki(&SubjectPublicKeyInfoOwned::from_der(der).ok()?)
    }

    /// From `CKA_EC_POINT`: PKCS#11 says a DER OCTET STRING holding the point, but some modules
    /// return the bare point. The DER reading is taken only when it yields a well-formed
    /// uncompressed point.
    fn from_ec_point(value: &[u8]) -> Option<Self> {
        let well_formed = |p: &[u8]| p.len() % 2 == 1 && p.len() > 1 && p[0] == 0x04;
        if let Ok(inner) = OctetString::from_der(value)
            && well_formed(inner.as_bytes())
        {
            return Some(Self::Ec(inner.as_bytes().to_vec()));
        }
        well_formed(value).then(|| Self::Ec(value.to_vec()))
    }
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// The bit length of a big-endian unsigned integer.
pub(crate) fn bit_len(bytes: &[u8]) -> usize {
    let bytes = &bytes[bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len())..];
    match bytes.first() {
        Some(&top) => bytes.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

/// The curve named by `CKA_EC_PARAMS` (DER of the curve's OID).
fn curve_name(params: &[u8]) -> Option<String> {
    use const_oid::db::rfc5912::{SECP_256_R_1, SECP_384_R_1, SECP_521_R_1};
    let oid = ObjectIdentifier::from_der(params).ok()?;
    Some(match oid {
        SECP_256_R_1 => "P-256".to_string(),
        SECP_384_R_1 => "P-384".to_string(),
        SECP_521_R_1 => "P-521".to_string(),
        other => other.to_string(),
    })
}

fn label(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches(['\0', ' '])
        .to_string()
}

/// Reads attributes; when a module rejects the whole template, reads them one by one and keeps
/// those it gives (some modules fail a template with any attribute they do not know).
fn attributes(
    session: &Session,
    object: ObjectHandle,
    types: &[AttributeType],
) -> Result<Vec<Attribute>> {
    match session.get_attributes(object, types) {
        Ok(attrs) => Ok(attrs),
        Err(
            e @ CkError::Pkcs11(
                RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::SessionHandleInvalid
                | RvError::SessionClosed,
                _,
            ),
        ) => Err(ck_error("C_GetAttributeValue", e)),
        Err(_) => Ok(types
            .iter()
            .filter_map(|t| session.get_attributes(object, &[*t]).ok())
            .flatten()
            .collect()),
    }
}

fn find(session: &Session, template: &[Attribute]) -> Result<Vec<ObjectHandle>> {
    session
        .find_objects(template)
        .map_err(|e| ck_error("C_FindObjects", e))
}

const KEY_ATTRIBUTES: [AttributeType; 10] = [
    AttributeType::Label,
    AttributeType::Id,
    AttributeType::KeyType,
    AttributeType::Sign,
    AttributeType::Verify,
    AttributeType::AlwaysAuthenticate,
    AttributeType::Modulus,
    AttributeType::EcParams,
    AttributeType::EcPoint,
    AttributeType::PublicKeyInfo,
];

fn read_key(session: &Session, handle: ObjectHandle, private: bool) -> Result<KeyObject> {
    let mut key = KeyObject {
        label: String::new(),
        id: Vec::new(),
        kind: KeyKind::Other("unknown".into()),
        can_sign: false,
        always_authenticate: false,
        handle,
        public: None,
    };
    let mut key_type = None;
    let (mut modulus, mut ec_params, mut ec_point, mut spki) = (None, None, None, None);
    for attribute in attributes(session, handle, &KEY_ATTRIBUTES)? {
        match attribute {
            Attribute::Label(v) => key.label = label(&v),
            Attribute::Id(v) => key.id = v,
            Attribute::KeyType(t) => key_type = Some(t),
            Attribute::Sign(b) if private => key.can_sign = b,
            Attribute::Verify(b) if !private => key.can_sign = b,
            Attribute::AlwaysAuthenticate(b) => key.always_authenticate = b,
            Attribute::Modulus(v) if !v.is_empty() => modulus = Some(v),
            Attribute::EcParams(v) if !v.is_empty() => ec_params = Some(v),
            Attribute::EcPoint(v) if !v.is_empty() => ec_point = Some(v),
            Attribute::PublicKeyInfo(v) if !v.is_empty() => spki = Some(v),
            _ => {}
        }
    }
    key.kind = match key_type {
        Some(CkKeyType::RSA) => KeyKind::Rsa {
            bits: modulus.as_deref().map(bit_len),
        },
        Some(CkKeyType::EC) => KeyKind::Ec {
            curve: ec_params.as_deref().and_then(curve_name),
        },
        Some(other) => KeyKind::Other(other.to_string()),
        None => KeyKind::Other("unknown".into()),
    };
    key.public = spki
        .as_deref()
        .and_then(PublicMaterial::from_spki_der)
        .or_else(|| {
            modulus
                .as_deref()
                .map(|m| PublicMaterial::Rsa(strip_zeros(m)))
        })
        .or_else(|| ec_point.as_deref().and_then(PublicMaterial::from_ec_point));
    Ok(key)
}

fn read_certificate(session: &Session, handle: ObjectHandle) -> Result<CertificateObject> {
    let mut cert = CertificateObject {
        label: String::new(),
        id: Vec::new(),
        der: Vec::new(),
        certificate: None,
        parse_error: None,
    };
    let types = [
        AttributeType::Label,
        AttributeType::Id,
        AttributeType::Value,
    ];
    for attribute in attributes(session, handle, &types)? {
        match attribute {
            Attribute::Label(v) => cert.label = label(&v),
            Attribute::Id(v) => cert.id = v,
            Attribute::Value(v) => cert.der = v,
            _ => {}
        }
    }
    match Certificate::from_der(&cert.der) {
        Ok(c) => cert.certificate = Some(c),
        Err(e) => cert.parse_error = Some(e.to_string()),
    }
    Ok(cert)
}

/// Reads every key and X.509 certificate the session can see.
pub(crate) fn read_all(
    session: &Session,
    token: TokenInfo,
    logged_in: bool,
) -> Result<TokenObjects> {
    let mut private_keys = Vec::new();
    for handle in find(session, &[Attribute::Class(ObjectClass::PRIVATE_KEY)])? {
        private_keys.push(read_key(session, handle, true)?);
    }
    let mut public_keys = Vec::new();
    for handle in find(session, &[Attribute::Class(ObjectClass::PUBLIC_KEY)])? {
        public_keys.push(read_key(session, handle, false)?);
    }
    let mut certificates = Vec::new();
    let template = [
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ];
    for handle in find(session, &template)? {
        certificates.push(read_certificate(session, handle)?);
    }

    // A private key that does not show its public value borrows it (and its size) from the
    // public key with the same id.
    for key in &mut private_keys {
        let Some(public) = public_keys
            .iter()
            .find(|p| !key.id.is_empty() && p.id == key.id && p.kind_matches(&key.kind))
        else {
            continue;
        };
        if key.public.is_none() {
            key.public = public.public.clone();
        }
        match (&mut key.kind, &public.kind) {
            (KeyKind::Rsa { bits: mine @ None }, KeyKind::Rsa { bits: theirs }) => *mine = *theirs,
            (KeyKind::Ec { curve: mine @ None }, KeyKind::Ec { curve: theirs }) => {
                mine.clone_from(theirs)
            }
            _ => {}
        }
    }

    Ok(TokenObjects {
        token,
        logged_in,
        private_keys,
        public_keys,
        certificates,
    })
}

impl KeyObject {
    fn kind_matches(&self, other: &KeyKind) -> bool {
        matches!(
            (&self.kind, other),
            (KeyKind::Rsa { .. }, KeyKind::Rsa { .. }) | (KeyKind::Ec { .. }, KeyKind::Ec { .. })
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_point_in_both_encodings() {
        let mut point = vec![0x04];
        point.extend([0x3f; 64]); // first X byte 0x3f: the bare point also "looks like" DER
        let wrapped = der::Encode::to_der(&OctetString::new(point.clone()).unwrap()).unwrap();
        assert_eq!(
            PublicMaterial::from_ec_point(&wrapped),
            Some(PublicMaterial::Ec(point.clone()))
        );
        assert_eq!(
            PublicMaterial::from_ec_point(&point),
            Some(PublicMaterial::Ec(point.clone()))
        );
        assert_eq!(PublicMaterial::from_ec_point(&[0x02, 0x01]), None);
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
        let mut modulus = vec![0xc5];
        modulus.extend([0u8; 255]);
        assert_eq!(bit_len(&modulus), 2048);
    }

    #[test]
    fn labels_trim_padding() {
        assert_eq!(label("Trần Thị Bình  \0".as_bytes()), "Trần Thị Bình");
        assert_eq!(label(&[0x54, 0xff]), "T\u{fffd}");
    }
}
