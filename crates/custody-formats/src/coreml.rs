//! Core ML `.mlmodel` (apple/coremltools `mlmodel/format/Model.proto`): protobuf `Model` with
//! 1 `specificationVersion`, 2 `description` (ModelDescription: 1 `input`, 10 `output`,
//! 100 `metadata`: 1 `shortDescription`, 2 `versionString`, 3 `author`, 4 `license`,
//! 100 `userDefined` map), 10 `isUpdatable`, and one model-type field (200 pipeline
//! classifier … 500 `neuralNetwork`, 502 `mlProgram`, 555 `customModel`, …). It starts with
//! `0x08` like ONNX and has no signature, so it is only claimed via the extension.

use crate::proto::{Fields, ProtoError};
use crate::util::{Sink, off};
use crate::{ModelMeta, limits, meta_string};

fn model_type(n: u64) -> Option<(&'static str, Option<&'static str>)> {
    Some(match n {
        200 => ("pipelineClassifier", None),
        201 => ("pipelineRegressor", None),
        202 => ("pipeline", None),
        300 => ("glmRegressor", None),
        301 => ("supportVectorRegressor", None),
        302 => ("treeEnsembleRegressor", None),
        303 => ("neuralNetworkRegressor", None),
        304 => ("bayesianProbitRegressor", None),
        400 => ("glmClassifier", None),
        401 => ("supportVectorClassifier", None),
        402 => ("treeEnsembleClassifier", None),
        403 => ("neuralNetworkClassifier", None),
        404 => ("kNearestNeighborsClassifier", None),
        500 => ("neuralNetwork", None),
        501 => ("itemSimilarityRecommender", None),
        502 => ("mlProgram", None),
        555 => ("customModel", None),
        556 => ("linkedModel", None),
        560 => ("classConfidenceThresholding", None),
        600 => ("oneHotEncoder", None),
        601 => ("imputer", None),
        602 => ("featureVectorizer", None),
        603 => ("dictVectorizer", None),
        604 => ("scaler", None),
        606 => ("categoricalMapping", None),
        607 => ("normalizer", None),
        609 => ("arrayFeatureExtractor", None),
        610 => ("nonMaximumSuppression", None),
        900 => ("identity", None),
        2000 => ("textClassifier", Some("text")),
        2001 => ("wordTagger", Some("text")),
        2002 => ("visionFeaturePrint", Some("vision")),
        2003 => ("soundAnalysisPreprocessing", Some("audio")),
        2004 => ("gazetteer", Some("text")),
        2005 => ("wordEmbedding", Some("text")),
        2006 => ("audioFeaturePrint", Some("audio")),
        3000 => ("serializedModel", None),
        _ => return None,
    })
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    if let Err(e) = model(b, meta) {
        sink.malformed(format!("protobuf: {}", e.message), off(e.at));
    }
    if meta.format_version.is_none() {
        sink.malformed("no specificationVersion: not a Core ML model", 0);
    }
}

fn model(b: &[u8], meta: &mut ModelMeta) -> Result<(), ProtoError> {
    for f in Fields::new(b, 0) {
        let f = f?;
        match f.num {
            1 => meta.format_version = Some(f.varint("specificationVersion")?.to_string()),
            2 => description(f.bytes("description")?, f.value_at, meta)?,
            10 => meta.set_extra("is_updatable", (f.varint("isUpdatable")? != 0).to_string()),
            n => {
                if let Some((name, modality)) = model_type(n) {
                    meta.architecture = Some(name.to_string());
                    if let Some(m) = modality {
                        meta.modalities.insert(m.to_string());
                    }
                }
            }
        }
    }
    Ok(())
}

fn description(b: &[u8], base: usize, meta: &mut ModelMeta) -> Result<(), ProtoError> {
    let (mut inputs, mut outputs) = (0u64, 0u64);
    for f in Fields::new(b, base) {
        let f = f?;
        match f.num {
            1 => inputs += 1,
            10 => outputs += 1,
            100 => {
                let mut kept = 0;
                for m in Fields::new(f.bytes("metadata")?, f.value_at) {
                    let m = m?;
                    match m.num {
                        1 => meta.set_extra("short_description", m.string("shortDescription")?),
                        2 => meta.set_extra("version", m.string("versionString")?),
                        3 => meta.set_extra("author", m.string("author")?),
                        4 => meta.license = Some(meta_string(&m.string("license")?)),
                        100 => {
                            let (mut k, mut v) = (String::new(), String::new());
                            for e in Fields::new(m.bytes("userDefined")?, m.value_at) {
                                let e = e?;
                                match e.num {
                                    1 => k = e.string("key")?,
                                    2 => v = e.string("value")?,
                                    _ => {}
                                }
                            }
                            if k == "com.github.apple.coremltools.version" {
                                meta.producer = Some(meta_string(&format!("coremltools {v}")));
                            }
                            if kept < limits::MAX_EXTRA_ENTRIES {
                                kept += 1;
                                meta.set_extra(format!("metadata.{}", crate::util::cap(&k, 128)), v);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    meta.set_extra("inputs", inputs.to_string());
    meta.set_extra("outputs", outputs.to_string());
    Ok(())
}
