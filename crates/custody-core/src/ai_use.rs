//! A use of AI found in code or configuration: an SDK import, a dependency, an endpoint, an
//! environment variable, a model id, a hub download, a (masked) credential, a path to an asset.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AiUse {
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// `sdk`, `dependency`, `endpoint`, `env-var`, `model-id`, `hub-download`, `credential`, `path-literal`.
    pub kind: String,
    pub provider: Option<String>,
    pub category: String,
    /// Package, host, variable, model id, repo id, masked credential or path.
    pub name: String,
    pub detail: Option<String>,
    pub pinned: Option<bool>,
}
