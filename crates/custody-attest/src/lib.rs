//! Integrity for AI models in the OpenSSF model-signing format (v1.0 predicate).
//!
//! - [`hashing`]: enumerate and hash a model directory or file exactly as the reference
//!   `model_signing` does (files or shards, SHA-256 by default, BLAKE3 optional), in parallel,
//!   with streamed reads and bounded memory.
//! - [`manifest`]: resources, serialization, canonical order, the in-toto statement.
//! - [`dsse`], [`bundle`], [`keys`]: the DSSE PAE, the Sigstore bundle v0.3 JSON, ECDSA P-256
//!   keys in PEM.
//! - [`verify`]: signature check (public key or X.509 chain, see [`x509`]), then every file,
//!   with a report of what was added, removed or modified.
//! - [`sign`]: signing with incremental reuse of unchanged files' digests.
//! - [`snapshot`]: a content-addressed object store, snapshots and byte-exact restore.
//!
//! Nothing here prints or decides exit codes; the binary does.

pub mod bundle;
mod claim;
pub mod dsse;
mod error;
pub mod fsutil;
pub mod hashing;
pub mod keys;
pub mod manifest;
pub mod sign;
pub mod snapshot;
pub mod verify;
pub mod x509;

pub use bundle::{Bundle, Material};
pub use error::{AttestError, Result};
pub use hashing::{FileStat, HashStats, IgnoreSet};
pub use keys::{PrivateKey, PublicKey};
pub use manifest::{DEFAULT_SHARD_SIZE, HashAlg, Manifest, Method, Resource, Serialization};
pub use sign::{CacheUse, SignOptions, Signed};
pub use snapshot::{ObjectStore, SnapshotFile};
pub use verify::{Change, Difference, ShardChange, SignatureStatus, Trust, VerifyReport};
