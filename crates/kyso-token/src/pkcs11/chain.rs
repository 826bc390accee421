//! The chain certificates a token carries, put in order from the signer's issuer upward.
//!
//! CA provisioning tools store the issuing CA (often also the root) on the token next to the
//! signer's certificate; pyHanko's users found those ignored (pyHanko issues #386, #457), which
//! leaves validators without the intermediate. Here each step takes, among the token's
//! certificates whose subject is the current certificate's issuer ([RFC 5280 §4.1.2.4]), the one
//! whose key verifies the current certificate's signature — Vietnamese CAs renew their CA
//! certificates under the same name, so the name alone can pick the wrong one — then one whose
//! subject key identifier is the authority key identifier ([RFC 5280 §4.2.1.1]), then the first.
//! Certificates that are not on the path (other people's, old ones) are left out.
//!
//! [RFC 5280 §4.1.2.4]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4
//! [RFC 5280 §4.2.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.1

use kyso_cert::{Certificate, VerifyOptions, verify_signature_with};

/// The issuers of `leaf` found in `pool`, nearest first, ending at a self-issued certificate or
/// where the pool has no issuer. Each certificate appears at most once.
pub(crate) fn chain_from(leaf: &Certificate, pool: &[Certificate]) -> Vec<Certificate> {
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = leaf;
    while !current.is_self_issued() && chain.len() < pool.len() {
        let used =
            |c: &Certificate| c.der() == leaf.der() || chain.iter().any(|u| u.der() == c.der());
        let issuer_name = current.inner().tbs_certificate().issuer();
        let candidates: Vec<&Certificate> = pool
            .iter()
            .filter(|c| c.inner().tbs_certificate().subject() == issuer_name && !used(c))
            .collect();
        let aki = current.authority_key_identifier().ok().flatten();
        let Some(next) = candidates
            .iter()
            .find(|c| signed_by(current, c))
            .or_else(|| {
                candidates
                    .iter()
                    .find(|c| aki.is_some() && c.subject_key_identifier().ok().flatten() == aki)
            })
            .or_else(|| candidates.first())
        else {
            break;
        };
        chain.push((*next).clone());
        current = chain.last().expect("just pushed");
    }
    chain
}

/// Whether `issuer`'s key verifies `cert`'s signature (SHA-1 allowed: old CA certificates).
fn signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let x509 = cert.inner();
    let (Ok(tbs), Some(signature)) = (cert.tbs_der(), x509.signature().as_bytes()) else {
        return false;
    };
    let options = VerifyOptions {
        allow_sha1: true,
        digest: None,
    };
    verify_signature_with(issuer, x509.signature_algorithm(), tbs, signature, &options).is_ok()
}
