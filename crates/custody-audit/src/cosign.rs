//! Witness cosignatures (<https://c2sp.org/tlog-cosignature>): a witness signs
//! `"cosignature/v1\ntime <T>\n" ‖ checkpoint body` with Ed25519 and puts
//! `— <witness name> <base64(key ID ‖ T as u64 big-endian ‖ 64-byte signature)>` under the
//! checkpoint. Its verifier key has type 0x04: `<name>+<key ID>+<base64(0x04 ‖ public key)>`,
//! key ID = the first 4 bytes of `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)`.

use crate::b64;
use crate::note::NoteError;
use ed25519_dalek::Signature;
use sha2::{Digest, Sha256};
use std::fmt;

const ALG_COSIGNATURE_V1: u8 = 0x04;
const SIG_PREFIX: &str = "\u{2014} ";

/// A witness's cosigning key (public half).
#[derive(Clone, PartialEq, Eq)]
pub struct CosignerKey {
    name: String,
    id: [u8; 4],
    key: ed25519_dalek::VerifyingKey,
}

fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_COSIGNATURE_V1]);
    h.update(public_key);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The message a cosignature signs.
pub fn cosigned_message(checkpoint_body: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{checkpoint_body}")
}

impl CosignerKey {
    /// Parses `<name>+<hex key ID>+<base64(0x04 ‖ public key)>`.
    pub fn parse(text: &str) -> Result<CosignerKey, NoteError> {
        use NoteError::MalformedVerifierKey as Bad;
        let text = text.trim();
        if text.len() > crate::note::MAX_KEY_TEXT_BYTES {
            return Err(Bad("too long"));
        }
        let mut parts = text.splitn(3, '+');
        let (name, hex, key64) = match (parts.next(), parts.next(), parts.next()) {
            (Some(n), Some(h), Some(k)) => (n, h, k),
            _ => return Err(Bad("not name+keyid+key")),
        };
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Bad("key ID is not 8 hex digits"));
        }
        let id = u32::from_str_radix(hex, 16).map_err(|_| Bad("key ID is not 8 hex digits"))?.to_be_bytes();
        let raw = b64::decode(key64).ok_or(Bad("key is not base64"))?;
        let (&alg, key) = raw.split_first().ok_or(Bad("key is empty"))?;
        if alg != ALG_COSIGNATURE_V1 {
            return Err(NoteError::UnsupportedKeyType(alg));
        }
        let key: [u8; 32] = key.try_into().map_err(|_| Bad("Ed25519 public key is not 32 bytes"))?;
        if key_id(name, &key) != id {
            return Err(NoteError::KeyIdMismatch);
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| Bad("not an Ed25519 public key"))?;
        Ok(CosignerKey { name: name.to_owned(), id, key })
    }

    /// The vkey text of a cosigner with this name and raw public key.
    pub fn vkey_text(name: &str, public_key: &[u8; 32]) -> String {
        let mut raw = vec![ALG_COSIGNATURE_V1];
        raw.extend_from_slice(public_key);
        let id = key_id(name, public_key);
        format!("{name}+{}+{}", custody_core::hex::encode(&id), b64::encode(&raw))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A signature line of this cosigner over `checkpoint_body` at `time`, made by `sign` (the
    /// witness's signer), for test witnesses and servers.
    pub fn line(&self, time: u64, signature: &[u8; 64]) -> String {
        let mut raw = self.id.to_vec();
        raw.extend_from_slice(&time.to_be_bytes());
        raw.extend_from_slice(signature);
        format!("{SIG_PREFIX}{} {}\n", self.name, b64::encode(&raw))
    }

    /// Finds this cosigner's line among `lines` (signature lines, as under a note or in a
    /// witness's response) and verifies it over `checkpoint_body`. Returns its time (Unix
    /// seconds).
    pub fn verify(&self, checkpoint_body: &str, lines: &str) -> Result<u64, NoteError> {
        for (i, line) in lines.lines().enumerate() {
            let bad = NoteError::MalformedSignature { line: i + 1 };
            let Some(rest) = line.strip_prefix(SIG_PREFIX) else { continue };
            let Some((name, sig64)) = rest.split_once(' ') else { return Err(bad) };
            let raw = b64::decode(sig64).ok_or(bad.clone())?;
            if name != self.name || raw.get(..4) != Some(&self.id[..]) {
                continue;
            }
            if raw.len() != 4 + 8 + 64 {
                return Err(bad);
            }
            let mut t = [0u8; 8];
            t.copy_from_slice(&raw[4..12]);
            let time = u64::from_be_bytes(t);
            let sig = Signature::from_slice(&raw[12..]).map_err(|_| bad.clone())?;
            self.key
                .verify_strict(cosigned_message(checkpoint_body, time).as_bytes(), &sig)
                .map_err(|_| NoteError::BadSignature { name: self.name.clone() })?;
            return Ok(time);
        }
        Err(NoteError::NotSigned { name: self.name.clone() })
    }
}

impl fmt::Debug for CosignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CosignerKey({}+{})", self.name, custody_core::hex::encode(&self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Signer as _;

    #[test]
    fn cosignatures_round_trip_and_bind_time_and_body() {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let vk = CosignerKey::parse(&CosignerKey::vkey_text("witness.example", &sk.verifying_key().to_bytes()))
            .expect("parse");
        let body = "custody.invalid/audit/t\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let sig = sk.sign(cosigned_message(body, 1_700_000_000).as_bytes()).to_bytes();
        let line = vk.line(1_700_000_000, &sig);
        assert_eq!(vk.verify(body, &line), Ok(1_700_000_000));
        assert!(vk.verify(&body.replace('3', "4"), &line).is_err(), "another size");
        let other_time = vk.line(1_700_000_001, &sig);
        assert!(vk.verify(body, &other_time).is_err(), "the time is signed");
        assert!(matches!(vk.verify(body, ""), Err(NoteError::NotSigned { .. })));
        // A log key (type 0x01) is not a cosigner key.
        let log = crate::SigningKey::from_seed("witness.example", &[9u8; 32]).expect("key");
        assert!(CosignerKey::parse(&log.verifier().to_string()).is_err());
    }
}
