//! The client side of the C2SP tlog-witness protocol (<https://c2sp.org/tlog-witness>).
//!
//! `POST <witness>/add-checkpoint` with the body
//!
//! ```text
//! old <size the witness last saw>\n
//! <base64 consistency proof hash>\n   (zero or more)
//! \n
//! <the signed checkpoint note>
//! ```
//!
//! A witness answers 200 with its cosignature lines, 409 with the size it has seen (body
//! `text/x.tlog.size`) when `old` is not that size, 404 for a log it does not know, 403 when the
//! log's signature does not verify, 422 when the proof does not, 400 for a malformed request.
//! This crate only speaks the protocol; the caller computes proofs and checks cosignatures.

use base64::Engine as _;
use std::io::Read as _;
use std::time::Duration;

/// Longest response read.
const MAX_RESPONSE: u64 = 64 * 1024;

/// What a witness said to a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// It cosigned: its signature lines.
    Cosigned(String),
    /// It has seen a tree of this size for the log, not the `old` size given: resubmit with a
    /// consistency proof from it (or, if it is larger than the log, the log went back).
    Conflict(u64),
}

#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    #[error("{url}: {detail}")]
    Transport { url: String, detail: String },
    #[error("{url} answered {status}: {meaning}{body}")]
    Refused { url: String, status: u16, meaning: &'static str, body: String },
    #[error("{url}: the answer is malformed: {detail}")]
    Malformed { url: String, detail: String },
}

/// The request body for `old`, `proof` and `checkpoint`.
pub fn request_body(old: u64, proof: &[[u8; 32]], checkpoint: &str) -> String {
    let mut body = format!("old {old}\n");
    for h in proof {
        body.push_str(&base64::engine::general_purpose::STANDARD.encode(h));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(checkpoint);
    body
}

/// Submits `checkpoint` to the witness at `base` (its URL prefix; `/add-checkpoint` is added).
pub fn add_checkpoint(
    base: &str,
    old: u64,
    proof: &[[u8; 32]],
    checkpoint: &str,
    timeout: Duration,
) -> Result<Added, WitnessError> {
    let url = format!("{}/add-checkpoint", base.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let transport = |e: ureq::Error| WitnessError::Transport { url: url.clone(), detail: e.to_string() };
    let mut resp = agent
        .post(&url)
        .header("Content-Type", "text/plain; charset=utf-8")
        .send(request_body(old, proof, checkpoint).as_bytes())
        .map_err(transport)?;
    let status = resp.status().as_u16();
    let mut text = String::new();
    resp.body_mut()
        .as_reader()
        .take(MAX_RESPONSE)
        .read_to_string(&mut text)
        .map_err(|e| WitnessError::Transport { url: url.clone(), detail: e.to_string() })?;
    match status {
        200 => {
            if text.lines().all(|l| l.starts_with("\u{2014} ")) && !text.trim().is_empty() {
                Ok(Added::Cosigned(if text.ends_with('\n') { text } else { text + "\n" }))
            } else {
                Err(WitnessError::Malformed { url, detail: "200 without cosignature lines".into() })
            }
        }
        409 => text
            .trim()
            .parse::<u64>()
            .map(Added::Conflict)
            .map_err(|_| WitnessError::Malformed { url, detail: "409 without the size it has seen".into() }),
        s => {
            let meaning = match s {
                400 => "the request is malformed",
                403 => "the log's signature does not verify with the key the witness knows",
                404 => "the witness does not know this log (give it the log's verifier key)",
                422 => "the consistency proof does not verify: the log is not an extension of what it saw",
                _ => "unexpected status",
            };
            let body: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
            let body = if body.is_empty() { body } else { format!(" ({body})") };
            Err(WitnessError::Refused { url, status: s, meaning, body })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_body_is_old_size_proof_lines_blank_line_checkpoint() {
        let b = super::request_body(3, &[[0u8; 32], [0xffu8; 32]], "o\n4\nAAAA\n\n— o x\n");
        assert_eq!(
            b,
            "old 3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n//////////////////////////////////////////8=\n\no\n4\nAAAA\n\n— o x\n"
        );
        assert_eq!(super::request_body(0, &[], "c\n"), "old 0\n\nc\n");
    }
}
