//! Sentence embeddings of titles and leads with the base encoder (all-MiniLM-L6-v2 is a
//! sentence-embedding model: mean of its token vectors, L2-normalised).

use std::collections::BTreeMap;
use std::path::Path;

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use rayon::prelude::*;

use crate::stance::arch::{Encoder, Mode};
use crate::stance::encoding::{EncodedInput, Pooling, TargetEncoder, TargetMarking};
use crate::stance::onnx::{GraphOutput, Precision, Sessions};
use crate::stance::{ModelDir, StanceError};

/// Word pieces per text, as the model was trained (sentence-transformers' 256 for MiniLM;
/// 128 holds a title and a lead).
const MAX_LENGTH: usize = 128;

/// Texts per forward pass.
const BATCH: usize = 32;

/// Where the encoder runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedBackend {
    Candle,
    /// ONNX Runtime (its library must be found), at this precision.
    Ort(Precision),
}

impl EmbedBackend {
    /// `candle`, `ort-f32` or `ort-int8` (as `--backend` names them).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "candle" => Some(EmbedBackend::Candle),
            "ort-f32" => Some(EmbedBackend::Ort(Precision::F32)),
            "ort-int8" => Some(EmbedBackend::Ort(Precision::Int8)),
            _ => None,
        }
    }

    /// e.g. `candle-f32`, `onnxruntime-int8`, for run.json.
    pub fn name(self) -> String {
        match self {
            EmbedBackend::Candle => "candle-f32".into(),
            EmbedBackend::Ort(p) => format!("onnxruntime-{}", p.name()),
        }
    }
}

enum Network {
    Candle(Encoder),
    Ort { sessions: Sessions, hidden: usize },
}

pub struct Embedder {
    network: Network,
    encoder: TargetEncoder,
    /// The weights file's sha256, for run.json.
    pub weights_sha256: String,
    pub backend: EmbedBackend,
}

impl Embedder {
    /// The encoder of the model directory `dir` on `backend` (`threads` ONNX Runtime
    /// sessions; candle uses rayon's pool).
    pub fn load(dir: &Path, backend: EmbedBackend, threads: usize) -> Result<Self, StanceError> {
        let model = ModelDir::open(dir, None)?;
        let encoder = model.target_encoder(TargetMarking {
            markers: None,
            pooling: Pooling::MentionMean,
            max_length: MAX_LENGTH,
        })?;
        let network = match backend {
            EmbedBackend::Candle => {
                let vb = VarBuilder::from_tensors(model.tensors.clone(), DType::F32, &Device::Cpu);
                Network::Candle(Encoder::load(&model.encoder, vb)?)
            }
            EmbedBackend::Ort(precision) => Network::Ort {
                sessions: Sessions::open(
                    &model,
                    precision,
                    &format!("sentence encoder ({})", model.weights_sha256),
                    GraphOutput::Pooled,
                    threads,
                )?,
                hidden: model.encoder.hidden_size(),
            },
        };
        Ok(Self {
            network,
            encoder,
            weights_sha256: model.weights_sha256,
            backend,
        })
    }

    /// One normalised vector per text. Texts are batched only with texts of the same length
    /// in word pieces, so nothing is padded and a vector never depends on which texts were
    /// embedded beside it.
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, StanceError> {
        let inputs: Vec<Option<EncodedInput>> = texts
            .par_iter()
            .map(|text| {
                let text = text.trim();
                if text.is_empty() {
                    return Ok(None);
                }
                // The whole text is the one "target": its mean is the sentence embedding.
                let whole = 0..text.len();
                Ok(self
                    .encoder
                    .encode(text, std::slice::from_ref(&whole))?
                    .into_iter()
                    .next())
            })
            .collect::<Result<_, StanceError>>()?;
        let mut by_length: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, input) in inputs.iter().enumerate() {
            if let Some(input) = input {
                by_length.entry(input.ids.len()).or_default().push(i);
            }
        }
        let batches: Vec<&[usize]> = by_length
            .values()
            .flat_map(|members| members.chunks(BATCH))
            .collect();
        let vectors: Vec<Vec<(usize, Vec<f32>)>> = batches
            .par_iter()
            .map(|members| {
                let batch: Vec<&EncodedInput> =
                    members.iter().filter_map(|&i| inputs[i].as_ref()).collect();
                let rows = self.embed_batch(&batch)?;
                Ok(members.iter().copied().zip(rows).collect())
            })
            .collect::<Result<_, StanceError>>()?;
        let mut out = vec![Vec::new(); texts.len()];
        for (i, v) in vectors.into_iter().flatten() {
            out[i] = v;
        }
        Ok(out)
    }

    /// The embeddings of `texts`' titles and leads (`StoryText::embedded_text`).
    pub fn embed_all(&self, texts: &[super::StoryText]) -> Result<Vec<Vec<f32>>, StanceError> {
        let joined: Vec<String> = texts.par_iter().map(|t| t.embedded_text()).collect();
        self.embed(&joined)
    }

    /// Each input's mean token vector, normalised.
    fn embed_batch(&self, inputs: &[&EncodedInput]) -> Result<Vec<Vec<f32>>, StanceError> {
        let pooled: Vec<Vec<f32>> = match &self.network {
            Network::Candle(network) => {
                let batch = self.encoder.batch(inputs, &Device::Cpu)?;
                let hidden =
                    network.forward(&batch.input_ids, &batch.attention_mask, &mut Mode::Infer)?;
                // (rows, 1, seq) x (rows, seq, hidden): each row's mean over its own tokens.
                batch
                    .pool_weights
                    .unsqueeze(1)?
                    .matmul(&hidden.index_select(&batch.input_of, 0)?)?
                    .squeeze(1)?
                    .to_vec2::<f32>()?
            }
            Network::Ort { sessions, hidden } => sessions
                .run(self.encoder.pad(inputs), *hidden)?
                .chunks(*hidden)
                .map(<[f32]>::to_vec)
                .collect(),
        };
        Ok(pooled.into_iter().map(normalised).collect())
    }
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// The dot product of two normalised vectors (0 when either is empty).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x * y) as f64).sum()
}
