//! ECDSA P-256 keys in the PEM forms the reference tool reads and writes: PKCS#8 (`PRIVATE
//! KEY`) or SEC1 (`EC PRIVATE KEY`) private keys, SubjectPublicKeyInfo (`PUBLIC KEY`) public
//! keys. The bundle's `publicKey.hint` is the SHA-256 of the public key PEM exactly as Python's
//! `cryptography` writes it (64-column base64, LF line endings).

use crate::error::{AttestError, Result};
use custody_core::hex;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use sha2::{Digest, Sha256};
use x509_cert::der::Decode;
use x509_cert::der::pem;
use x509_cert::spki::SubjectPublicKeyInfoRef;

/// Largest key or certificate file read.
pub const MAX_PEM_BYTES: usize = 1 << 20;

/// A private signing key.
pub struct PrivateKey(SigningKey);

/// A public verifying key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(pub(crate) VerifyingKey);

impl PrivateKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> PrivateKey {
        PrivateKey(SigningKey::random(&mut rand_core::OsRng))
    }

    /// PKCS#8 or SEC1 PEM. `what` names the source in errors.
    pub fn from_pem(what: &str, text: &[u8]) -> Result<PrivateKey> {
        let err = |d: String| AttestError::Key { what: what.to_string(), detail: d };
        let (label, der) = pem::decode_vec(text).map_err(|e| err(format!("not a PEM file ({e})")))?;
        match label {
            "PRIVATE KEY" => match p256::SecretKey::from_pkcs8_der(&der) {
                Ok(k) => Ok(PrivateKey(SigningKey::from(k))),
                Err(_) => Err(err(format!("not an ECDSA P-256 key ({})", describe_pkcs8(&der)))),
            },
            "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&der)
                .map(|k| PrivateKey(SigningKey::from(k)))
                .map_err(|_| err("not an ECDSA P-256 key (SEC1 key on another curve?)".into())),
            "ENCRYPTED PRIVATE KEY" => Err(AttestError::Unsupported(format!(
                "{what} is encrypted; custody reads unencrypted PKCS#8 or SEC1 keys only (keep the key on protected storage)"
            ))),
            "PUBLIC KEY" => Err(err("this is a public key; signing needs the private key".into())),
            other => Err(err(format!("a PEM `{other}`, not a private key"))),
        }
    }

    /// PKCS#8 PEM, as `cryptography` writes it.
    pub fn to_pem(&self) -> Result<String> {
        let s = p256::SecretKey::from(&self.0)
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| AttestError::Invalid(format!("cannot encode the private key: {e}")))?;
        Ok(s.to_string())
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(*self.0.verifying_key())
    }

    /// ECDSA over SHA-256 of `msg`, DER-encoded (deterministic, RFC 6979).
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let sig: Signature = self.0.sign(msg);
        let der: DerSignature = sig.to_der();
        der.as_bytes().to_vec()
    }
}

impl PublicKey {
    /// SubjectPublicKeyInfo PEM (`PUBLIC KEY`).
    pub fn from_pem(what: &str, text: &[u8]) -> Result<PublicKey> {
        let err = |d: String| AttestError::Key { what: what.to_string(), detail: d };
        let (label, der) = pem::decode_vec(text).map_err(|e| err(format!("not a PEM file ({e})")))?;
        match label {
            "PUBLIC KEY" => PublicKey::from_spki_der(&der).map_err(err),
            "PRIVATE KEY" | "EC PRIVATE KEY" => Err(err(
                "this is a private key; verification takes the public key (`custody keygen` writes both)".into(),
            )),
            "CERTIFICATE" => Err(err("this is a certificate; pass CA certificates with --ca instead".into())),
            other => Err(err(format!("a PEM `{other}`, not a public key"))),
        }
    }

    pub(crate) fn from_spki_der(der: &[u8]) -> std::result::Result<PublicKey, String> {
        p256::PublicKey::from_public_key_der(der)
            .map(|k| PublicKey(VerifyingKey::from(k)))
            .map_err(|_| format!("not an ECDSA P-256 key ({})", describe_spki(der)))
    }

    /// SubjectPublicKeyInfo PEM exactly as `cryptography` writes it.
    pub fn to_pem(&self) -> Result<String> {
        p256::PublicKey::from(&self.0)
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| AttestError::Invalid(format!("cannot encode the public key: {e}")))
    }

    /// The bundle hint: lowercase hex SHA-256 of [`PublicKey::to_pem`].
    pub fn hint(&self) -> Result<String> {
        Ok(hex::encode(&Sha256::digest(self.to_pem()?.as_bytes())))
    }

    /// Checks a DER (or fixed 64-byte r‖s) ECDSA P-256/SHA-256 signature over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let parsed = Signature::from_der(sig).or_else(|_| Signature::from_slice(sig));
        parsed.is_ok_and(|s| self.0.verify(msg, &s).is_ok())
    }

    /// Checks an ECDSA signature over an already computed digest (for certificates signed
    /// with SHA-384 or SHA-512).
    pub(crate) fn verify_prehash(&self, digest: &[u8], sig: &[u8]) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        let parsed = Signature::from_der(sig);
        parsed.is_ok_and(|s| self.0.verify_prehash(digest, &s).is_ok())
    }
}

fn curve_name(oid: &str) -> &'static str {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        "1.2.840.113549.1.1.1" => "RSA",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        _ => "an unknown algorithm",
    }
}

fn describe_spki(der: &[u8]) -> String {
    match SubjectPublicKeyInfoRef::from_der(der) {
        Ok(spki) => {
            let alg = spki.algorithm.oid.to_string();
            let param =
                spki.algorithm.parameters.and_then(|p| p.decode_as::<x509_cert::der::asn1::ObjectIdentifier>().ok());
            match param {
                Some(c) if alg == "1.2.840.10045.2.1" => {
                    format!("an EC key on {}; custody supports P-256", curve_name(&c.to_string()))
                }
                _ => format!("{} key; custody supports ECDSA P-256", curve_name(&alg)),
            }
        }
        Err(_) => "the key does not decode".into(),
    }
}

fn describe_pkcs8(der: &[u8]) -> String {
    match p256::pkcs8::PrivateKeyInfo::from_der(der) {
        Ok(info) => {
            let alg = info.algorithm.oid.to_string();
            let param =
                info.algorithm.parameters.and_then(|p| p.decode_as::<x509_cert::der::asn1::ObjectIdentifier>().ok());
            match param {
                Some(c) if alg == "1.2.840.10045.2.1" => {
                    format!("an EC key on {}; custody supports P-256", curve_name(&c.to_string()))
                }
                _ => format!("{} key; custody supports ECDSA P-256", curve_name(&alg)),
            }
        }
        Err(_) => "the key does not decode".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_and_hint() {
        let k = PrivateKey::generate();
        let pem = k.to_pem().expect("pem");
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n") && pem.ends_with("-----END PRIVATE KEY-----\n"));
        let back = PrivateKey::from_pem("k", pem.as_bytes()).expect("read");
        assert_eq!(back.public(), k.public());
        let pubpem = k.public().to_pem().expect("pem");
        assert!(pubpem.starts_with("-----BEGIN PUBLIC KEY-----\n") && pubpem.ends_with("-----END PUBLIC KEY-----\n"));
        assert!(pubpem.lines().all(|l| l.len() <= 64));
        let p = PublicKey::from_pem("p", pubpem.as_bytes()).expect("read");
        assert_eq!(p.hint().expect("hint"), hex::encode(&Sha256::digest(pubpem.as_bytes())));
        let sig = k.sign(b"msg");
        assert!(p.verify(b"msg", &sig));
        assert!(!p.verify(b"msh", &sig));
        assert!(!PrivateKey::generate().public().verify(b"msg", &sig));
    }

    #[test]
    fn wrong_kinds_of_key_say_so() {
        let k = PrivateKey::generate();
        let pubpem = k.public().to_pem().expect("pem");
        let e = PrivateKey::from_pem("k", pubpem.as_bytes()).err().expect("refused").to_string();
        assert!(e.contains("public key"), "{e}");
        let e = PublicKey::from_pem("p", k.to_pem().expect("pem").as_bytes()).expect_err("refused").to_string();
        assert!(e.contains("private key"), "{e}");
        assert!(PublicKey::from_pem("p", b"garbage").is_err());
        // A P-384 public key (generated with openssl ecparam -name secp384r1).
        let p384 = "-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEfU90rwVQzOisGWJ4N2keb+MTegqNZSZe
pbkAew5j5llILp4Dzxypw2/uGxzrX0szHACtvfKREMgEXQPBDPd3aNBl5LS51S4m
ZyBt3z7b6TRToz2YGawEYZAl0Jr66D7n
-----END PUBLIC KEY-----
";
        let e = PublicKey::from_pem("p", p384.as_bytes()).expect_err("refused").to_string();
        assert!(e.contains("P-384"), "{e}");
    }
}
