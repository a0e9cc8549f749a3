//! Stories: the demo's four events (covered by all three outlets) from the story field and
//! from grouping; stories.csv adds up to articles.csv; grouping is the same in every shard; a
//! story file; the within-story comparison on the demo; the grouping's accuracy on AllSides.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use slant::stance::onnx::Precision;
use slant::stories::embed::EmbedBackend;
use slant::stories::{self, eval::agreement, GroupOptions, Grouping, Signature, StoryText};

use crate::common::{read_csv, shared, slant, Need};

const DEMO: &str = "datasets/demo/articles.jsonl";

fn score(out: &Path, extra: &[&str]) -> Output {
    slant()
        .args(["--quiet", "score", DEMO])
        .args(["--actors", "datasets/actors/peru.csv"])
        .args(["--actors", "datasets/actors/us.csv"])
        .args(["--axis", "left,right", "--axis", "opposition,government"])
        .args(["--backend", "candle", "--resamples", "200"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn succeeds(output: Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Story id -> the ids of its articles, from articles.csv.
fn stories_of(run: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut stories: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in read_csv(&run.join("articles.csv")) {
        if !row["story"].is_empty() {
            stories
                .entry(row["story"].clone())
                .or_default()
                .insert(row["article_id"].clone());
        }
    }
    stories
}

/// The demo's events: story -> its three article ids, from the input.
fn demo_events() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut events: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in std::fs::read_to_string(root.join(DEMO)).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(story) = v["story"].as_str() {
            events
                .entry(story.to_string())
                .or_default()
                .insert(v["id"].as_str().unwrap().to_string());
        }
    }
    events
}

/// stories.csv is articles.csv grouped by story: counts, outlets and dates agree.
fn assert_stories_table_adds_up(run: &Path) {
    let articles = read_csv(&run.join("articles.csv"));
    let table = read_csv(&run.join("stories.csv"));
    assert_eq!(table.len(), stories_of(run).len());
    for story in &table {
        let members: Vec<_> = articles
            .iter()
            .filter(|a| a["story"] == story["story"])
            .collect();
        assert_eq!(story["articles"], members.len().to_string());
        let outlets: BTreeSet<&str> = members.iter().map(|a| a["outlet"].as_str()).collect();
        assert_eq!(story["outlets"], outlets.len().to_string());
        assert_eq!(
            story["outlet_names"],
            outlets.into_iter().collect::<Vec<_>>().join("; ")
        );
        let dates: BTreeSet<&str> = members.iter().map(|a| a["date"].as_str()).collect();
        assert_eq!(story["first_date"].as_str(), *dates.first().unwrap());
        assert_eq!(story["last_date"].as_str(), *dates.last().unwrap());
    }
}

fn the_demo_events_come_from_the_story_field() {
    let dir = tempfile::tempdir().unwrap();
    let given = dir.path().join("given");
    succeeds(score(&given, &[]));
    let events = demo_events();
    assert_eq!(events.len(), 4);
    assert!(events.values().all(|ids| ids.len() == 3));
    assert_eq!(stories_of(&given), events);
    assert_stories_table_adds_up(&given);
}

/// Without the field, grouping finds each event: its three articles in one story that
/// holds nothing else.
fn grouping_finds_the_demo_events(method: &str) {
    let dir = tempfile::tempdir().unwrap();
    let grouped = dir.path().join(method);
    succeeds(score(
        &grouped,
        &["--story-field", "none", "--stories", method],
    ));
    let found = stories_of(&grouped);
    assert_eq!(found.values().map(|ids| ids.len()).sum::<usize>(), 48);
    for ids in demo_events().values() {
        assert!(
            found.values().any(|group| group == ids),
            "{method}: {ids:?} is not one story in {found:?}"
        );
    }
    assert_stories_table_adds_up(&grouped);
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(grouped.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["flags"]["stories"]["method"], method);
    assert_eq!(run["flags"]["stories"]["window_days"], 3);
}

fn grouping_by_words_finds_the_demo_events() {
    grouping_finds_the_demo_events("lexical");
}

fn grouping_with_the_encoder_finds_the_demo_events() {
    grouping_finds_the_demo_events("auto");
}

fn grouped_stories_are_the_same_in_every_shard() {
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--story-field", "none", "--stories", "lexical"];
    let whole = dir.path().join("whole");
    succeeds(score(&whole, &flags));
    let parts: Vec<PathBuf> = (0..3)
        .map(|k| dir.path().join(format!("part-{k}")))
        .collect();
    for (k, part) in parts.iter().enumerate() {
        let shard = format!("{k}/3");
        let mut extra = flags.to_vec();
        extra.extend(["--shard", &shard]);
        succeeds(score(part, &extra));
    }
    let merged = dir.path().join("merged");
    succeeds(
        slant()
            .args(["--quiet", "merge"])
            .args(&parts)
            .arg("--out")
            .arg(&merged)
            .output()
            .unwrap(),
    );
    for table in ["articles.csv", "stories.csv"] {
        assert!(
            std::fs::read(whole.join(table)).unwrap() == std::fs::read(merged.join(table)).unwrap(),
            "{table} differs"
        );
    }
}

fn a_story_file_gives_stories_and_a_bad_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stories.csv");
    std::fs::write(
        &file,
        "article_id,story\ncivic-dispatch-peru-00,lima-week\nmetro-wire-peru-00,lima-week\n",
    )
    .unwrap();
    let run = dir.path().join("run");
    succeeds(score(&run, &["--stories", file.to_str().unwrap()]));
    let stories = stories_of(&run);
    assert_eq!(stories["lima-week"].len(), 2);
    // Where the file says nothing, the field still counts.
    assert_eq!(stories.len(), 5);

    std::fs::write(&file, "article_id,story\nx,a\nx,b\n").unwrap();
    let output = score(
        &dir.path().join("bad"),
        &["--stories", file.to_str().unwrap()],
    );
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains(&format!("{}:3:", file.display())) && message.contains("two stories"),
        "{message}"
    );
    let output = score(&dir.path().join("none"), &["--stories", "no-such-file.csv"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("given, auto or lexical"));
}

/// Civic Dispatch favours the left and the opposition, Patriot Standard the right and the
/// government: on the four stories both covered, the difference shows.
fn the_demo_outlets_differ_within_their_shared_stories() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    succeeds(score(&run, &[]));
    succeeds(
        slant()
            .args(["--quiet", "compare"])
            .arg(&run)
            .args(["--within", "story", "--resamples", "200"])
            .output()
            .unwrap(),
    );
    let within = read_csv(&run.join("compare/within_story.csv"));
    let pair = within
        .iter()
        .find(|r| r["outlet_a"] == "Civic Dispatch" && r["outlet_b"] == "Patriot Standard")
        .unwrap();
    assert_eq!(pair["stories"], "4");
    assert!(pair["diff"].parse::<f64>().unwrap() > 0.3, "{pair:?}");
    let agenda = read_csv(&run.join("compare/agenda.csv"));
    assert!(agenda
        .iter()
        .any(|r| r["outlet"] == "Metro Wire" && r["camp"] == "government" && r["stories"] == "4"));
}

/// The AllSides excerpts without their story ids.
fn allsides() -> (Vec<StoryText>, Vec<String>) {
    let path = shared().join("datasets/allsides-stories/articles.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (
                StoryText::new(&field("date"), &field("title"), &field("text")),
                field("story"),
            )
        })
        .unzip()
}

/// Grouping by words alone on the whole AllSides set (measured 0.871: docs/stories.md).
fn allsides_lexical_grouping_holds_its_floor() {
    let (texts, truth) = allsides();
    let lexical = stories::lexical_signatures(&texts);
    let signature = Signature {
        lexical: &lexical,
        embedded: None,
    };
    let labels = Grouping::new(&texts, signature, &GroupOptions::lexical()).labels();
    let a = agreement(&labels, &truth);
    assert!(a.ari >= 0.85, "{a:?}");
}

/// `--stories auto` on the whole AllSides set: the target, ARI >= 0.90 (measured
/// 0.917).
fn allsides_auto_grouping_reaches_the_target() {
    let (texts, truth) = allsides();
    let base = slant::fetch::MINILM
        .cached(&slant::fetch::cache_dir())
        .unwrap();
    let embedded = stories::embed::Embedder::load(&base, EmbedBackend::Candle, 1)
        .unwrap()
        .embed_all(&texts)
        .unwrap();
    let lexical = stories::lexical_signatures(&texts);
    let signature = Signature {
        lexical: &lexical,
        embedded: Some(&embedded),
    };
    let labels = Grouping::new(&texts, signature, &GroupOptions::default()).labels();
    let a = agreement(&labels, &truth);
    assert!(a.ari >= 0.90, "{a:?}");
}

/// The story encoder on ONNX Runtime f32 gives candle's vectors (a tiny random encoder, as a
/// fetched base model is laid out); int8 stays close; every vector is normalised.
fn story_embeddings_agree_on_candle_and_onnx_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let base = crate::common::write_base(&dir.path().join("base"));
    let texts: Vec<String> = [
        "the president praised the reform",
        "protesters condemned the police",
        "critics attacked the minister's plan today",
        "",
        "boluarte met the leaders of congress",
    ]
    .map(String::from)
    .to_vec();
    let embed = |backend: EmbedBackend| {
        stories::embed::Embedder::load(&base, backend, 2)
            .unwrap()
            .embed(&texts)
            .unwrap()
    };
    let candle = embed(EmbedBackend::Candle);
    let f32 = embed(EmbedBackend::Ort(Precision::F32));
    let int8 = embed(EmbedBackend::Ort(Precision::Int8));
    assert!(candle[3].is_empty() && f32[3].is_empty() && int8[3].is_empty());
    for i in [0, 1, 2, 4] {
        let norm: f32 = candle[i].iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "{norm}");
        let gap = candle[i]
            .iter()
            .zip(&f32[i])
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(gap < 1e-4, "text {i}: f32 differs from candle by {gap}");
        let close = stories::embed::cosine(&candle[i], &int8[i]);
        assert!(close > 0.99, "text {i}: int8 cosine {close}");
    }
}

crate::trials! {
    story_embeddings_agree_on_candle_and_onnx_runtime: [Need::Runtime],
    the_demo_events_come_from_the_story_field,
    grouping_by_words_finds_the_demo_events,
    grouping_with_the_encoder_finds_the_demo_events: [Need::FetchedBase],
    grouped_stories_are_the_same_in_every_shard,
    a_story_file_gives_stories_and_a_bad_one_is_named,
    the_demo_outlets_differ_within_their_shared_stories,
    allsides_lexical_grouping_holds_its_floor: [Need::Shared],
    allsides_auto_grouping_reaches_the_target: [Need::Shared, Need::FetchedBase],
}
