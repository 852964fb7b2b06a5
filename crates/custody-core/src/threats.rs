//! AI threats (our catalogue, with indicative MITRE ATLAS and OWASP LLM Top 10 mappings) and the
//! facts about a system that make each one apply (5.1.3-1, 5.1.3-1.1, 5.1.3-1.2).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Threat {
    pub id: &'static str,
    pub name: &'static str,
    pub atlas: &'static str,
    pub owasp_llm: &'static str,
    pub summary: &'static str,
}

/// The threats custody derives. ATLAS ids are indicative (see research notes); check them
/// against a current ATLAS release before relying on them.
pub const THREATS: &[Threat] = &[
    Threat {
        id: "data-poisoning",
        name: "Data poisoning",
        atlas: "AML.T0020",
        owasp_llm: "LLM04",
        summary: "Manipulated training or fine-tuning data plants behaviour in the model.",
    },
    Threat {
        id: "backdoor",
        name: "Backdoors and model obfuscation",
        atlas: "AML.T0018",
        owasp_llm: "LLM04",
        summary: "A third-party model carries hidden behaviour triggered by specific inputs.",
    },
    Threat {
        id: "supply-chain",
        name: "Supply-chain compromise",
        atlas: "AML.T0010",
        owasp_llm: "LLM03",
        summary: "A downloaded model, dataset or library is malicious or replaced (pickle code execution, unpinned revisions).",
    },
    Threat {
        id: "prompt-injection",
        name: "Direct prompt injection",
        atlas: "AML.T0051.000",
        owasp_llm: "LLM01",
        summary: "Users craft inputs that override the system's instructions.",
    },
    Threat {
        id: "indirect-prompt-injection",
        name: "Indirect prompt injection",
        atlas: "AML.T0051.001",
        owasp_llm: "LLM01",
        summary: "Instructions hidden in retrieved documents or tool output steer the model.",
    },
    Threat {
        id: "prompt-leakage",
        name: "System prompt leakage",
        atlas: "AML.T0056",
        owasp_llm: "LLM07",
        summary: "The system prompt or configuration is extracted through outputs.",
    },
    Threat {
        id: "model-extraction",
        name: "Model extraction",
        atlas: "AML.T0024.002",
        owasp_llm: "LLM10",
        summary: "Repeated queries through an API reconstruct the model.",
    },
    Threat {
        id: "api-poisoning",
        name: "Poisoning through the API",
        atlas: "AML.T0020",
        owasp_llm: "LLM04",
        summary: "Feedback or inputs sent through an exposed API flow back into training.",
    },
    Threat {
        id: "membership-inference",
        name: "Membership inference",
        atlas: "AML.T0024.000",
        owasp_llm: "LLM02",
        summary: "Outputs reveal whether a person's data was in the training set.",
    },
    Threat {
        id: "model-inversion",
        name: "Model inversion",
        atlas: "AML.T0024.001",
        owasp_llm: "LLM02",
        summary: "Outputs are used to reconstruct sensitive training data.",
    },
    Threat {
        id: "evasion",
        name: "Evasion (adversarial inputs)",
        atlas: "AML.T0015",
        owasp_llm: "LLM01",
        summary: "Crafted inputs make the model misclassify or fail.",
    },
    Threat {
        id: "unused-capability",
        name: "Unused model capability",
        atlas: "-",
        owasp_llm: "LLM06",
        summary: "A model can do more than the system needs (e.g. a vision tower in a text-only system), widening the attack surface.",
    },
    Threat {
        id: "excessive-agency",
        name: "Excessive permissions",
        atlas: "-",
        owasp_llm: "LLM06",
        summary: "An agent or tool-using model holds more permissions than its task needs.",
    },
    Threat {
        id: "denial-of-service",
        name: "Denial of service and cost harvesting",
        atlas: "AML.T0029",
        owasp_llm: "LLM10",
        summary: "Floods of expensive queries exhaust capacity or budget.",
    },
];

pub fn threat(id: &str) -> Option<&'static Threat> {
    THREATS.iter().find(|t| t.id == id)
}

/// What custody knows about a system, from its registrations, the inventory and the records.
#[derive(Debug, Clone, Default)]
pub struct SystemFacts {
    pub exposed: bool,
    pub has_models: bool,
    pub uses_llm_service: bool,
    pub has_chat_template_or_prompts: bool,
    pub retrieval: bool,
    pub agent_framework: bool,
    pub third_party_models: bool,
    pub unpinned_downloads: bool,
    pub unsafe_model_findings: bool,
    pub trains_models: bool,
    pub personal_training_data: bool,
    pub extra_modalities: Vec<String>,
}

/// Each applicable threat with the facts that make it apply.
pub fn derive(f: &SystemFacts) -> Vec<(&'static Threat, String)> {
    let mut out = Vec::new();
    let mut add = |id: &str, why: String| {
        if let Some(t) = threat(id) {
            out.push((t, why));
        }
    };
    let ai = f.has_models || f.uses_llm_service;
    if f.trains_models {
        add("data-poisoning", "the organisation trains or fine-tunes models for this system".into());
    }
    if f.third_party_models {
        add("backdoor", "it uses third-party models (base models from a hub)".into());
    }
    if f.third_party_models || f.unpinned_downloads || f.unsafe_model_findings {
        let mut why = Vec::new();
        if f.third_party_models {
            why.push("third-party models");
        }
        if f.unpinned_downloads {
            why.push("hub downloads without a pinned revision");
        }
        if f.unsafe_model_findings {
            why.push("model files with unsafe or uninspectable content");
        }
        add("supply-chain", why.join(", "));
    }
    let llm = f.uses_llm_service || f.has_chat_template_or_prompts;
    if llm && f.exposed {
        add("prompt-injection", "an LLM takes input from outside the organisation".into());
    }
    if llm && f.retrieval {
        add("indirect-prompt-injection", "an LLM reads retrieved documents (vector store or RAG framework)".into());
    }
    if f.has_chat_template_or_prompts && f.exposed {
        add("prompt-leakage", "system prompts or templates sit behind an exposed interface".into());
    }
    if f.exposed && f.has_models {
        add("model-extraction", "the system's own model answers queries from outside".into());
        add("api-poisoning", "inputs from outside may feed back into training".into());
    }
    if f.personal_training_data {
        add("membership-inference", "training data includes personal data".into());
        add("model-inversion", "training data includes personal data".into());
    }
    if f.has_models {
        add("evasion", "the system makes decisions with its own models".into());
    }
    if !f.extra_modalities.is_empty() {
        add(
            "unused-capability",
            format!("models carry {} capability (check the system uses it)", f.extra_modalities.join(", ")),
        );
    }
    if f.agent_framework {
        add("excessive-agency", "an agent or orchestration framework calls tools".into());
    }
    if f.exposed && ai {
        add("denial-of-service", "AI behind an exposed interface".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(f: &SystemFacts) -> Vec<&'static str> {
        derive(f).into_iter().map(|(t, _)| t.id).collect()
    }

    #[test]
    fn exposure_and_retrieval_bring_injection_and_extraction() {
        let f = SystemFacts { exposed: true, uses_llm_service: true, retrieval: true, ..SystemFacts::default() };
        let got = ids(&f);
        assert!(
            got.contains(&"prompt-injection")
                && got.contains(&"indirect-prompt-injection")
                && got.contains(&"denial-of-service")
        );
        assert!(!got.contains(&"model-extraction"), "a hosted LLM is not our model to extract");
        let own = SystemFacts { exposed: true, has_models: true, ..SystemFacts::default() };
        assert!(ids(&own).contains(&"model-extraction"));
    }

    #[test]
    fn internal_systems_without_facts_have_few_threats() {
        assert!(ids(&SystemFacts::default()).is_empty());
        let f = SystemFacts {
            personal_training_data: true,
            extra_modalities: vec!["vision".into()],
            ..SystemFacts::default()
        };
        assert_eq!(ids(&f), vec!["membership-inference", "model-inversion", "unused-capability"]);
    }

    #[test]
    fn ids_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for t in THREATS {
            assert!(seen.insert(t.id));
        }
    }
}
