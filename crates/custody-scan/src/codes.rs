//! The rule codes custody-scan emits, each with its documentation, and [`RULES`]: every code of
//! every crate that emits findings, in the order `custody rules` and docs/rules.md list them.
//! Adding a rule is adding its line to the table of the crate that emits it (here, in
//! `custody_formats::FmtCode` or `custody_modelsec::codes`), a fixture and a test.

use custody_core::Registry;
pub use custody_formats::FmtCode;
pub use custody_modelsec::codes::ModelCode;

/// Every rule custody knows: the tables of the crates that emit findings.
pub const RULES: Registry =
    Registry(&[WalkCode::RULES, FmtCode::RULES, TextCode::RULES, InvCode::RULES, ModelCode::RULES]);

custody_core::rules! {
    /// Codes of the walk and of classifying a file by content and name.
    pub enum WalkCode {
        Unreadable = "CUS-WALK-001", Medium, "File could not be read",
            "An asset custody cannot read cannot be inventoried or checked, so the inventory is incomplete (5.2.1-1).",
            "Give the scanning user read access, or exclude the path deliberately with --exclude.";
        BrokenLink = "CUS-WALK-002", Low, "Broken symbolic link",
            "A link whose target is gone often points at a model or dataset that moved; code that loads it will fail or load something else.",
            "Remove the link or restore its target.";
        LinkOutside = "CUS-WALK-003", Medium, "Symbolic link leaves the scanned tree",
            "custody never follows links out of the root, so whatever the link points at is not inventoried.",
            "Scan the target directly, or replace the link with the content.";
        LinkLoop = "CUS-WALK-004", Low, "Symbolic link loop",
            "A loop makes tools that follow links run forever or fail.",
            "Remove one of the links that form the loop.";
        Changed = "CUS-WALK-005", Low, "File vanished or changed during the scan",
            "The inventory entry for this path reflects neither the old nor the new state.",
            "Scan again when the tree is not being written to.";
        NonUtf8Name = "CUS-WALK-006", Low, "File name is not valid UTF-8",
            "Names that are not UTF-8 display differently across tools and can hide files from review.",
            "Rename the file to a UTF-8 name.";
        SpecialFile = "CUS-WALK-007", Medium, "Special file not read",
            "A FIFO, socket or device file in the tree is never opened (reading a FIFO blocks, a device can be endless), so whatever a program would read from it under a model's name is not inventoried or checked.",
            "Replace it with a regular file, or exclude the path deliberately with --exclude.";
        ExtensionMismatch = "CUS-CLS-001", Medium, "File extension does not match its content",
            "A model saved under another format's extension gets loaded by the wrong loader or slips past extension-based checks (for example a pickle named .safetensors).",
            "Rename the file to match its real format, and find out why it was mislabelled.";
    }
}

custody_core::rules! {
    /// Codes of AI use found in source and configuration text.
    pub enum TextCode {
        Credential = "CUS-SEC-001", High, "Hard-coded AI service credential",
            "An API key in source code is exposed to everyone with read access to the code and its history.",
            "Revoke the key, load it from a secret store or environment variable, and purge it from history.";
        UnpinnedDownload = "CUS-HUB-001", Medium, "Model or dataset downloaded from a hub without a pinned revision",
            "Without a commit hash the content can change under you at any time, including into a malicious version (5.2.3-1).",
            "Pass revision=<commit sha> to from_pretrained / hf_hub_download / load_dataset.";
    }
}

custody_core::rules! {
    /// Codes of reconciling the scan with the declared inventory.
    pub enum InvCode {
        Unregistered = "CUS-INV-001", High, "Shadow AI: AI asset or service in use but not registered",
            "Provision 5.2.1-1 asks for a complete inventory; an asset no system declares is one nobody is accountable for.",
            "Register it with a system in custody.toml (or `custody register`), or remove it.";
        Missing = "CUS-INV-002", Medium, "Registered AI asset not found",
            "A system declares an asset the scan did not find: the inventory and reality disagree.",
            "Correct the registration, or find out where the asset went.";
    }
}

/// Findings read back from text with their codes matched to their rules; a code no crate
/// declares (written by another custody) stays visible as text with its recorded severity.
pub fn resolve(findings: &mut [custody_core::Finding]) {
    for f in findings {
        let code = std::mem::replace(&mut f.code, custody_core::Code::Text("".into()));
        f.code = RULES.resolve(code);
    }
}

/// `Deserialize` for a list of findings, resolved by [`resolve`].
pub fn deserialize_findings<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<custody_core::Finding>, D::Error> {
    let mut v: Vec<custody_core::Finding> = serde::Deserialize::deserialize(d)?;
    resolve(&mut v);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_documented_and_codes_are_unique_across_crates() {
        let all: Vec<custody_core::Rule> = RULES.rules().copied().collect();
        custody_core::check_rules(&all).unwrap();
        assert_eq!(all.len(), 58);
        assert!(RULES.get("CUS-PKL-001").is_some() && RULES.get("CUS-XYZ-001").is_none());
    }

    #[test]
    fn cached_findings_come_back_typed_and_unknown_codes_stay_visible() {
        let json = r#"{"findings":[
            {"code":"CUS-WALK-002","severity":"low","message":"m","location":{"path":"a"}},
            {"code":"CUS-XYZ-009","severity":"critical","message":"n","location":{"path":"b"}}]}"#;
        let r: crate::FileResult = serde_json::from_str(json).unwrap();
        assert_eq!(r.findings[0].code.rule(), Some(custody_core::RuleCode::rule(WalkCode::BrokenLink)));
        assert_eq!(r.findings[1].code.as_str(), "CUS-XYZ-009");
        assert_eq!((r.findings[1].code.rule(), r.findings[1].severity), (None, custody_core::Severity::Critical));
    }
}
