//! `slant score`: a corpus in, framing tables out.

use std::path::PathBuf;

use anyhow::Result;
use slant::actors::Registry;
use slant::aggregate::Axis;
use slant::annotate::VoiceChoice;
use slant::corpus::Shard;
use slant::schema::ModelInfo;
use slant::score::checkpoint::{Existing, CHECKPOINT_EVERY};
use slant::score::{ScoreOptions, Stages};

use super::args::{set_threads, BackendArg, InputArgs, ModelArgs};
use super::progress::ScoreBar;

/// Distinct scored sentences remembered for reuse; bounds memory on long runs.
const SENTENCE_CACHE: usize = 500_000;

#[derive(clap::Args)]
pub struct Args {
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
    #[command(flatten)]
    model: ModelArgs,
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
    /// Continue the unfinished run in --out from its last checkpoint (same model,
    /// registries, inputs and flags); the tables come out as an uninterrupted run's.
    #[arg(long, conflicts_with = "force")]
    resume: bool,
    /// Replace whatever run --out holds (an unfinished one, or one with other settings).
    #[arg(long)]
    force: bool,
    /// Score only shard K of N (from 0: 0/4 .. 3/4), the articles whose id hashes to K, into
    /// a part that `slant merge` combines with the others into the whole run's tables.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// How each mention's voice (own, quoted, reported) is decided: the learned model over
    /// the attribution rules, or the rules alone.
    #[arg(long, value_enum, default_value = "learned")]
    voice: VoiceArg,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum VoiceArg {
    Learned,
    Rules,
}

pub fn run(args: Args, quiet: bool) -> Result<()> {
    set_threads(args.threads)?;
    let (inputs, fields) = args.input.resolve()?;
    let axis = Axis::from_flags(&args.axis)?;
    let registry = Registry::load(&args.actors)?;
    let (model_dir, loaded) = args.model.load(args.backend, quiet)?;
    let info = ModelInfo {
        id: loaded.stance.model_id.clone(),
        path: model_dir.display().to_string(),
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
        chunk_size: args.chunk_size.max(1),
        cache_limit: SENTENCE_CACHE,
        checkpoint_every: CHECKPOINT_EVERY,
        existing: match (args.resume, args.force) {
            (true, _) => Existing::Resume,
            (_, true) => Existing::Replace,
            _ => Existing::Refuse,
        },
        shard: args.shard,
        voice: match args.voice {
            VoiceArg::Learned => VoiceChoice::Learned,
            VoiceArg::Rules => VoiceChoice::Rules,
        },
    };
    let bar = ScoreBar::new(quiet);
    let summary = slant::score::score(
        &options,
        &registry,
        &Stages::new(loaded.model.as_ref()),
        &info,
        |p| bar.update(p),
    )?;
    bar.finish();
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
        print!("{}", slant::report::outlet_summary(&summary.outlets));
    }
    Ok(())
}
