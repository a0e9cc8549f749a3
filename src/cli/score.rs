//! `slant score`: a corpus in, framing tables out.

use std::path::PathBuf;

use anyhow::{bail, Result};
use slant::actors::Registry;
use slant::aggregate::{Axis, ToneVoices};
use slant::annotate::{References, VoiceChoice};
use slant::corpus::Shard;
use slant::fetch::{cache_dir, MINILM};
use slant::score::checkpoint::{Existing, CHECKPOINT_EVERY};
use slant::score::{ScoreOptions, Stages};
use slant::stance::onnx::Precision;
use slant::stories::embed::EmbedBackend;
use slant::stories::{GroupOptions, StoryEncoder, StorySource};

use super::args::{set_threads, BackendArg, EnsembleArgs, InputArgs, ModelArgs};
use super::progress::ScoreBar;

/// Distinct scored sentences remembered for reuse; bounds memory on long runs.
const SENTENCE_CACHE: usize = 500_000;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Actor registry CSV (id,name,aliases,camp,kind[,gender]); repeat to combine several.
    /// Each one's sibling NAME.roles.csv, when there is one, gives its dated roles.
    #[arg(long = "actors", required = true)]
    actors: Vec<PathBuf>,
    /// More dated roles (role,actor_id,from,to[,qualifiers]): who "the president" is on an
    /// article's date. Repeat to combine several.
    #[arg(long = "roles", value_name = "FILE")]
    roles: Vec<PathBuf>,
    /// Which references to an actor are scored: all (names, and the pronouns, roles and
    /// descriptions resolved to it) or names (names, aliases, surnames and titles only).
    #[arg(long, value_enum, default_value = "all")]
    references: References,
    /// Framing axis A,B: positive framing favours camp A over camp B. Repeat to combine
    /// pairs into one axis (e.g. --axis left,right --axis opposition,government).
    #[arg(long)]
    axis: Vec<String>,
    /// Which mentions the outlets' tone is estimated from: all (whoever's words) or own
    /// (the outlet's own words only).
    #[arg(long, value_enum, default_value = "all")]
    tone_voices: ToneVoices,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// The tables' formats: csv, parquet (typed, compact; compare, report and merge read
    /// it), or csv,parquet for both (the same as `slant export RUN --to parquet` afterwards).
    #[arg(long, value_delimiter = ',', default_value = "csv")]
    output_format: Vec<OutputFormat>,
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    with: EnsembleArgs,
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
    #[arg(long, default_value_t = 2000, value_parser = super::args::resamples)]
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
    /// How each mention's voice (own, quoted, reported) is decided: the token tagger over the
    /// attribution rules, the mention-level learned model over them, or the rules alone.
    #[arg(long, value_enum, default_value = "tagger")]
    voice: VoiceArg,
    /// Where stories come from: `given` (the input's story field), `auto` (the field, else
    /// grouped by title and lead with the base encoder, fetched on first use), `lexical`
    /// (grouped by words alone: no encoder, less accurate) or an `article_id,story` CSV FILE.
    #[arg(long, default_value = "given", value_name = "given|auto|lexical|FILE")]
    stories: String,
    /// Articles further apart than this many days are never one story (grouping only).
    #[arg(long, value_name = "DAYS")]
    story_window: Option<i32>,
    /// Least similarity to join two groups of articles [default: 0.25 auto, 0.125 lexical].
    #[arg(long)]
    story_threshold: Option<f64>,
    /// Each day between two articles multiplies their similarity by this [default: 0.5;
    /// 1 ignores dates inside the window].
    #[arg(long)]
    story_decay: Option<f64>,
    /// The sentence encoder for `--stories auto` [default: the fetched all-MiniLM-L6-v2].
    #[arg(long, value_name = "DIR")]
    story_encoder: Option<PathBuf>,
}

impl Args {
    /// `--stories` and its settings as the library's source of stories.
    /// `--stories` as a source of stories; the encoder runs where the stance model does
    /// (`scoring_backend`, as run.json names it).
    fn stories(&self, scoring_backend: &str, quiet: bool) -> Result<StorySource> {
        let tuned = |mut options: GroupOptions| {
            if let Some(days) = self.story_window {
                options.window_days = days.max(0);
            }
            if let Some(threshold) = self.story_threshold {
                options.threshold = threshold;
            }
            if let Some(decay) = self.story_decay {
                options.decay = decay.clamp(0.0, 1.0);
            }
            options
        };
        Ok(match self.stories.as_str() {
            "given" => StorySource::Given,
            "lexical" => StorySource::Group {
                encoder: None,
                options: tuned(GroupOptions::lexical()),
            },
            "auto" => {
                let encoder = match &self.story_encoder {
                    Some(dir) => dir.clone(),
                    None => match MINILM.cached(&cache_dir()) {
                        Some(dir) => dir,
                        None if self.model.offline() => bail!(
                            "--stories auto needs the base encoder and --offline forbids \
                             fetching it: run `slant fetch --base`, pass --story-encoder DIR, \
                             or group by words alone with --stories lexical"
                        ),
                        None => {
                            if !quiet {
                                eprintln!("fetching the base encoder for --stories auto (once)");
                            }
                            MINILM.fetch(&cache_dir(), &[])?
                        }
                    },
                };
                StorySource::Group {
                    encoder: Some(StoryEncoder {
                        dir: encoder,
                        backend: story_backend(scoring_backend),
                        threads: rayon::current_num_threads(),
                    }),
                    options: tuned(GroupOptions::default()),
                }
            }
            file => {
                let path = PathBuf::from(file);
                if !path.is_file() {
                    bail!(
                        "--stories {file}: not given, auto or lexical, and no such file (a \
                         story file is a CSV with article_id and story columns)"
                    );
                }
                StorySource::File(path)
            }
        })
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum VoiceArg {
    Tagger,
    Learned,
    Rules,
}

/// The story encoder's backend: ONNX Runtime int8 where the stance model runs on ONNX Runtime
/// (4.8x candle's rate, the same grouping within 0.001 of ARI: docs/stories.md), else candle.
fn story_backend(scoring_backend: &str) -> EmbedBackend {
    if scoring_backend.starts_with("onnxruntime") {
        EmbedBackend::Ort(Precision::Int8)
    } else {
        EmbedBackend::Candle
    }
}

pub fn run(args: Args, quiet: bool) -> Result<()> {
    set_threads(args.threads)?;
    let (inputs, fields) = args.input.resolve()?;
    let axis = Axis::from_flags(&args.axis)?;
    let registry = Registry::load_with_roles(&args.actors, &args.roles)?;
    let scorer = args.model.load(args.backend, &args.with, quiet)?;
    let info = scorer.info();
    let backend = scorer.primary().backend.clone();
    let stories = args.stories(&backend, quiet)?;
    let model = scorer.into_model();
    if !quiet && matches!(stories, StorySource::Group { .. }) {
        eprintln!("grouping articles into stories (a first pass over the inputs)");
    }
    let options = ScoreOptions {
        stories,
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
        tone_voices: args.tone_voices,
        references: args.references,
        voice: match args.voice {
            VoiceArg::Learned => VoiceChoice::Learned,
            VoiceArg::Rules => VoiceChoice::Rules,
            VoiceArg::Tagger => VoiceChoice::Tagger,
        },
    };
    let bar = ScoreBar::new(quiet);
    let parquet = args.output_format.contains(&OutputFormat::Parquet);
    let csv = args.output_format.contains(&OutputFormat::Csv);
    let summary = slant::score::score(
        &options,
        &registry,
        &Stages::new(model.as_ref()),
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
    if parquet {
        super::export::parquet(&summary.out, quiet)?;
        if !csv {
            slant::schema::parquet_tables::drop_csv(&summary.out)?;
        }
    }
    if !quiet {
        print!("{}", slant::report::outlet_summary(&summary.outlets));
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Csv,
    Parquet,
}
