//! What kind of AI asset a file or directory is: decided by the scanner, kept by the store,
//! judged by the assessment, one type throughout.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of AI asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    #[default]
    Model,
    Adapter,
    Dataset,
    Prompt,
    ChatTemplate,
    VectorStore,
}

impl AssetKind {
    pub const ALL: [AssetKind; 6] = [
        AssetKind::Model,
        AssetKind::Adapter,
        AssetKind::Dataset,
        AssetKind::Prompt,
        AssetKind::ChatTemplate,
        AssetKind::VectorStore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Model => "model",
            AssetKind::Adapter => "adapter",
            AssetKind::Dataset => "dataset",
            AssetKind::Prompt => "prompt",
            AssetKind::ChatTemplate => "chat-template",
            AssetKind::VectorStore => "vector-store",
        }
    }

    pub fn parse(s: &str) -> Result<AssetKind, String> {
        AssetKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            format!("`{s}` is not an asset kind (model, adapter, dataset, prompt, chat-template, vector-store)")
        })
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for k in AssetKind::ALL {
            assert_eq!(AssetKind::parse(k.as_str()), Ok(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::json!(k.as_str())));
        }
        assert!(AssetKind::parse("weights").is_err());
    }
}
