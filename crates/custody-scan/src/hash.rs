//! Streaming SHA-256 that keeps a bounded prefix of the file for metadata inspection, and notices
//! a file that changes while it is read.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

pub struct Hashed {
    pub sha256: String,
    /// Bytes actually read (differs from the expected size when the file changed).
    pub len: u64,
    /// The file's metadata when reading ended.
    pub after: std::fs::Metadata,
}

use custody_core::hex::encode as hex;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Reads `path` to the end, hashing everything, with a fixed 1 MiB buffer.
pub fn hash_file(path: &Path) -> io::Result<Hashed> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        len += n as u64;
    }
    let after = f.metadata()?;
    Ok(Hashed { sha256: hex(&h.finalize()), len, after })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").expect("write");
        let h = hash_file(&p).expect("hash");
        assert_eq!(h.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(h.len, 3);
        let big: Vec<u8> = (0..(3u32 << 20) + 17).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &big).expect("write");
        let h = hash_file(&p).expect("hash");
        assert_eq!((h.sha256, h.len), (sha256_hex(&big), big.len() as u64));
    }
}
