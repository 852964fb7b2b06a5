//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 keys, and tlog checkpoints
//! (<https://c2sp.org/tlog-checkpoint>) carried in them.
//!
//! Key text formats are those of Go's `golang.org/x/mod/sumdb/note`:
//!
//! - verifier key: `<name>+<key ID as 8 hex digits>+<base64(0x01 ‖ 32-byte public key)>`
//! - private key: `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ 32-byte seed)>`
//!
//! where key ID = the first 4 bytes of `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)`. A note is
//! `text` (ending in a newline), a blank line, then one or more lines
//! `— <name> <base64(key ID ‖ 64-byte signature)>` (U+2014 EM DASH), the signature being
//! Ed25519 over the text bytes.
//!
//! Parsing is total and bounded: any malformed input is an error, never a panic.

use crate::b64;
use crate::merkle::Hash;
use ed25519_dalek::{Signature, Signer as _};
use rand_core::{OsRng, RngCore as _};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::{Zeroize as _, Zeroizing};

/// Largest note [`open_note`] and [`verify_checkpoint`] read.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// Most signature lines a note may carry (Go's `note.Open` allows 100; the spec asks for ≥ 16).
pub const MAX_SIGNATURES: usize = 100;
/// Largest key text accepted.
pub const MAX_KEY_TEXT_BYTES: usize = 1024;

const ALG_ED25519: u8 = 0x01;
const SIG_PREFIX: &str = "\u{2014} ";

/// What is wrong with a note, a checkpoint or a key. Messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("note is larger than {MAX_NOTE_BYTES} bytes")]
    TooLarge,
    #[error("note contains a control character other than newline")]
    ControlCharacter,
    #[error("note has no blank line followed by signature lines")]
    NoSignatureBlock,
    #[error("note text must end with a newline")]
    TextNotTerminated,
    #[error("signature line {line} is malformed")]
    MalformedSignature { line: usize },
    #[error("note has more than {MAX_SIGNATURES} signature lines")]
    TooManySignatures,
    #[error("the signature by key {name} does not verify")]
    BadSignature { name: String },
    #[error("note carries no signature by key {name}")]
    NotSigned { name: String },
    #[error("invalid key name {0:?}: it must be non-empty, without spaces, control characters or '+'")]
    InvalidKeyName(String),
    #[error("malformed verifier key: {0}")]
    MalformedVerifierKey(&'static str),
    #[error("malformed private key: {0}")]
    MalformedPrivateKey(&'static str),
    #[error("key ID does not match the key")]
    KeyIdMismatch,
    #[error("unsupported key type 0x{0:02x} (only Ed25519, 0x01)")]
    UnsupportedKeyType(u8),
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('+') && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if valid_name(name) { Ok(()) } else { Err(NoteError::InvalidKeyName(name.to_owned())) }
}

fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public_key);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

fn hex4(id: &[u8; 4]) -> String {
    custody_core::hex::encode(id)
}

/// 8 hex digits (either case, as Go's `strconv.ParseUint(_, 16, 32)` accepts).
fn parse_hex4(text: &str) -> Option<[u8; 4]> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok().map(u32::to_be_bytes)
}

/// Splits at the first `+`; the whole text and `""` when there is none (Go's `chop`).
fn chop(text: &str) -> (&str, &str) {
    text.split_once('+').unwrap_or((text, ""))
}

/// The public half of a log key: checks signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: [u8; 4],
    key: ed25519_dalek::VerifyingKey,
}

impl VerifierKey {
    /// Parses `<name>+<hex key ID>+<base64(0x01 ‖ public key)>` (surrounding whitespace, such as
    /// a file's final newline, is ignored).
    pub fn parse(text: &str) -> Result<VerifierKey, NoteError> {
        use NoteError::MalformedVerifierKey as Bad;
        if text.len() > MAX_KEY_TEXT_BYTES {
            return Err(Bad("too long"));
        }
        let (name, rest) = chop(text.trim());
        let (hex, key64) = chop(rest);
        check_name(name)?;
        let id = parse_hex4(hex).ok_or(Bad("key ID is not 8 hex digits"))?;
        let raw = b64::decode(key64).ok_or(Bad("key is not base64"))?;
        let (&alg, key) = raw.split_first().ok_or(Bad("key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(NoteError::UnsupportedKeyType(alg));
        }
        let key: [u8; 32] = key.try_into().map_err(|_| Bad("Ed25519 public key is not 32 bytes"))?;
        if key_id(name, &key) != id {
            return Err(NoteError::KeyIdMismatch);
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| Bad("not an Ed25519 public key"))?;
        Ok(VerifierKey { name: name.to_owned(), id, key })
    }

    /// The key name (for a log key, conventionally the checkpoint origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn key_id(&self) -> [u8; 4] {
        self.id
    }

    /// The raw 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

/// The vkey text.
impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, hex4(&self.id), b64::encode(&raw))
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

/// A log's Ed25519 signing key and its name. The secret is wiped from memory on drop; `Debug`
/// shows only the name and key ID.
#[derive(Clone)]
pub struct SigningKey {
    name: String,
    id: [u8; 4],
    key: ed25519_dalek::SigningKey,
}

impl SigningKey {
    /// A new key from the operating system's random number generator.
    pub fn generate(name: &str) -> Result<SigningKey, NoteError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        OsRng.try_fill_bytes(seed.as_mut()).map_err(|e| NoteError::Random(e.to_string()))?;
        SigningKey::from_seed(name, &seed)
    }

    /// The key with this 32-byte Ed25519 seed (RFC 8032 private key). For tests and fixtures;
    /// real keys come from [`SigningKey::generate`].
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<SigningKey, NoteError> {
        check_name(name)?;
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        let id = key_id(name, key.verifying_key().as_bytes());
        Ok(SigningKey { name: name.to_owned(), id, key })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>` (surrounding whitespace
    /// ignored). The key ID is checked against the derived public key.
    pub fn parse(text: &str) -> Result<SigningKey, NoteError> {
        use NoteError::MalformedPrivateKey as Bad;
        if text.len() > MAX_KEY_TEXT_BYTES {
            return Err(Bad("too long"));
        }
        let (p1, rest) = chop(text.trim());
        let (p2, rest) = chop(rest);
        if p1 != "PRIVATE" || p2 != "KEY" {
            return Err(Bad("does not start with PRIVATE+KEY+"));
        }
        let (name, rest) = chop(rest);
        let (hex, key64) = chop(rest);
        check_name(name)?;
        let id = parse_hex4(hex).ok_or(Bad("key ID is not 8 hex digits"))?;
        let raw = Zeroizing::new(b64::decode(key64).ok_or(Bad("key is not base64"))?);
        let (&alg, seed) = raw.split_first().ok_or(Bad("key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(NoteError::UnsupportedKeyType(alg));
        }
        let mut seed: [u8; 32] = seed.try_into().map_err(|_| Bad("Ed25519 seed is not 32 bytes"))?;
        let key = SigningKey::from_seed(name, &seed);
        seed.zeroize();
        let key = key?;
        if key.id != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(key)
    }

    /// The private key text. Keep it secret (write it with mode 0600); the returned string is
    /// wiped when dropped.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut raw = Zeroizing::new(vec![ALG_ED25519]);
        raw.extend_from_slice(self.key.as_bytes());
        let encoded = Zeroizing::new(b64::encode(&raw));
        Zeroizing::new(format!("PRIVATE+KEY+{}+{}+{}", self.name, hex4(&self.id), encoded.as_str()))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn key_id(&self) -> [u8; 4] {
        self.id
    }

    /// The public half.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey { name: self.name.clone(), id: self.id, key: self.key.verifying_key() }
    }

    /// Signs `text` (which must end with a newline, be at most [`MAX_NOTE_BYTES`] minus room
    /// for the signature, and contain no control characters but newlines): returns the note
    /// `text ‖ "\n" ‖ "— <name> <base64(key ID ‖ signature)>\n"`.
    pub fn sign_note(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') {
            return Err(NoteError::TextNotTerminated);
        }
        if text.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::ControlCharacter);
        }
        let sig = self.key.sign(text.as_bytes());
        let mut raw = self.id.to_vec();
        raw.extend_from_slice(&sig.to_bytes());
        let note = format!("{text}\n{SIG_PREFIX}{} {}\n", self.name, b64::encode(&raw));
        if note.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge);
        }
        Ok(note)
    }

    /// Adds this key's signature to a signed note (the same text, one more signature line):
    /// a checkpoint signed by both the old and the new key when a log's key is rotated.
    pub fn cosign(&self, note: &str) -> Result<String, NoteError> {
        let split = note.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
        let signed = self.sign_note(&note[..split + 1])?;
        let line = &signed[split + 2..];
        let out = format!("{note}{line}");
        if out.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge);
        }
        Ok(out)
    }

    /// Signs the checkpoint `origin`, `size`, `root` ([`checkpoint_body`]).
    pub fn sign_checkpoint(&self, origin: &str, size: u64, root: &Hash) -> Result<String, NoteError> {
        self.sign_note(&checkpoint_body(origin, size, root)?)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}+{}, secret hidden)", self.name, hex4(&self.id))
    }
}

/// Opens a signed note: checks its structure and that every signature line by `key` (same
/// name and key ID) verifies, and that there is at least one. Lines by other keys are checked
/// for form only and otherwise ignored, as the spec requires. Returns the signed text (ending
/// in a newline).
pub fn open_note<'a>(note: &'a str, key: &VerifierKey) -> Result<&'a str, NoteError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(NoteError::TooLarge);
    }
    if note.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::ControlCharacter);
    }
    // The text is separated from the signatures by the *last* blank line.
    let split = note.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    let sigs = sigs.strip_suffix('\n').filter(|s| !s.is_empty()).ok_or(NoteError::NoSignatureBlock)?;
    let mut verified = false;
    for (i, line) in sigs.split('\n').enumerate() {
        if i >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        let bad = NoteError::MalformedSignature { line: i + 1 };
        let rest = line.strip_prefix(SIG_PREFIX).ok_or_else(|| bad.clone())?;
        let (name, sig64) = rest.split_once(' ').ok_or_else(|| bad.clone())?;
        if !valid_name(name) {
            return Err(bad);
        }
        let raw = b64::decode(sig64).filter(|r| r.len() >= 5).ok_or(bad)?;
        let (id, sig) = raw.split_at(4);
        if name != key.name || id != key.id {
            continue; // someone else's signature (a witness cosignature, say)
        }
        let bad_sig = || NoteError::BadSignature { name: name.to_owned() };
        let sig = Signature::from_slice(sig).map_err(|_| bad_sig())?;
        key.key.verify_strict(text.as_bytes(), &sig).map_err(|_| bad_sig())?;
        verified = true;
    }
    if !verified {
        return Err(NoteError::NotSigned { name: key.name.clone() });
    }
    Ok(text)
}

/// A tlog checkpoint: the signed statement "the log `origin` has `size` entries with this
/// Merkle root".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name, e.g. `custody.example/acme-audit`.
    pub origin: String,
    /// Number of entries.
    pub size: u64,
    /// The Merkle Tree Hash of the first `size` entries.
    pub root: Hash,
    /// Extension lines after the root, if any (custody writes none).
    pub extensions: Vec<String>,
}

/// The checkpoint note text `"<origin>\n<size>\n<base64 root>\n"`. The origin must be a
/// non-empty line without control characters.
pub fn checkpoint_body(origin: &str, size: u64, root: &Hash) -> Result<String, NoteError> {
    if origin.is_empty() {
        return Err(NoteError::MalformedCheckpoint("empty origin"));
    }
    if origin.chars().any(char::is_control) {
        return Err(NoteError::MalformedCheckpoint("control character in origin"));
    }
    Ok(format!("{origin}\n{size}\n{}\n", b64::encode(root)))
}

/// Parses checkpoint text (the signed part of the note) strictly: a non-empty origin line, the
/// size in decimal without leading zeros, the root as canonical base64 of exactly 32 bytes,
/// then optional non-empty extension lines; every line ends with a newline.
pub fn parse_checkpoint_body(text: &str) -> Result<Checkpoint, NoteError> {
    use NoteError::MalformedCheckpoint as Bad;
    let body = text.strip_suffix('\n').ok_or(Bad("text does not end with a newline"))?;
    let mut lines = body.split('\n');
    let origin = lines.next().filter(|l| !l.is_empty()).ok_or(Bad("empty origin"))?;
    let size = lines.next().ok_or(Bad("no size line"))?;
    if size.is_empty() || !size.bytes().all(|b| b.is_ascii_digit()) || (size.len() > 1 && size.starts_with('0')) {
        return Err(Bad("size is not a decimal number without leading zeros"));
    }
    let size: u64 = size.parse().map_err(|_| Bad("size does not fit in 64 bits"))?;
    let root = lines.next().ok_or(Bad("no root hash line"))?;
    let root = b64::decode_hash(root).ok_or(Bad("root is not base64 of 32 bytes"))?;
    let mut extensions = Vec::new();
    for line in lines {
        if line.is_empty() {
            return Err(Bad("empty extension line"));
        }
        extensions.push(line.to_owned());
    }
    Ok(Checkpoint { origin: origin.to_owned(), size, root, extensions })
}

/// Opens a checkpoint note signed by `key` and parses it.
pub fn verify_checkpoint(note: &str, key: &VerifierKey) -> Result<Checkpoint, NoteError> {
    parse_checkpoint_body(open_note(note, key)?)
}
