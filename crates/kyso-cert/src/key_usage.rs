//! [`KeyUsage`]: what the certified key may be used for.

use std::fmt;

use der::asn1::BitString;
use serde::Serialize;

/// The key usage extension ([RFC 5280 §4.2.1.3]) as a set of named flags.
///
/// ```text
/// id-ce-keyUsage OBJECT IDENTIFIER ::=  { id-ce 15 }
///
/// KeyUsage ::= BIT STRING {
///      digitalSignature        (0),
///      nonRepudiation          (1), -- recent editions of X.509 have
///                                   -- renamed this bit to contentCommitment
///      keyEncipherment         (2),
///      dataEncipherment        (3),
///      keyAgreement            (4),
///      keyCertSign             (5),
///      cRLSign                 (6),
///      encipherOnly            (7),
///      decipherOnly            (8) }
/// ```
///
/// A signing certificate of a Vietnamese CA normally has `digital_signature` and
/// `non_repudiation`; a CA certificate has `key_cert_sign` and `crl_sign`.
///
/// [RFC 5280 §4.2.1.3]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.3
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct KeyUsage {
    /// `digitalSignature` (bit 0): verifying digital signatures other than on certificates
    /// and CRLs.
    pub digital_signature: bool,
    /// `nonRepudiation` / `contentCommitment` (bit 1): signatures that commit the signer to
    /// the content, the bit legal signatures of documents are checked against.
    pub non_repudiation: bool,
    /// `keyEncipherment` (bit 2): key transport.
    pub key_encipherment: bool,
    /// `dataEncipherment` (bit 3): enciphering user data directly.
    pub data_encipherment: bool,
    /// `keyAgreement` (bit 4): key agreement (e.g. ECDH).
    pub key_agreement: bool,
    /// `keyCertSign` (bit 5): verifying signatures on certificates (CA keys).
    pub key_cert_sign: bool,
    /// `cRLSign` (bit 6): verifying signatures on CRLs.
    pub crl_sign: bool,
    /// `encipherOnly` (bit 7): with `key_agreement`, only encipher.
    pub encipher_only: bool,
    /// `decipherOnly` (bit 8): with `key_agreement`, only decipher.
    pub decipher_only: bool,
}

impl KeyUsage {
    /// Reads the named bits of a `KeyUsage` BIT STRING. Bits beyond 8 are ignored, as RFC
    /// 5280 defines none.
    pub(crate) fn from_bits(bits: &BitString) -> Self {
        let bit = |n: usize| bits.get(n).unwrap_or(false);
        Self {
            digital_signature: bit(0),
            non_repudiation: bit(1),
            key_encipherment: bit(2),
            data_encipherment: bit(3),
            key_agreement: bit(4),
            key_cert_sign: bit(5),
            crl_sign: bit(6),
            encipher_only: bit(7),
            decipher_only: bit(8),
        }
    }

    /// The names of the bits that are set, in bit order, as RFC 5280 spells them
    /// (`digitalSignature`, `nonRepudiation`, …).
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.digital_signature, "digitalSignature"),
            (self.non_repudiation, "nonRepudiation"),
            (self.key_encipherment, "keyEncipherment"),
            (self.data_encipherment, "dataEncipherment"),
            (self.key_agreement, "keyAgreement"),
            (self.key_cert_sign, "keyCertSign"),
            (self.crl_sign, "cRLSign"),
            (self.encipher_only, "encipherOnly"),
            (self.decipher_only, "decipherOnly"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }
}

/// The set bits' names joined by `, `, e.g. `digitalSignature, nonRepudiation`.
impl fmt::Display for KeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_named_bits_in_order() {
        // digitalSignature + nonRepudiation: 0b1100_0000, 6 unused bits.
        let bits = BitString::new(6, [0xC0]).expect("valid bit string");
        let usage = KeyUsage::from_bits(&bits);
        assert!(usage.digital_signature && usage.non_repudiation);
        assert!(!usage.key_cert_sign);
        assert_eq!(usage.to_string(), "digitalSignature, nonRepudiation");
    }

    #[test]
    fn reads_decipher_only_in_second_byte() {
        let bits = BitString::new(7, [0x00, 0x80]).expect("valid bit string");
        assert_eq!(KeyUsage::from_bits(&bits).names(), ["decipherOnly"]);
    }
}
