//! Target-dependent stance: how a sentence frames one actor mention.
//!
//! `StanceModel` is the interface the pipeline sees; `Classifier` is the candle
//! implementation over any encoder of `arch`, `onnx` the ONNX Runtime one. Training, evaluation, metrics and baselines live beside it.

pub mod arch;
pub mod backend;
pub mod baseline;
pub mod calibrate;
pub mod card;
pub mod data;
pub mod dropout;
pub mod encoding;
pub mod ensemble;
pub mod eval;
pub mod int8_check;
pub mod metrics;
pub mod model;
pub mod onnx;
pub mod optim;
pub mod train;

use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::util::IoError;

pub use card::ModelDir;
pub use model::Classifier;

/// The three framing classes, in the order of the model's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Negative = 0,
    Neutral = 1,
    Positive = 2,
}

impl Label {
    pub const ALL: [Label; 3] = [Label::Negative, Label::Neutral, Label::Positive];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
        }
    }
}

/// Class probabilities for one mention.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Stance {
    pub negative: f32,
    pub neutral: f32,
    pub positive: f32,
}

impl Stance {
    /// s = P(positive) - P(negative), in [-1, 1].
    pub fn score(&self) -> f32 {
        self.positive - self.negative
    }

    /// The class-wise mean of `stances` (all zero for none): an ensemble's members, or one
    /// target's several mentions.
    pub fn mean(stances: &[Stance]) -> Stance {
        let n = stances.len().max(1) as f32;
        let sum = |class: fn(&Stance) -> f32| stances.iter().map(class).sum::<f32>() / n;
        Stance {
            negative: sum(|s| s.negative),
            neutral: sum(|s| s.neutral),
            positive: sum(|s| s.positive),
        }
    }

    pub fn label(&self) -> Label {
        let p = [self.negative, self.neutral, self.positive];
        let mut best = 0;
        for i in 1..3 {
            if p[i] > p[best] {
                best = i;
            }
        }
        Label::ALL[best]
    }
}

/// A sentence and the byte spans of the mentions to score in it.
#[derive(Debug, Clone)]
pub struct SentenceTargets<'a> {
    pub text: &'a str,
    pub spans: Vec<Range<usize>>,
}

/// Scores mentions in context. Returns, for each sentence, one `Stance` per span, in order.
pub trait StanceModel: Send + Sync {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError>;
}

#[derive(Debug, thiserror::Error)]
pub enum StanceError {
    #[error("{path}: missing (a model directory needs {needs})")]
    MissingFile { path: PathBuf, needs: &'static str },
    #[error("{path}: sha256 is {actual}, expected {expected}")]
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(
        "no `{name}` stance model: none of {looked} holds one; \
         pass --model DIR (or set SLANT_MODEL=DIR)"
    )]
    NoShippedModel { name: &'static str, looked: String },
    #[error(
        "{model}: its weights are stored over the base encoder {base}, which is not in \
         slant's cache; run `slant fetch --base {fetch_name}`"
    )]
    MissingBase {
        model: PathBuf,
        base: String,
        fetch_name: &'static str,
    },
    #[error("model configuration: {0}")]
    Config(String),
    #[error("tokenizer: {0}")]
    Tokenize(String),
    #[error("mention span: {0}")]
    Span(String),
    #[error("{file}:{line}: {message}")]
    Data {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error("ONNX Runtime: {0}")]
    Runtime(String),
    #[error("tensor computation: {0}")]
    Tensor(#[from] candle_core::Error),
}
