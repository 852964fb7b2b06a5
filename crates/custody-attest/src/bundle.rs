//! The signature file: a Sigstore bundle v0.3 (JSON) around a DSSE envelope whose payload is
//! the in-toto statement. custody writes it itself (the Sigstore crates cannot make key-signed
//! bundles offline) and reads it with explicit checks so a broken file gets a precise error.

use crate::dsse::{PAYLOAD_TYPE, pae};
use crate::error::{AttestError, Result};
use crate::keys::PrivateKey;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const MEDIA_TYPES: [&str; 4] = [
    MEDIA_TYPE_V03,
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
];
/// Largest signature file read (a manifest of a million shards is about 150 MB of JSON; that
/// is more than any real model needs).
pub const MAX_BUNDLE_BYTES: u64 = 256 << 20;

/// Who vouches for the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    /// A key pair; `hint` is the SHA-256 of the public key PEM, when present.
    PublicKey { hint: Option<String> },
    /// DER certificates, leaf first.
    CertificateChain(Vec<Vec<u8>>),
    /// A Fulcio certificate with transparency-log entries (Sigstore keyless).
    Keyless,
}

/// A parsed signature file.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The exact payload bytes (never re-serialised: the signature is over these).
    pub payload: Vec<u8>,
    pub payload_type: String,
    pub signature: Vec<u8>,
    pub material: Material,
}

fn b64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    STANDARD
        .decode(s)
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .or_else(|_| URL_SAFE.decode(s))
        .or_else(|_| URL_SAFE_NO_PAD.decode(s))
        .ok()
}

impl Bundle {
    /// Parses a signature file; `what` names it in errors.
    pub fn parse(what: &str, bytes: &[u8]) -> Result<Bundle> {
        let bad = |d: &str| AttestError::malformed(what, d.to_string());
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(bad("the file is empty"));
        }
        let v: Value = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_eof() {
                AttestError::malformed(what, format!("the JSON ends early (truncated?): {e}"))
            } else {
                AttestError::malformed(what, format!("not JSON: {e}"))
            }
        })?;
        let o = v.as_object().ok_or_else(|| bad("not a JSON object"))?;
        let mt = o.get("mediaType").and_then(Value::as_str).ok_or_else(|| bad("no mediaType"))?;
        if !MEDIA_TYPES.contains(&mt) {
            return Err(bad(&format!("mediaType `{mt}` is not a Sigstore bundle")));
        }
        let env = match o.get("dsseEnvelope") {
            Some(Value::Object(e)) => e,
            _ if o.contains_key("messageSignature") => {
                return Err(bad("it signs a single artifact (messageSignature), not a model manifest"));
            }
            _ => return Err(bad("no dsseEnvelope")),
        };
        let payload_type = env.get("payloadType").and_then(Value::as_str).ok_or_else(|| bad("no payloadType"))?;
        if payload_type != PAYLOAD_TYPE {
            return Err(bad(&format!("payloadType `{payload_type}`, expected {PAYLOAD_TYPE}")));
        }
        let payload = env
            .get("payload")
            .and_then(Value::as_str)
            .and_then(b64)
            .ok_or_else(|| bad("the payload is missing or not base64"))?;
        let sigs = env.get("signatures").and_then(Value::as_array).ok_or_else(|| bad("no signatures"))?;
        let [sig] = sigs.as_slice() else {
            return Err(bad(&format!("{} signatures; a model signature has exactly one", sigs.len())));
        };
        match sig.get("keyid") {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(_) => return Err(bad("keyid is not a string")),
        }
        let signature = sig
            .get("sig")
            .and_then(Value::as_str)
            .and_then(b64)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad("the signature is missing or not base64"))?;
        let vm =
            o.get("verificationMaterial").and_then(Value::as_object).ok_or_else(|| bad("no verificationMaterial"))?;
        let tlog = vm.get("tlogEntries").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        let material = if let Some(pk) = vm.get("publicKey") {
            let hint = pk.get("hint").and_then(Value::as_str).filter(|h| !h.is_empty()).map(str::to_string);
            Material::PublicKey { hint }
        } else if let Some(chain) = vm.get("x509CertificateChain") {
            let certs = chain
                .get("certificates")
                .and_then(Value::as_array)
                .ok_or_else(|| bad("x509CertificateChain without certificates"))?;
            let mut ders = Vec::new();
            for c in certs {
                ders.push(
                    c.get("rawBytes")
                        .and_then(Value::as_str)
                        .and_then(b64)
                        .ok_or_else(|| bad("a certificate is not base64"))?,
                );
            }
            if ders.is_empty() {
                return Err(bad("the certificate chain is empty"));
            }
            if tlog { Material::Keyless } else { Material::CertificateChain(ders) }
        } else if let Some(c) = vm.get("certificate") {
            if tlog {
                Material::Keyless
            } else {
                let der = c
                    .get("rawBytes")
                    .and_then(Value::as_str)
                    .and_then(b64)
                    .ok_or_else(|| bad("the certificate is not base64"))?;
                Material::CertificateChain(vec![der])
            }
        } else {
            return Err(bad("verificationMaterial has no publicKey, x509CertificateChain or certificate"));
        };
        Ok(Bundle { payload, payload_type: payload_type.to_string(), signature, material })
    }

    /// The bytes the signature covers.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }
}

/// Signs `statement` and returns the signature file (compact JSON, like the reference).
/// With `chain` (DER, leaf first) the bundle carries the certificates, otherwise a public-key
/// hint.
pub fn sign_statement(statement: &[u8], key: &PrivateKey, chain: Option<&[Vec<u8>]>) -> Result<Vec<u8>> {
    let sig = key.sign(&pae(PAYLOAD_TYPE, statement));
    let material = match chain {
        None => json!({"publicKey": {"hint": key.public().hint()?}, "tlogEntries": []}),
        Some(certs) => json!({
            "x509CertificateChain": {"certificates": certs.iter().map(|c| json!({"rawBytes": STANDARD.encode(c)})).collect::<Vec<_>>()},
            "tlogEntries": [],
        }),
    };
    let v = json!({
        "mediaType": MEDIA_TYPE_V03,
        "verificationMaterial": material,
        "dsseEnvelope": {
            "payload": STANDARD.encode(statement),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"sig": STANDARD.encode(sig), "keyid": ""}],
        },
    });
    serde_json::to_vec(&v).map_err(|e| AttestError::Invalid(format!("cannot encode the bundle: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_parse() {
        let k = PrivateKey::generate();
        let b = sign_statement(b"{\"a\":1}", &k, None).expect("sign");
        let p = Bundle::parse("s", &b).expect("parse");
        assert_eq!(p.payload, b"{\"a\":1}");
        assert!(k.public().verify(&p.pae(), &p.signature));
        assert_eq!(p.material, Material::PublicKey { hint: Some(k.public().hint().expect("hint")) });
    }

    #[test]
    fn broken_files_are_errors_that_say_why() {
        let k = PrivateKey::generate();
        let b = sign_statement(b"{}", &k, None).expect("sign");
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (Vec::new(), "empty"),
            (b[..b.len() / 2].to_vec(), "truncated"),
            (b"[1]".to_vec(), "not a JSON object"),
            (String::from_utf8_lossy(&b).replace("v0.3", "v9").into_bytes(), "mediaType"),
            (String::from_utf8_lossy(&b).replace("in-toto", "x").into_bytes(), "payloadType"),
            (String::from_utf8_lossy(&b).replace("\"sig\":\"", "\"sig\":\"!!").into_bytes(), "signature"),
            (String::from_utf8_lossy(&b).replace("publicKey", "nothing").into_bytes(), "verificationMaterial"),
        ];
        for (bytes, want) in cases {
            let e = Bundle::parse("s", &bytes).expect_err("refused").to_string();
            assert!(e.contains(want), "{want}: {e}");
        }
        // keyid may be "", null or absent.
        for alt in ["\"keyid\":null", "\"keyid\":\"abc\""] {
            let s = String::from_utf8_lossy(&b).replace("\"keyid\":\"\"", alt);
            assert!(Bundle::parse("s", s.as_bytes()).is_ok(), "{alt}");
        }
        let s = String::from_utf8_lossy(&b).replace(",\"keyid\":\"\"", "");
        assert!(Bundle::parse("s", s.as_bytes()).is_ok());
    }
}
