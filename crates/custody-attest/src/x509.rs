//! Certificate-chain bundles: the leaf (first certificate in the bundle) must chain, through
//! the bundle's other certificates, to one of the CA certificates the user gives.
//!
//! What is checked, exactly:
//! 1. Every certificate parses as DER X.509 (RFC 5280 profile).
//! 2. The path: each certificate's issuer name equals the next certificate's subject name, and
//!    the next certificate's key verifies its signature (ECDSA with SHA-256/384/512 by a P-256
//!    key). The path ends at a given CA certificate (or at a certificate signed by one), at
//!    most 8 certificates long.
//! 3. Every certificate on the path, the CA included, is within its validity period *now*
//!    (the spec's rule; the Python reference checks at the leaf's notBefore instead, so an
//!    expired leaf passes there and fails here).
//! 4. Every issuer on the path has basicConstraints cA=TRUE (intermediates must carry the
//!    extension; a CA given by the user may omit it) and, when it has a keyUsage, keyCertSign;
//!    pathLenConstraint is honoured.
//! 5. The leaf has keyUsage digitalSignature or extendedKeyUsage codeSigning (the reference's
//!    rule), and its P-256 key is the one that verifies the DSSE signature.
//! 6. A certificate with a critical extension custody does not understand is refused.
//!
//! Not checked: revocation (CRL, OCSP), name constraints, certificate policies, SCTs, and
//! keys other than P-256 (RSA, P-384, Ed25519 issuers are refused as unsupported).

use crate::error::{AttestError, Result};
use crate::keys::PublicKey;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

const MAX_PATH: usize = 8;
const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
const OID_KEY_USAGE: &str = "2.5.29.15";
const OID_EXT_KEY_USAGE: &str = "2.5.29.37";
const OID_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
/// Extensions custody understands well enough to accept when critical.
const UNDERSTOOD: [&str; 6] = [
    OID_BASIC_CONSTRAINTS,
    OID_KEY_USAGE,
    OID_EXT_KEY_USAGE,
    "2.5.29.14", // subjectKeyIdentifier
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.17", // subjectAltName
];

/// Reads CA certificates from PEM (one or more `CERTIFICATE` blocks) or DER.
pub fn load_certificates(what: &str, bytes: &[u8]) -> Result<Vec<Certificate>> {
    let err = |d: String| AttestError::Certificate { what: what.to_string(), detail: d };
    let trimmed = bytes.iter().position(|b| !b.is_ascii_whitespace()).map_or(&bytes[..0], |i| &bytes[i..]);
    if trimmed.starts_with(b"-----BEGIN") {
        let certs = Certificate::load_pem_chain(trimmed).map_err(|e| err(format!("not PEM certificates ({e})")))?;
        if certs.is_empty() {
            return Err(err("no certificate in the file".into()));
        }
        Ok(certs)
    } else {
        Ok(vec![Certificate::from_der(bytes).map_err(|e| err(format!("not a DER certificate ({e})")))?])
    }
}

/// Checks a bundle's chain (DER, leaf first) against `anchors` at `now` (seconds since the
/// Unix epoch). On success returns the leaf's key and subject; on failure the reason.
pub fn verify_chain(
    chain: &[Vec<u8>],
    anchors: &[Certificate],
    now: u64,
) -> std::result::Result<(PublicKey, String), String> {
    let certs: Vec<Certificate> = chain
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Certificate::from_der(d).map_err(|e| format!("certificate {i} of the bundle does not parse: {e}"))
        })
        .collect::<std::result::Result<_, _>>()?;
    let Some(leaf) = certs.first() else {
        return Err("the bundle has no certificate".into());
    };
    let leaf_key = spki_key(leaf).map_err(|e| format!("leaf: {e}"))?;
    check_common(leaf, now, "the leaf")?;
    check_leaf_usage(leaf)?;

    let mut path: Vec<&Certificate> = vec![leaf];
    let mut current = leaf;
    let mut anchored = false;
    for _ in 0..MAX_PATH {
        if anchors.iter().any(|a| same_cert(a, current)) {
            anchored = true;
            break;
        }
        if let Some(a) = anchors.iter().find(|a| issued_by(current, a)) {
            check_common(a, now, "the CA")?;
            check_issuer(a, path.len() - 1, false)?;
            anchored = true;
            break;
        }
        let Some(next) = certs[1..].iter().find(|c| !path.iter().any(|p| same_cert(p, c)) && issued_by(current, c))
        else {
            break;
        };
        check_common(next, now, "an intermediate")?;
        check_issuer(next, path.len() - 1, !anchors.iter().any(|a| same_cert(a, next)))?;
        path.push(next);
        current = next;
    }
    if !anchored {
        return Err(format!(
            "the certificate of `{}` does not chain to the given CA certificates (issuer `{}` not found or its signature does not verify)",
            leaf.tbs_certificate.subject, current.tbs_certificate.issuer
        ));
    }
    Ok((leaf_key, leaf.tbs_certificate.subject.to_string()))
}

fn same_cert(a: &Certificate, b: &Certificate) -> bool {
    a.to_der().ok().is_some_and(|x| b.to_der().ok().is_some_and(|y| x == y))
}

/// The P-256 key a certificate certifies.
pub fn certificate_key(c: &Certificate) -> std::result::Result<PublicKey, String> {
    spki_key(c)
}

/// DER of a certificate.
pub fn to_der(c: &Certificate) -> Result<Vec<u8>> {
    c.to_der().map_err(|e| AttestError::Certificate { what: "".into(), detail: e.to_string() })
}

fn spki_key(c: &Certificate) -> std::result::Result<PublicKey, String> {
    let der = c.tbs_certificate.subject_public_key_info.to_der().map_err(|e| e.to_string())?;
    PublicKey::from_spki_der(&der)
}

/// `issuer` has the subject name `c` names as issuer, and its key verifies `c`'s signature.
fn issued_by(c: &Certificate, issuer: &Certificate) -> bool {
    let (Ok(a), Ok(b)) = (c.tbs_certificate.issuer.to_der(), issuer.tbs_certificate.subject.to_der()) else {
        return false;
    };
    if a != b {
        return false;
    }
    let Ok(key) = spki_key(issuer) else {
        return false;
    };
    let Ok(tbs) = c.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = c.signature.as_bytes() else {
        return false;
    };
    match c.signature_algorithm.oid.to_string().as_str() {
        "1.2.840.10045.4.3.2" => key.verify_prehash(&Sha256::digest(&tbs), sig),
        "1.2.840.10045.4.3.3" => key.verify_prehash(&Sha384::digest(&tbs), sig),
        "1.2.840.10045.4.3.4" => key.verify_prehash(&Sha512::digest(&tbs), sig),
        _ => false,
    }
}

fn check_common(c: &Certificate, now: u64, role: &str) -> std::result::Result<(), String> {
    let v = &c.tbs_certificate.validity;
    let nb = v.not_before.to_unix_duration().as_secs();
    let na = v.not_after.to_unix_duration().as_secs();
    let subject = &c.tbs_certificate.subject;
    if now < nb {
        return Err(format!("{role} certificate `{subject}` is not valid yet (notBefore {})", v.not_before));
    }
    if now > na {
        return Err(format!("{role} certificate `{subject}` expired (notAfter {})", v.not_after));
    }
    for e in c.tbs_certificate.extensions.iter().flatten() {
        if e.critical && !UNDERSTOOD.contains(&e.extn_id.to_string().as_str()) {
            return Err(format!("{role} certificate `{subject}` has an unsupported critical extension {}", e.extn_id));
        }
    }
    Ok(())
}

fn ext<'a>(c: &'a Certificate, oid: &str) -> Option<&'a [u8]> {
    c.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == oid)
        .map(|e| e.extn_value.as_bytes())
}

/// `below` is the number of intermediates between this issuer and the leaf.
fn check_issuer(c: &Certificate, below: usize, must_have_bc: bool) -> std::result::Result<(), String> {
    let subject = &c.tbs_certificate.subject;
    match ext(c, OID_BASIC_CONSTRAINTS).map(BasicConstraints::from_der) {
        Some(Ok(bc)) => {
            if !bc.ca {
                return Err(format!("`{subject}` signs certificates but is not a CA (basicConstraints cA=FALSE)"));
            }
            if let Some(n) = bc.path_len_constraint
                && below > usize::from(n)
            {
                return Err(format!("`{subject}` allows {n} intermediates below it, the path has {below}"));
            }
        }
        Some(Err(e)) => return Err(format!("`{subject}` has a broken basicConstraints: {e}")),
        None if must_have_bc => return Err(format!("intermediate `{subject}` has no basicConstraints")),
        None => {}
    }
    if let Some(ku) = ext(c, OID_KEY_USAGE) {
        let ku = KeyUsage::from_der(ku).map_err(|e| format!("`{subject}` has a broken keyUsage: {e}"))?;
        if !ku.key_cert_sign() {
            return Err(format!("`{subject}` may not sign certificates (keyUsage without keyCertSign)"));
        }
    }
    Ok(())
}

fn check_leaf_usage(c: &Certificate) -> std::result::Result<(), String> {
    let ds = ext(c, OID_KEY_USAGE).and_then(|b| KeyUsage::from_der(b).ok()).is_some_and(|k| k.digital_signature());
    let cs = ext(c, OID_EXT_KEY_USAGE)
        .and_then(|b| ExtendedKeyUsage::from_der(b).ok())
        .is_some_and(|e| e.0.iter().any(|o| o.to_string() == OID_CODE_SIGNING));
    if ds || cs {
        Ok(())
    } else {
        Err(format!(
            "the leaf certificate `{}` is not for signing (needs keyUsage digitalSignature or extendedKeyUsage codeSigning)",
            c.tbs_certificate.subject
        ))
    }
}
