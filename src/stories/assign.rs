//! Where each article's story comes from: the input's story field, a story file, or
//! grouping (`--stories auto|lexical`), decided before scoring by a first pass over the
//! inputs.
//!
//! Grouping reads every record of the inputs, whatever the shard, so every shard of a run
//! computes the same stories and `slant merge` keeps them as they are. A run split over many
//! machines can group once instead (`--stories auto` on one machine, then pass its
//! articles.csv, or any `article_id,story` file, as `--stories FILE` to every shard).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::embed::{EmbedBackend, Embedder};
use super::{lexical_signatures, GroupOptions, Grouping, Signature, StoryText};
use crate::corpus::{Article, CorpusError, FieldMap, Format, Reader, Record};
use crate::stance::StanceError;
use crate::util::{sha256_hex, IoError};

/// How articles get their stories.
#[derive(Debug, Clone, PartialEq)]
pub enum StorySource {
    /// The input's story field only.
    Given,
    /// Articles without a story field are grouped: with the embeddings of a sentence
    /// encoder blended in when `encoder` is given, by words alone otherwise.
    Group {
        encoder: Option<StoryEncoder>,
        options: GroupOptions,
    },
    /// An `article_id,story` CSV file (other columns ignored); the input's field where the
    /// file does not list an article.
    File(PathBuf),
}

/// The sentence encoder for grouping: its model directory, where it runs, and ONNX
/// Runtime's session count.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryEncoder {
    pub dir: PathBuf,
    pub backend: EmbedBackend,
    pub threads: usize,
}

/// What run.json records of the stories: how they were made, and the checksum of what made
/// them (the story file, or the encoder's weights).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StoryRecord {
    /// `given`, `auto` (words and embeddings), `lexical` or `file`.
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_days: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decay: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Where the encoder ran (`candle-f32`, `onnxruntime-int8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoryError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("story encoder: {0}")]
    Encoder(#[from] StanceError),
    #[error(
        "--stories auto|lexical reads the inputs twice (a first pass groups them), and \
         standard input can be read only once: save it to a file, or give the stories as a \
         field or a --stories FILE"
    )]
    Stdin,
    #[error("{file}:{line}: {message}")]
    File {
        file: PathBuf,
        line: u64,
        message: String,
    },
}

/// The story of each article id that does not keep its own.
#[derive(Debug, Clone, Default)]
pub struct StoryMap {
    stories: HashMap<String, String>,
    /// Whether the map's story wins over the input's field (a story file) or only fills in
    /// where the field is empty (grouping).
    overrides: bool,
}

impl StoryMap {
    /// The stories of `source` for the articles of `inputs`, and what run.json records.
    pub fn build(
        source: &StorySource,
        inputs: &[(PathBuf, Format)],
        fields: &FieldMap,
    ) -> Result<(Self, StoryRecord), StoryError> {
        match source {
            StorySource::Given => Ok((
                Self::default(),
                StoryRecord {
                    method: "given".into(),
                    ..StoryRecord::default()
                },
            )),
            StorySource::File(path) => {
                let bytes = std::fs::read(path).map_err(IoError::at(path))?;
                Ok((
                    Self {
                        stories: read_story_file(path, &bytes)?,
                        overrides: true,
                    },
                    StoryRecord {
                        method: "file".into(),
                        file: Some(path.display().to_string()),
                        sha256: Some(sha256_hex(&bytes)),
                        ..StoryRecord::default()
                    },
                ))
            }
            StorySource::Group { encoder, options } => {
                if inputs.iter().any(|(path, _)| path == Path::new("-")) {
                    return Err(StoryError::Stdin);
                }
                let (ids, texts) = ungrouped(inputs, fields)?;
                let lexical = lexical_signatures(&texts);
                let (embedded, sha256, backend) = match encoder {
                    Some(e) => {
                        let embedder = Embedder::load(&e.dir, e.backend, e.threads)?;
                        (
                            Some(embedder.embed_all(&texts)?),
                            Some(embedder.weights_sha256),
                            Some(e.backend.name()),
                        )
                    }
                    None => (None, None, None),
                };
                let signature = Signature {
                    lexical: &lexical,
                    embedded: embedded.as_deref(),
                };
                let labels = Grouping::new(&texts, signature, options).labels();
                Ok((
                    Self {
                        stories: story_ids(ids, &labels),
                        overrides: false,
                    },
                    StoryRecord {
                        method: if encoder.is_some() { "auto" } else { "lexical" }.into(),
                        window_days: Some(options.window_days),
                        threshold: Some(options.threshold),
                        decay: Some(options.decay),
                        file: None,
                        sha256,
                        backend,
                    },
                ))
            }
        }
    }

    /// Gives `article` its story from this map, where the map has one for it.
    pub fn apply(&self, article: &mut Article) {
        if article.story.is_empty() || self.overrides {
            if let Some(story) = self.stories.get(&article.id) {
                article.story = story.clone();
            }
        }
    }
}

/// The ids and grouping texts of the inputs' articles that have no story field.
fn ungrouped(
    inputs: &[(PathBuf, Format)],
    fields: &FieldMap,
) -> Result<(Vec<String>, Vec<StoryText>), StoryError> {
    let mut ids = Vec::new();
    let mut texts = Vec::new();
    for record in Reader::new(inputs.to_vec(), fields.clone()) {
        if let Record::Article(a) = record? {
            if a.story.is_empty() {
                texts.push(StoryText::new(&a.date, &a.title, &a.text));
                ids.push(a.id);
            }
        }
    }
    Ok((ids, texts))
}

/// Story ids for grouped articles: `auto-N`, numbered in the input order of each group's
/// first article.
fn story_ids(ids: Vec<String>, labels: &[usize]) -> HashMap<String, String> {
    let mut number: HashMap<usize, usize> = HashMap::new();
    ids.into_iter()
        .zip(labels)
        .map(|(id, label)| {
            let next = number.len() + 1;
            let n = *number.entry(*label).or_insert(next);
            (id, format!("auto-{n}"))
        })
        .collect()
}

/// An `article_id,story` CSV (`id` also names the id column; other columns are ignored).
fn read_story_file(path: &Path, bytes: &[u8]) -> Result<HashMap<String, String>, StoryError> {
    let error = |line: u64, message: String| StoryError::File {
        file: path.to_path_buf(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| error(1, format!("not a CSV file: {e}")))?
        .clone();
    let column = |names: &[&str]| header.iter().position(|h| names.contains(&h.trim()));
    let (Some(id), Some(story)) = (column(&["article_id", "id"]), column(&["story"])) else {
        return Err(error(
            1,
            format!(
                "the header needs an article_id (or id) and a story column, found: {}",
                header.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    };
    let mut stories = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = record.map_err(|e| error(line, e.to_string()))?;
        let (Some(article), Some(value)) = (record.get(id), record.get(story)) else {
            return Err(error(line, "missing columns".into()));
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if let Some(before) = stories.insert(article.trim().to_string(), value.to_string()) {
            if before != value {
                return Err(error(
                    line,
                    format!("article {article:?} is given two stories ({before:?} and {value:?})"),
                ));
            }
        }
    }
    Ok(stories)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_refuses_standard_input_which_it_would_read_twice() {
        let source = StorySource::Group {
            encoder: None,
            options: GroupOptions::lexical(),
        };
        let inputs = [(PathBuf::from("-"), Format::Jsonl)];
        let err = StoryMap::build(&source, &inputs, &FieldMap::default()).unwrap_err();
        assert!(err.to_string().contains("save it to a file"), "{err}");
    }

    #[test]
    fn groups_are_numbered_in_input_order_of_their_first_article() {
        let ids = ["a", "b", "c", "d"].map(String::from).to_vec();
        let stories = story_ids(ids, &[2, 0, 2, 3]);
        assert_eq!(stories["a"], "auto-1");
        assert_eq!(stories["b"], "auto-2");
        assert_eq!(stories["c"], "auto-1");
        assert_eq!(stories["d"], "auto-3");
    }

    #[test]
    fn a_story_file_names_its_problem_and_line() {
        let path = Path::new("stories.csv");
        let ok = read_story_file(path, b"article_id,outlet,story\nx,A,s1\ny,B,\n").unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok["x"], "s1");
        let header = read_story_file(path, b"id,title\nx,t\n")
            .unwrap_err()
            .to_string();
        assert!(header.contains("stories.csv:1") && header.contains("story column"));
        let twice = read_story_file(path, b"id,story\nx,s1\nx,s2\n")
            .unwrap_err()
            .to_string();
        assert!(twice.starts_with("stories.csv:3:"), "{twice}");
    }

    #[test]
    fn a_story_file_wins_over_the_field_and_grouping_only_fills_in() {
        let mut article = Article::of_text("x", "text", "f");
        article.story = "given".into();
        let stories: HashMap<String, String> = [("x".to_string(), "mapped".to_string())].into();
        let mut grouped = article.clone();
        StoryMap {
            stories: stories.clone(),
            overrides: false,
        }
        .apply(&mut grouped);
        assert_eq!(grouped.story, "given");
        StoryMap {
            stories,
            overrides: true,
        }
        .apply(&mut article);
        assert_eq!(article.story, "mapped");
    }
}
