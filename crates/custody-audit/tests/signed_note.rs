//! C2SP signed notes and tlog checkpoints: published vectors, round trips, rejections.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use custody_audit::note::{MAX_NOTE_BYTES, MAX_SIGNATURES};
use custody_audit::{
    NoteError, SigningKey, VerifierKey, checkpoint_body, leaf_hash, open_note, parse_checkpoint_body, root,
    verify_checkpoint,
};

// golang.org/x/mod/sumdb/note note_test.go.
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIG: &str =
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

// C2SP signed-note example (research runtime.md §4.5).
const C2SP_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const C2SP_NOTE: &str = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

fn go_note() -> String {
    format!("{GO_TEXT}\n{GO_SIG}")
}

#[test]
fn go_reference_key_signs_byte_for_byte() {
    let sk = SigningKey::parse(GO_SKEY).unwrap();
    assert_eq!(sk.name(), "PeterNeumann");
    assert_eq!(sk.key_id(), [0xc7, 0x4f, 0x20, 0xa3]);
    assert_eq!(sk.verifier().to_string(), GO_VKEY);
    assert_eq!(sk.to_text().as_str(), GO_SKEY);
    // Ed25519 is deterministic: the same note as Go's.
    assert_eq!(sk.sign_note(GO_TEXT).unwrap(), go_note());
    let vk = VerifierKey::parse(GO_VKEY).unwrap();
    assert_eq!(open_note(&go_note(), &vk).unwrap(), GO_TEXT);
    assert!(format!("{sk:?}").contains("secret hidden"));
    assert!(!format!("{sk:?}").contains("AYEK"));
}

#[test]
fn c2sp_example_verifies() {
    let vk = VerifierKey::parse(C2SP_VKEY).unwrap();
    assert_eq!(vk.key_id(), [0x53, 0x0d, 0x90, 0x3a]);
    assert_eq!(vk.to_string(), C2SP_VKEY);
    assert_eq!(open_note(C2SP_NOTE, &vk).unwrap(), "This is an example message.\n");
    // It is not a checkpoint, though.
    assert!(matches!(verify_checkpoint(C2SP_NOTE, &vk), Err(NoteError::MalformedCheckpoint(_))));
}

#[test]
fn verifier_key_manglings_are_refused() {
    // As Go's TestNewVerifier: every proper substring and every single-byte change fails.
    let b = GO_VKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let k = String::from_utf8_lossy(&b[i..j]);
                // Only surrounding whitespace is forgiven, and the key has none.
                assert!(VerifierKey::parse(&k).is_err(), "{k}");
            }
        }
    }
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] = m[i].wrapping_add(1);
        if let Ok(k) = String::from_utf8(m) {
            assert!(VerifierKey::parse(&k).is_err(), "{k}");
        }
    }
    assert!(VerifierKey::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
    assert!(matches!(
        VerifierKey::parse("PeterNeumann+c74f20a3+AhpjKjHhHYeMVT/ZYbc2QS/ZHYa8AqTpKRkqCMcYrkHL"),
        Err(NoteError::UnsupportedKeyType(2)) | Err(NoteError::MalformedVerifierKey(_))
    ));
    assert!(VerifierKey::parse(&"a".repeat(2000)).is_err());
    assert_eq!(VerifierKey::parse(&format!("{GO_VKEY}\n")).unwrap().to_string(), GO_VKEY);
}

#[test]
fn private_key_manglings_are_refused() {
    for bad in [
        "",
        "PRIVATE+KEY+PeterNeumann+c74f20a3",
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumanm+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEX+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        GO_VKEY,
    ] {
        assert!(SigningKey::parse(bad).is_err(), "{bad}");
    }
    assert!(SigningKey::parse(&format!("{GO_SKEY}\n")).is_ok());
}

#[test]
fn key_names_are_checked() {
    let seed = [7u8; 32];
    for bad in ["", "a b", "a+b", "a\nb", "tab\t", "nul\u{0}"] {
        assert!(matches!(SigningKey::from_seed(bad, &seed), Err(NoteError::InvalidKeyName(_))), "{bad:?}");
    }
    assert!(SigningKey::from_seed("custody/acme-audit", &seed).is_ok());
}

#[test]
fn generated_keys_round_trip() {
    let sk = SigningKey::generate("custody.example/log").unwrap();
    let again = SigningKey::parse(&sk.to_text()).unwrap();
    assert_eq!(again.verifier(), sk.verifier());
    let vk = VerifierKey::parse(&sk.verifier().to_string()).unwrap();
    assert_eq!(vk, sk.verifier());
    let other = SigningKey::generate("custody.example/log").unwrap();
    assert_ne!(other.verifier(), sk.verifier());
}

fn log_key() -> SigningKey {
    SigningKey::from_seed("custody.example/log", &[42u8; 32]).expect("valid key name")
}

#[test]
fn checkpoint_round_trip() {
    let sk = log_key();
    let leaves: Vec<_> = (0u8..5).map(|i| leaf_hash(&[i])).collect();
    let r = root(&leaves);
    let body = checkpoint_body("custody.example/log", 5, &r).unwrap();
    assert_eq!(body.lines().count(), 3);
    assert!(body.starts_with("custody.example/log\n5\n"));
    let note = sk.sign_checkpoint("custody.example/log", 5, &r).unwrap();
    assert!(note.starts_with(&body));
    assert!(note[body.len()..].starts_with("\n— custody.example/log "));
    let cp = verify_checkpoint(&note, &sk.verifier()).unwrap();
    assert_eq!((cp.origin.as_str(), cp.size, cp.root, cp.extensions.len()), ("custody.example/log", 5, r, 0));
    // Size 0 is a valid checkpoint of the empty tree.
    let empty = sk.sign_checkpoint("custody.example/log", 0, &root(&[])).unwrap();
    assert_eq!(verify_checkpoint(&empty, &sk.verifier()).unwrap().size, 0);
}

#[test]
fn wrong_key_is_rejected() {
    let note = log_key().sign_checkpoint("custody.example/log", 1, &leaf_hash(b"x")).unwrap();
    // Same name, other key: different key ID, so the signature is someone else's.
    let other = SigningKey::from_seed("custody.example/log", &[43u8; 32]).unwrap();
    assert!(matches!(verify_checkpoint(&note, &other.verifier()), Err(NoteError::NotSigned { .. })));
    let go = VerifierKey::parse(GO_VKEY).unwrap();
    assert!(matches!(verify_checkpoint(&note, &go), Err(NoteError::NotSigned { .. })));
}

#[test]
fn altered_body_is_rejected() {
    let sk = log_key();
    let vk = sk.verifier();
    let r = leaf_hash(b"x");
    let note = sk.sign_checkpoint("custody.example/log", 10, &r).unwrap();
    let split = note.find("\n\n").unwrap();
    // Flip a low and a high bit of every byte of the text, one at a time: never accepted.
    for i in 0..=split {
        for bit in [0, 5] {
            let mut b = note.clone().into_bytes();
            b[i] ^= 1 << bit;
            if let Ok(s) = String::from_utf8(b) {
                assert!(verify_checkpoint(&s, &vk).is_err(), "byte {i} bit {bit}");
            }
        }
    }
    // And every byte of the signature line.
    for i in split + 2..note.len() {
        let mut b = note.clone().into_bytes();
        b[i] ^= 0x01;
        if let Ok(s) = String::from_utf8(b) {
            assert!(verify_checkpoint(&s, &vk).is_err(), "byte {i}");
        }
    }
    // A text change with a signature that is a valid line but for other text.
    let other = sk.sign_checkpoint("custody.example/log", 11, &r).unwrap();
    let forged = format!("{}{}", &other[..other.find("\n\n").unwrap() + 1], &note[split + 1..]);
    assert!(matches!(verify_checkpoint(&forged, &vk), Err(NoteError::BadSignature { .. })));
}

#[test]
fn malformed_notes_are_rejected() {
    let sk = log_key();
    let vk = sk.verifier();
    let r = leaf_hash(b"x");
    let good = sk.sign_checkpoint("custody.example/log", 3, &r).unwrap();
    let split = good.find("\n\n").unwrap();
    let (text, sig_line) = (&good[..split + 1], &good[split + 2..]);
    let sig_b64 = sig_line.trim_end().rsplit(' ').next().unwrap();
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("no signatures", text.to_owned()),
        ("no blank line", format!("{text}{sig_line}")),
        ("blank line but no signature", format!("{text}\n")),
        ("no final newline", good.trim_end_matches('\n').to_owned()),
        ("hyphen instead of em dash", good.replace('—', "-")),
        ("two spaces after the dash", good.replace("— ", "—  ")),
        ("no space before signature", good.replace(&format!("log {sig_b64}"), &format!("log{sig_b64}"))),
        ("bad base64", good.replace(sig_b64, "!!!!")),
        ("short signature", good.replace(sig_b64, "AAAA")),
        ("truncated signature", good.replace(sig_b64, &sig_b64[..sig_b64.len() - 4])),
        ("extra blank line in signatures", format!("{good}\n")),
        ("CR line ending", good.replace('\n', "\r\n")),
        ("control character", good.replacen("custody", "cus\u{1}tody", 1)),
        ("trailing garbage line", format!("{good}garbage\n")),
        ("leading zero size", good.replacen("\n3\n", "\n03\n", 1)),
        ("plus sign size", good.replacen("\n3\n", "\n+3\n", 1)),
        ("negative size", good.replacen("\n3\n", "\n-3\n", 1)),
        ("too large", format!("{}\n\n{}", "a".repeat(MAX_NOTE_BYTES), sig_line)),
    ];
    for (what, note) in cases {
        assert!(verify_checkpoint(&note, &vk).is_err(), "{what} accepted");
    }
    // Too many signature lines, even if valid.
    let many = format!("{text}\n{}", sig_line.repeat(MAX_SIGNATURES + 1));
    assert_eq!(verify_checkpoint(&many, &vk), Err(NoteError::TooManySignatures));
    // Up to the limit, repeated valid signatures are fine.
    let ok = format!("{text}\n{}", sig_line.repeat(MAX_SIGNATURES));
    assert!(verify_checkpoint(&ok, &vk).is_ok());
}

#[test]
fn unknown_signers_are_ignored_and_known_bad_ones_fail() {
    let sk = log_key();
    let vk = sk.verifier();
    let text = checkpoint_body("custody.example/log", 1, &leaf_hash(b"x")).unwrap();
    let ours = sk.sign_note(&text).unwrap();
    let witness = SigningKey::from_seed("witness.example", &[9u8; 32]).unwrap().sign_note(&text).unwrap();
    let witness_line = &witness[text.len() + 1..];
    let ours_line = &ours[text.len() + 1..];
    // Cosigned: ours + a witness line (in either order) verifies with our key.
    assert!(verify_checkpoint(&format!("{text}\n{witness_line}{ours_line}"), &vk).is_ok());
    assert!(verify_checkpoint(&format!("{text}\n{ours_line}{witness_line}"), &vk).is_ok());
    // Only the witness: not signed by us.
    assert!(matches!(verify_checkpoint(&witness, &vk), Err(NoteError::NotSigned { .. })));
    // A second line claiming our key with a bad signature: rejected even after a good one.
    let b64 = ours_line.trim_end().rsplit(' ').next().unwrap();
    let mut raw = STANDARD.decode(b64).unwrap();
    raw[10] ^= 1; // inside the signature, after the 4-byte key ID
    let bad_line = ours_line.replace(b64, &STANDARD.encode(&raw));
    assert!(verify_checkpoint(&format!("{text}\n{ours_line}{bad_line}"), &vk).is_err());
}

#[test]
fn checkpoint_bodies_are_parsed_strictly() {
    let r = leaf_hash(b"x");
    let body = checkpoint_body("o", 7, &r).unwrap();
    assert_eq!(parse_checkpoint_body(&body).unwrap().size, 7);
    let with_ext = format!("{body}ext one\next two\n");
    assert_eq!(parse_checkpoint_body(&with_ext).unwrap().extensions, vec!["ext one", "ext two"]);
    for bad in [
        "".to_owned(),
        "o\n7\n".to_owned(),
        body.trim_end().to_owned(),
        format!("\n{}", &body[2..]),
        body.replace("\n7\n", "\n\n"),
        body.replace("\n7\n", "\n 7\n"),
        body.replace("\n7\n", "\n18446744073709551616\n"),
        body.replace('=', ""),
        format!("{body}\n"),
        format!("o\n7\n{}\n", "AAAA"),
    ] {
        assert!(parse_checkpoint_body(&bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        parse_checkpoint_body("o\n18446744073709551615\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").unwrap().size,
        u64::MAX
    );
    assert!(checkpoint_body("", 1, &r).is_err());
    assert!(checkpoint_body("a\nb", 1, &r).is_err());
    assert!(log_key().sign_note("no newline").is_err());
    assert!(log_key().sign_note("tab\there\n").is_err());
}

#[test]
fn arbitrary_bytes_never_panic() {
    let vk = log_key().verifier();
    let good = log_key().sign_checkpoint("custody.example/log", 3, &leaf_hash(b"x")).unwrap();
    let mut x: u64 = 88172645463325252;
    for _ in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut b = good.clone().into_bytes();
        let n = (x % 4) as usize + 1;
        for k in 0..n {
            let pos = ((x >> (8 * k)) as usize) % b.len();
            b[pos] = (x >> (16 + k)) as u8;
        }
        let cut = ((x >> 40) as usize) % (b.len() + 1);
        b.truncate(cut.max(b.len() / 2));
        let s = String::from_utf8_lossy(&b);
        let _ = verify_checkpoint(&s, &vk);
        let _ = VerifierKey::parse(&s);
        let _ = SigningKey::parse(&s);
    }
}
