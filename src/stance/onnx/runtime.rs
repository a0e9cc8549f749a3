//! Running the exported graph on ONNX Runtime, loaded at run time from a shared library
//! (`ORT_DYLIB_PATH`, or the copy `slant fetch` unpacks into slant's cache).

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor;

use super::export::{export, GraphOutput, Precision};
use crate::fetch::{cache_dir, ONNXRUNTIME};
use crate::stance::card::{ModelDir, StanceConfig};
use crate::stance::encoding::{EncodedInput, PaddedBatch, TargetEncoder};
use crate::stance::{SentenceTargets, Stance, StanceError, StanceModel};

/// The command that puts the runtime where slant looks for it.
pub const FETCH_COMMAND: &str = "slant fetch --runtime";

/// Where the ONNX Runtime library is: `ORT_DYLIB_PATH` if set, else the fetched copy.
/// `None` when neither exists.
pub fn library_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH") {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    ONNXRUNTIME
        .cached(&cache_dir())
        .map(|dir| dir.join(ONNXRUNTIME.checked))
}

fn runtime_error(e: impl std::fmt::Display) -> StanceError {
    StanceError::Runtime(e.to_string())
}

/// The process-wide ONNX Runtime environment (the library can be loaded only once).
fn environment() -> Result<&'static ort::environment::Environment, StanceError> {
    static ENVIRONMENT: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();
    ENVIRONMENT
        .get_or_init(|| {
            let path = library_path().ok_or_else(|| {
                format!(
                    "ONNX Runtime library not found: set ORT_DYLIB_PATH or run `{FETCH_COMMAND}`"
                )
            })?;
            ort::init_from(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .with_name("slant")
                .build()
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .as_ref()
        .map_err(|e| StanceError::Runtime(e.clone()))
}

/// Opens an ONNX graph with all of ONNX Runtime's graph optimizations and `threads` threads
/// inside each operator (the graph is a chain, so none across operators).
pub fn open_session(graph: &[u8], threads: usize) -> Result<Session, StanceError> {
    Session::builder(environment()?)
        .map_err(runtime_error)?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(runtime_error)?
        .with_intra_threads(threads.max(1))
        .map_err(runtime_error)?
        .with_inter_threads(1)
        .map_err(runtime_error)?
        .commit_from_memory(graph)
        .map_err(runtime_error)
}

/// One single-threaded session per worker thread: sentences are scored in parallel, each in
/// its own small batch, which small matrices split across threads would not speed up.
/// (`Session::run` needs `&mut`, hence the locks; a worker only ever takes its own.)
pub struct Sessions {
    sessions: Vec<Mutex<Session>>,
    output: GraphOutput,
}

impl Sessions {
    /// Exports `dir` to ONNX in memory with `output` and opens it once for each of `threads`
    /// worker threads.
    pub fn open(
        dir: &ModelDir,
        precision: Precision,
        description: &str,
        output: GraphOutput,
        threads: usize,
    ) -> Result<Self, StanceError> {
        let graph = export(dir, precision, description, output)?;
        let sessions = (0..threads.max(1))
            .map(|_| open_session(&graph, 1).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Self { sessions, output })
    }

    /// The graph's output for `batch`: `width` values per target, in target order.
    pub fn run(&self, batch: PaddedBatch, width: usize) -> Result<Vec<f32>, StanceError> {
        let (rows, seq, targets) = (batch.rows, batch.seq, batch.input_of.len());
        let ids: Vec<i64> = batch.ids.iter().map(|&i| i64::from(i)).collect();
        let mask: Vec<i64> = batch.mask.iter().map(|&m| i64::from(m)).collect();
        let input_of: Vec<i64> = batch.input_of.iter().map(|&i| i64::from(i)).collect();
        let inputs = ort::inputs![
            "input_ids" => Tensor::from_array(([rows, seq], ids)).map_err(runtime_error)?,
            "attention_mask" => Tensor::from_array(([rows, seq], mask)).map_err(runtime_error)?,
            "pool_weights" => Tensor::from_array(([targets, seq], batch.pool_weights)).map_err(runtime_error)?,
            "input_of" => Tensor::from_array(([targets], input_of)).map_err(runtime_error)?,
        ];
        // Outside the thread pool (a caller's own thread) the first session serves.
        let worker = rayon::current_thread_index().unwrap_or(0) % self.sessions.len();
        let mut session = self.sessions[worker]
            .lock()
            .map_err(|_| StanceError::Runtime("a previous run panicked".into()))?;
        let outputs = session.run(inputs).map_err(runtime_error)?;
        let (_, values) = outputs[self.output.name()]
            .try_extract_tensor::<f32>()
            .map_err(runtime_error)?;
        if values.len() != targets * width {
            return Err(StanceError::Runtime(format!(
                "model returned {} values for {targets} targets of {width}",
                values.len()
            )));
        }
        Ok(values.to_vec())
    }
}

/// The stance classifier on ONNX Runtime: the same encoder inputs, batches and pooling as the
/// candle `Classifier`, and probabilities equal to it within float rounding (f32).
pub struct OrtClassifier {
    sessions: Sessions,
    encoder: TargetEncoder,
    pub precision: Precision,
    /// Encoder inputs per forward pass.
    pub batch_size: usize,
}

impl OrtClassifier {
    /// Exports `dir` (a trained stance model) to ONNX in memory and opens it on ONNX Runtime,
    /// once for each of `threads` worker threads.
    pub fn load(
        dir: &ModelDir,
        precision: Precision,
        threads: usize,
    ) -> Result<(Self, StanceConfig), StanceError> {
        let stance = dir.stance_config()?;
        let encoder = dir.target_encoder(stance.marking.clone())?;
        let sessions = Sessions::open(
            dir,
            precision,
            &format!("{} ({})", stance.model_id, dir.weights_sha256),
            GraphOutput::Probabilities,
            threads,
        )?;
        Ok((
            Self {
                sessions,
                encoder,
                precision,
                batch_size: 32,
            },
            stance,
        ))
    }

    /// Probabilities (targets, 3) for every target carried by `inputs`, in input order.
    pub fn probabilities(&self, inputs: &[&EncodedInput]) -> Result<Vec<[f32; 3]>, StanceError> {
        let values = self.sessions.run(self.encoder.pad(inputs), 3)?;
        Ok(values.chunks(3).map(|p| [p[0], p[1], p[2]]).collect())
    }
}

impl StanceModel for OrtClassifier {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
        self.encoder
            .score_in_batches(sentences, self.batch_size, |inputs| {
                self.probabilities(inputs)
            })
    }
}
