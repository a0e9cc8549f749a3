//! `slant score` end to end: input formats, bad records, registry conflicts, mention
//! resolution, aggregation arithmetic and determinism.

use crate::common;
use slant::stories::StorySource;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use slant::actors::Registry;
use slant::aggregate::Axis;
use slant::annotate::VoiceChoice;
use slant::annotate::{AnnotatedArticle, Annotator};
use slant::corpus::{Article, FieldMap, Format};
use slant::schema::ModelInfo;
use slant::score::checkpoint::{Existing, CHECKPOINT_EVERY};
use slant::score::{ScoreError, ScoreOptions, Stages, Summary};
use slant::stance::{SentenceTargets, Stance, StanceError, StanceModel};

/// A stand-in model with hand-checkable output: the sentence's verb sets the stance.
struct VerbModel;

const PRAISE: Stance = Stance {
    negative: 0.1,
    neutral: 0.2,
    positive: 0.7,
};
const CONDEMN: Stance = Stance {
    negative: 0.8,
    neutral: 0.1,
    positive: 0.1,
};
const PLAIN: Stance = Stance {
    negative: 0.2,
    neutral: 0.6,
    positive: 0.2,
};

impl StanceModel for VerbModel {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
        Ok(sentences
            .iter()
            .map(|s| {
                let stance = if s.text.contains("praised") {
                    PRAISE
                } else if s.text.contains("condemned") {
                    CONDEMN
                } else {
                    PLAIN
                };
                vec![stance; s.spans.len()]
            })
            .collect())
    }
}

const REGISTRY: &str = "id,name,aliases,camp,kind\n\
alice,Alice Moreno,,left,person\n\
bob,Bob Silva,Silva campaign,right,person\n\
carl,Carl Silva,,right,person\n\
press,Daily Press,,neutral,organization\n";

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn options(inputs: Vec<(PathBuf, Format)>, out: PathBuf) -> ScoreOptions {
    ScoreOptions {
        inputs,
        fields: FieldMap::default(),
        axis: Axis::parse(&["left,right"]),
        out,
        strict: false,
        resamples: 1000,
        seed: 1,
        chunk_size: 2,
        cache_limit: 1000,
        checkpoint_every: CHECKPOINT_EVERY,
        existing: Existing::Refuse,
        shard: None,
        voice: VoiceChoice::Learned,
        stories: StorySource::Given,
        tone_voices: Default::default(),
        references: Default::default(),
    }
}

fn run_score(
    options: &ScoreOptions,
    registry: &Registry,
    model: &dyn StanceModel,
    info: &ModelInfo,
) -> Result<Summary, ScoreError> {
    slant::score::score(options, registry, &Stages::new(model), info, |_| {})
}

fn info() -> ModelInfo {
    ModelInfo {
        id: "verb-stub".into(),
        path: "-".into(),
        sha256: "-".into(),
        base_sha256: None,
        backend: "stub".into(),
        temperature: None,
        with: Vec::new(),
        ensemble_temperature: None,
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn column(table: &[Vec<String>], name: &str) -> usize {
    table[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn aggregation_matches_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    let corpus = [
        // a1: Alice praised (+0.6 for left), Bob condemned (-(-0.7) = +0.7): framing 0.65.
        r#"{"id": "a1", "outlet": "North", "date": "2023-01-02", "text": "Voters praised Alice Moreno. Critics condemned Bob Silva."}"#,
        // a2: Bob plain (s = 0, contributes -0); Silva alone then goes to Bob (named in full): framing 0.
        r#"{"id": "a2", "outlet": "North", "text": "Bob Silva spoke. Silva left."}"#,
        // a3: only the neutral camp: no framing.
        r#"{"id": "a3", "outlet": "South", "text": "The Daily Press praised the plan."}"#,
    ]
    .join("\n");
    let input = write(dir.path(), "corpus.jsonl", corpus.as_bytes());
    let out = dir.path().join("out");
    let summary = run_score(
        &options(vec![(input, Format::Jsonl)], out.clone()),
        &registry,
        &VerbModel,
        &info(),
    )
    .unwrap();
    assert_eq!(summary.counts.articles, 3);
    assert_eq!(summary.counts.mentions, 5);

    let articles = read_csv(&out.join("articles.csv"));
    let framing = column(&articles, "framing");
    assert_eq!(articles[1][framing], "0.650000");
    assert_eq!(articles[2][framing], "0.000000");
    assert_eq!(articles[3][framing], "");
    assert_eq!(articles[1][column(&articles, "left_score")], "0.600000");
    assert_eq!(articles[2][column(&articles, "right_mentions")], "2");

    let mentions = read_csv(&out.join("mentions.csv"));
    let (start, end, mention) = (
        column(&mentions, "start"),
        column(&mentions, "end"),
        column(&mentions, "mention"),
    );
    let texts = [
        "",
        "Voters praised Alice Moreno. Critics condemned Bob Silva.",
        "Bob Silva spoke. Silva left.",
    ];
    for row in &mentions[1..] {
        let Some(text) = texts.get(if row[0] == "a1" {
            1
        } else if row[0] == "a2" {
            2
        } else {
            0
        }) else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        let (s, e): (usize, usize) = (row[start].parse().unwrap(), row[end].parse().unwrap());
        assert_eq!(&text[s..e], row[mention], "offsets index the article text");
    }
    assert!(mentions
        .iter()
        .any(|r| r[mention] == "Silva" && r[2] == "bob"));

    let outlets = read_csv(&out.join("outlets.csv"));
    let f = column(&outlets, "framing");
    // North: mean of 0.65 and 0 over articles; South has no framed article.
    assert_eq!(outlets[1][0], "North");
    assert_eq!(outlets[1][f], "0.325000");
    assert_eq!(outlets[1][column(&outlets, "articles_framed")], "2");
    assert_eq!(outlets[2][f], "");
    // Two framed articles (0, 0.65): every resample mean lies in [0, 0.65].
    let (lo, hi): (f64, f64) = (
        outlets[1][f + 1].parse().unwrap(),
        outlets[1][f + 2].parse().unwrap(),
    );
    assert!(
        (0.0..=0.325).contains(&lo) && (0.325..=0.65).contains(&hi),
        "{lo} {hi}"
    );

    let actors = read_csv(&out.join("actors.csv"));
    assert!(actors
        .iter()
        .any(|r| r[0] == "a2" && r[2] == "bob" && r[4] == "2" && r[5] == "0.000000"));

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["model"]["id"], "verb-stub");
    assert_eq!(manifest["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        manifest["registry"][0]["sha256"].as_str().unwrap().len(),
        64
    );
    assert_eq!(manifest["counts"]["articles"], 3);
}

fn every_record_is_scored_or_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    let big = "Voters praised Alice Moreno. ".repeat(180_000); // about 5 MB
    let mut jsonl: Vec<u8> = Vec::new();
    let lines: Vec<Vec<u8>> = vec![
        br#"{"id": "ok1", "outlet": "N", "text": "Voters praised Alice Moreno."}"#.to_vec(),
        b"{\"id\": \"bad-utf8\", \"outlet\": \"N\", \"text\": \"caf\xe9\"}".to_vec(),
        b"{\"id\": \"nul\", \"outlet\": \"N\", \"text\": \"a\x00b\"}".to_vec(),
        br#"{"id": "escaped-nul", "outlet": "N", "text": "Alice Moreno\u0000 praised"}"#.to_vec(),
        br#"{"id": "truncated", "outlet": "N", "text": "Voters prai"#.to_vec(),
        br#"{"id": "wrongtype", "outlet": "N", "text": 42.5e400}"#.to_vec(),
        br#"{"id": "arr", "outlet": "N", "text": ["x"]}"#.to_vec(),
        br#"{"id": "empty", "outlet": "N", "text": "   "}"#.to_vec(),
        br#"{"outlet": "N", "text": "no id"}"#.to_vec(),
        br#"[1, 2]"#.to_vec(),
        br#"{"id": "ok1", "outlet": "N", "text": "duplicate id"}"#.to_vec(),
        format!(r#"{{"id": "big", "outlet": "N", "text": "{big}"}}"#).into_bytes(),
        br#"{"id": 7, "outlet": "N", "text": "Critics condemned Bob Silva.", "url": "http://x/7"}"#
            .to_vec(),
    ];
    for line in &lines {
        jsonl.extend_from_slice(line);
        jsonl.push(b'\n');
    }
    let input = write(dir.path(), "mixed.jsonl", &jsonl);
    let csv_input = write(
        dir.path(),
        "more.csv",
        b"id,outlet,text,url\nc1,S,\"Critics condemned Bob Silva, loudly.\",http://c/1\nc2,S\nc3,S,\"\",u\nc4,S,\"ok \xff\",u\n",
    );
    let out = dir.path().join("out");
    let mut opts = options(
        vec![(input, Format::Jsonl), (csv_input, Format::Csv)],
        out.clone(),
    );
    opts.fields.keep = vec!["url".into()];
    let summary = run_score(&opts, &registry, &VerbModel, &info()).unwrap();
    let c = &summary.counts;
    assert_eq!(c.records, 17);
    assert_eq!(c.articles + c.rejected, c.records);

    let articles = read_csv(&out.join("articles.csv"));
    let ids: Vec<&str> = articles[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["ok1", "big", "7", "c1"]);
    assert_eq!(articles[3][column(&articles, "url")], "http://x/7");
    assert_eq!(articles[2][column(&articles, "mentions")], "180000");

    let rejects = read_csv(&out.join("rejects.csv"));
    let reasons: Vec<(String, String, String)> = rejects[1..]
        .iter()
        .map(|r| (r[1].clone(), r[2].clone(), r[3].clone()))
        .collect();
    let expect = [
        ("2", "", "invalid UTF-8"),
        ("3", "", "invalid JSON"),
        ("4", "escaped-nul", "NUL byte"),
        ("5", "", "invalid JSON"),
        ("6", "wrongtype", "field \"text\" is a number"),
        ("7", "arr", "is an array"),
        ("8", "empty", "empty text"),
        ("9", "", "missing \"id\""),
        ("10", "", "not a JSON object"),
        ("11", "ok1", "duplicate id (first at"),
        ("3", "", "2 fields, the header has 4"),
        ("4", "c3", "empty text"),
        ("5", "c4", "invalid UTF-8"),
    ];
    assert_eq!(reasons.len(), expect.len(), "{reasons:#?}");
    for ((line, id, reason), (el, eid, ereason)) in reasons.iter().zip(expect) {
        assert_eq!((line.as_str(), id.as_str()), (el, eid), "{reason}");
        assert!(reason.contains(ereason), "{reason} should say {ereason}");
    }
    assert!(rejects[1][0].ends_with("mixed.jsonl"));
}

fn strict_mode_stops_at_the_first_bad_record() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    let input = write(
        dir.path(),
        "c.jsonl",
        b"{\"id\": \"a\", \"outlet\": \"N\", \"text\": \"x\"}\n{\"id\": \"a\"\n",
    );
    let mut opts = options(vec![(input, Format::Jsonl)], dir.path().join("out"));
    opts.strict = true;
    let err = run_score(&opts, &registry, &VerbModel, &info())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("c.jsonl:2:") && err.contains("--strict"),
        "{err}"
    );
    assert!(
        !dir.path().join("out/articles.csv").exists(),
        "no half-written table under the real name"
    );
}

fn txt_folders_name_outlets_after_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("north")).unwrap();
    std::fs::create_dir_all(corpus.join("south")).unwrap();
    write(
        &corpus.join("north"),
        "n1.txt",
        b"Voters praised Alice Moreno.",
    );
    write(
        &corpus.join("south"),
        "s1.txt",
        b"Critics condemned Bob Silva.",
    );
    write(&corpus.join("south"), "s2.txt", b"caf\xe9");
    let out = dir.path().join("out");
    run_score(
        &options(vec![(corpus, Format::Txt)], out.clone()),
        &registry,
        &VerbModel,
        &info(),
    )
    .unwrap();
    let articles = read_csv(&out.join("articles.csv"));
    // Ids are paths below the folder given, so one file name in two outlets is two articles.
    assert_eq!(
        (articles[1][0].as_str(), articles[1][1].as_str()),
        ("north/n1", "north")
    );
    assert_eq!(
        (articles[2][0].as_str(), articles[2][1].as_str()),
        ("south/s1", "south")
    );
    let rejects = read_csv(&out.join("rejects.csv"));
    assert!(rejects[1][3].contains("invalid UTF-8"));
}

fn registry_conflicts_name_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.csv",
        b"id,name,aliases,camp,kind\nx,Ann Lee,Lee camp,left,person\n",
    );
    let dup = write(
        dir.path(),
        "b.csv",
        b"id,name,aliases,camp,kind\ny,Yan Ho,,right,person\nx,Xu Li,,right,person\n",
    );
    let err = Registry::load(&[a.clone(), dup]).unwrap_err().to_string();
    assert!(
        err.contains("b.csv:3") && err.contains("a.csv:2") && err.contains("\"x\""),
        "{err}"
    );

    let alias = write(
        dir.path(),
        "c.csv",
        b"id,name,aliases,camp,kind\nz,Zoe Park,Lee camp,right,person\n",
    );
    let err = Registry::load(&[a.clone(), alias]).unwrap_err().to_string();
    assert!(
        err.contains("\"Lee camp\"") && err.contains("a.csv:2") && err.contains("c.csv:2"),
        "{err}"
    );

    let kind = write(
        dir.path(),
        "d.csv",
        b"id,name,aliases,camp,kind\nq,Q Corp,,right,company\n",
    );
    let err = Registry::load(&[kind]).unwrap_err().to_string();
    assert!(err.contains("d.csv:2") && err.contains("company"), "{err}");

    let header = write(dir.path(), "e.csv", b"id,name,camp\nq,Q,right\n");
    let err = Registry::load(&[header]).unwrap_err().to_string();
    assert!(err.contains("e.csv:1") && err.contains("aliases"), "{err}");
}

fn shipped_registries_load_together() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let registry = Registry::load(&[
        root.join("datasets/actors/peru.csv"),
        root.join("datasets/actors/us.csv"),
    ])
    .unwrap();
    let us = Registry::load(&[root.join("datasets/actors/us.csv")]).unwrap();
    assert!(us.actors.len() >= 150, "{}", us.actors.len());
    assert_eq!(us.camps(), ["left", "neutral", "right"]);
    let peru = Registry::load(&[root.join("datasets/actors/peru.csv")]).unwrap();
    assert_eq!(peru.camps(), ["foreign", "government", "opposition"]);
    assert_eq!(registry.actors.len(), us.actors.len() + peru.actors.len());
}

fn slant() -> Command {
    Command::new(env!("CARGO_BIN_EXE_slant"))
}

fn demo_run(out: &Path, threads: &str, chunk_size: &str, backend: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = slant()
        .current_dir(root)
        .args([
            "--quiet",
            "score",
            "datasets/demo/articles.jsonl",
            "--actors",
            "datasets/actors/peru.csv",
        ])
        .args([
            "--actors",
            "datasets/actors/us.csv",
            "--axis",
            "left,right",
            "--axis",
            "opposition,government",
        ])
        .args([
            "--threads",
            threads,
            "--chunk-size",
            chunk_size,
            "--backend",
            backend,
        ])
        .arg("--out")
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

fn demo_is_identical_across_threads_and_chunk_sizes_and_ranks_the_outlets_on_candle() {
    check_demo(&["candle"]);
}

fn demo_is_identical_across_threads_and_chunk_sizes_and_ranks_the_outlets_on_onnx_runtime() {
    check_demo(&["ort", "ort-int8"]);
}

/// outlets.csv and `slant compare`'s groups.csv (by outlet) come from one aggregation: every
/// shared cell must be the same text.
fn assert_outlets_agree_with_compare_groups(run: &Path) {
    let status = slant()
        .args(["--quiet", "compare"])
        .arg(run)
        .status()
        .unwrap();
    assert!(status.success());
    let outlets = read_csv(&run.join("outlets.csv"));
    let groups = read_csv(&run.join("compare/groups.csv"));
    assert_eq!(outlets.len(), groups.len());
    let mut compared = 0;
    for (name, position) in outlets[0].iter().zip(0..) {
        // A camp's mention-weighted mean is `<camp>_score` in one and `<camp>_mean` in the other.
        let wanted = match name.strip_suffix("_score") {
            Some(camp) => format!("{camp}_mean"),
            None => name.clone(),
        };
        let Some(in_groups) = groups[0].iter().position(|g| *g == wanted) else {
            continue;
        };
        for (o, g) in outlets[1..].iter().zip(&groups[1..]) {
            assert_eq!(o[position], g[in_groups], "{name} of {}", o[0]);
        }
        compared += 1;
    }
    assert_eq!(
        compared,
        outlets[0].len(),
        "every outlets.csv column is in groups.csv"
    );
}

fn check_demo(backends: &[&str]) {
    for &backend in backends {
        let dir = tempfile::tempdir().unwrap();
        // Batches never mix sentences, so neither the chunk a sentence falls in nor the
        // threads that score it can change a byte (the default chunk holds the whole demo).
        let runs = [("1", "1"), ("2", "7"), ("4", "256"), ("1", "256")];
        for (threads, chunk_size) in runs {
            demo_run(
                &dir.path().join(format!("{threads}-{chunk_size}")),
                threads,
                chunk_size,
                backend,
            );
        }
        let one = dir.path().join("1-1");
        for (threads, chunk_size) in &runs[1..] {
            let other = dir.path().join(format!("{threads}-{chunk_size}"));
            for table in slant::schema::SCORE_TABLES {
                let a = std::fs::read(one.join(table)).unwrap();
                let b = std::fs::read(other.join(table)).unwrap();
                assert!(
                    a == b,
                    "{backend}: {table} differs between 1 thread, chunks of 1 and \
                     {threads} threads, chunks of {chunk_size}"
                );
            }
        }
        let run: serde_json::Value =
            serde_json::from_slice(&std::fs::read(one.join("run.json")).unwrap()).unwrap();
        let recorded = run["model"]["backend"].as_str().unwrap();
        assert!(
            recorded.starts_with(if backend == "candle" {
                "candle"
            } else {
                "onnxruntime"
            }),
            "{backend}: run.json says {recorded}"
        );
        let outlets = read_csv(&one.join("outlets.csv"));
        let value = |measure: &str, name: &str| -> f64 {
            let at = column(&outlets, measure);
            outlets.iter().find(|r| r[0] == name).unwrap()[at]
                .parse()
                .unwrap()
        };
        // The demo's known slants (scripts/make-demo.py): each outlet writes about the same
        // actors in its own tone, so framing and tone agree on the order.
        for measure in ["framing", "tone"] {
            let m = |name| value(measure, name);
            assert!(
                m("Civic Dispatch") > m("Metro Wire") + 0.1,
                "{backend} {measure}"
            );
            assert!(
                m("Metro Wire") > m("Patriot Standard") + 0.1,
                "{backend} {measure}"
            );
        }
        assert_outlets_agree_with_compare_groups(&one);
    }
}

fn stdin_input_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let actors = write(dir.path(), "actors.csv", REGISTRY.as_bytes());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |input: &[u8], strict: bool| {
        let mut cmd = slant();
        cmd.current_dir(root)
            .args(["--quiet", "score", "-", "--actors"])
            .arg(&actors)
            .arg("--out")
            // Another folder: a run with other flags is not written over without --force.
            .arg(dir.path().join(if strict { "strict" } else { "out" }));
        if strict {
            cmd.arg("--strict");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    let good = b"{\"id\": \"s1\", \"outlet\": \"N\", \"text\": \"Voters praised Alice Moreno.\"}\nnot json\n";
    let output = run(good, false);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 rejected"));
    let output = run(good, true);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("-:2:"));

    let bad_axis = slant()
        .current_dir(root)
        .args(["score", "-", "--actors"])
        .arg(&actors)
        .args(["--axis", "left,nowhere", "--out"])
        .arg(dir.path().join("o2"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(bad_axis.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_axis.stderr).contains("\"nowhere\" is not a camp"));
}

fn seed_article_reads_as_a_careful_reader_would() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = slant()
        .current_dir(root)
        .args(["--quiet", "score"])
        .arg(shared.join("seeds"))
        .args([
            "--actors",
            "datasets/actors/peru.csv",
            "--axis",
            "opposition,government",
            "--out",
        ])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let actors = read_csv(&dir.path().join("actors.csv"));
    let score = |id: &str| -> f64 {
        actors
            .iter()
            .find(|r| r[2] == id)
            .unwrap_or_else(|| panic!("{id} not found"))[5]
            .parse()
            .unwrap()
    };
    for id in [
        "dina_boluarte",
        "pedro_castillo",
        "gustavo_petro",
        "congress",
        "boluarte_government",
    ] {
        score(id);
    }
    // The article condemns the Boluarte government throughout.
    assert!(
        score("boluarte_government") < -0.3,
        "{}",
        score("boluarte_government")
    );
    let articles = read_csv(&dir.path().join("articles.csv"));
    let framing: f64 = articles[1][column(&articles, "framing")].parse().unwrap();
    assert!(
        framing > 0.0,
        "the article favours the opposition over the government: {framing}"
    );
}

/// Fails on any sentence containing "unencodable", as the real model does for a span that
/// covers no word piece.
struct PickyModel;

impl StanceModel for PickyModel {
    fn score(&self, sentences: &[SentenceTargets]) -> Result<Vec<Vec<Stance>>, StanceError> {
        if sentences.iter().any(|s| s.text.contains("unencodable")) {
            return Err(StanceError::Span("covers no word piece".into()));
        }
        VerbModel.score(sentences)
    }
}

fn an_unencodable_mention_costs_its_sentence_not_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    let corpus = r#"{"id": "a", "outlet": "N", "text": "Voters praised Alice Moreno. Alice Moreno was unencodable."}"#;
    let input = write(dir.path(), "c.jsonl", corpus.as_bytes());
    let out = dir.path().join("out");
    let summary = run_score(
        &options(vec![(input, Format::Jsonl)], out.clone()),
        &registry,
        &PickyModel,
        &info(),
    )
    .unwrap();
    assert_eq!(summary.counts.sentences_unscorable, 1);
    assert_eq!(summary.counts.mentions, 1);
    let articles = read_csv(&out.join("articles.csv"));
    assert_eq!(articles[1][column(&articles, "framing")], "0.600000");
}

/// Drops the mentions inside double quotes: a stand-in for the quotation stage, to show the
/// annotation slot reaches the output.
struct DropQuoted;

impl Annotator for DropQuoted {
    fn annotate(&self, article: &Article, annotated: &mut AnnotatedArticle) {
        annotated.mentions.retain(|m| {
            article.text[..m.span.start]
                .matches('"')
                .count()
                .is_multiple_of(2)
        });
    }
}

fn annotators_run_between_finding_and_scoring() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    let corpus = r#"{"id": "a", "outlet": "N", "text": "Voters praised Alice Moreno. \"Bob Silva condemned us,\" Alice Moreno said."}"#;
    let input = write(dir.path(), "c.jsonl", corpus.as_bytes());
    let count_mentions = |annotators: Vec<Box<dyn Annotator>>, out: &Path| {
        let stages = Stages {
            annotators,
            ..Stages::new(&VerbModel)
        };
        let opts = options(vec![(input.clone(), Format::Jsonl)], out.to_path_buf());
        let summary = slant::score::score(&opts, &registry, &stages, &info(), |_| {}).unwrap();
        let mentions = read_csv(&out.join("mentions.csv"));
        let actor = column(&mentions, "actor_id");
        let actors: Vec<String> = mentions[1..].iter().map(|r| r[actor].clone()).collect();
        (summary.counts.mentions, actors)
    };
    let (all, _) = count_mentions(Vec::new(), &dir.path().join("all"));
    let (unquoted, actors) = count_mentions(vec![Box::new(DropQuoted)], &dir.path().join("own"));
    assert_eq!(all, 3);
    assert_eq!(unquoted, 2);
    assert_eq!(actors, ["alice", "alice"], "Bob, quoted, is left out");
}

/// Sentences reused from the cache keep their scores in the chunk where the cache overflows
/// and is cleared (they used to lose them: a mention found and counted nowhere).
fn no_mention_is_lost_when_the_sentence_cache_overflows() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    let corpus = [
        r#"{"id": "a1", "outlet": "N", "text": "Voters praised Alice Moreno. Critics condemned Bob Silva."}"#,
        // One sentence seen before (in the cache), one new: the cache of 2 overflows here.
        r#"{"id": "a2", "outlet": "N", "text": "Voters praised Alice Moreno. Carl Silva spoke."}"#,
        r#"{"id": "a3", "outlet": "N", "text": "Critics condemned Bob Silva. Carl Silva spoke."}"#,
    ]
    .join("\n");
    let input = write(dir.path(), "c.jsonl", corpus.as_bytes());
    let out = dir.path().join("out");
    let opts = ScoreOptions {
        chunk_size: 1,
        cache_limit: 2,
        ..options(vec![(input, Format::Jsonl)], out.clone())
    };
    let summary = run_score(&opts, &registry, &VerbModel, &info()).unwrap();
    assert_eq!(summary.counts.mentions, 6, "{:?}", summary.counts);
    assert_eq!(summary.counts.sentences_unscorable, 0);
    let articles = read_csv(&out.join("articles.csv"));
    let mentions = column(&articles, "mentions");
    for row in &articles[1..] {
        assert_eq!(row[mentions], "2", "article {}", row[0]);
    }
}

fn wrong_types_and_odd_folders_are_neither_coerced_nor_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    // A number is a fine id or date, but not a text, outlet or title.
    let corpus = [
        r#"{"id": 7, "outlet": "N", "date": 2023, "text": "Voters praised Alice Moreno."}"#,
        r#"{"id": "b3", "outlet": "N", "text": 12345}"#,
        r#"{"id": "b4", "outlet": 5, "text": "Alice Moreno spoke."}"#,
        r#"{"id": "b5", "outlet": "N", "title": 1.5, "text": "Alice Moreno spoke."}"#,
    ]
    .join("\n");
    let input = write(dir.path(), "c.jsonl", corpus.as_bytes());
    let out = dir.path().join("out");
    let summary = run_score(
        &options(vec![(input, Format::Jsonl)], out.clone()),
        &registry,
        &VerbModel,
        &info(),
    )
    .unwrap();
    assert_eq!((summary.counts.articles, summary.counts.rejected), (1, 3));
    let rejects = read_csv(&out.join("rejects.csv"));
    let reason = column(&rejects, "reason");
    assert!(
        rejects[1][reason].contains("\"text\" is a number"),
        "{rejects:?}"
    );
    assert!(
        rejects[2][reason].contains("\"outlet\" is a number"),
        "{rejects:?}"
    );
    assert!(
        rejects[3][reason].contains("\"title\" is a number"),
        "{rejects:?}"
    );

    // Upper-case extensions are text files too.
    let folder = dir.path().join("Outlet");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("A.TXT"), "Voters praised Alice Moreno.").unwrap();
    let out = dir.path().join("out-txt");
    let summary = run_score(
        &options(vec![(folder.clone(), Format::Txt)], out),
        &registry,
        &VerbModel,
        &info(),
    )
    .unwrap();
    assert_eq!(summary.counts.articles, 1);

    // A folder with no text files is an error that says so, not an empty run.
    let jsonl_only = dir.path().join("jsonl");
    std::fs::create_dir_all(&jsonl_only).unwrap();
    std::fs::write(jsonl_only.join("a.jsonl"), "{}\n").unwrap();
    let err = run_score(
        &options(vec![(jsonl_only, Format::Txt)], dir.path().join("out-none")),
        &registry,
        &VerbModel,
        &info(),
    )
    .err()
    .expect("an error")
    .to_string();
    assert!(
        err.contains("no .txt files") && err.contains("jsonl"),
        "{err}"
    );
}

/// A text folder with a symlink loop and a FIFO named like an article: the run finishes,
/// reads each article once, and lists the FIFO as rejected.
fn text_folders_with_symlink_loops_and_fifos_finish() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::load(&[write(dir.path(), "actors.csv", REGISTRY.as_bytes())]).unwrap();
    let folder = dir.path().join("Outlet");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), "Voters praised Alice Moreno.").unwrap();
    std::os::unix::fs::symlink(&folder, folder.join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.path(), folder.join("up")).unwrap();
    let fifo = folder.join("pipe.txt");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let out = dir.path().join("out");
    let summary = run_score(
        &options(vec![(folder, Format::Txt)], out.clone()),
        &registry,
        &VerbModel,
        &info(),
    )
    .unwrap();
    assert_eq!(summary.counts.articles, 1, "{:?}", summary.counts);
    let rejects = read_csv(&out.join("rejects.csv"));
    let reason = column(&rejects, "reason");
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert!(
        rejects[1][reason].contains("not a regular file"),
        "{rejects:?}"
    );
}

fn absurd_thread_counts_are_refused_at_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for threads in ["0", "100000"] {
        let output = slant()
            .current_dir(root)
            .args(["score", "datasets/demo/articles.jsonl", "--actors"])
            .args([
                "datasets/actors/peru.csv",
                "--out",
                "/nonexistent/never-written",
            ])
            .args(["--threads", threads])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "bad usage: {stderr}");
        assert!(
            stderr.contains(&format!("--threads {threads}: give 1 to")),
            "{stderr}"
        );
    }
}

crate::trials! {
    absurd_thread_counts_are_refused_at_once,
    text_folders_with_symlink_loops_and_fifos_finish,
    wrong_types_and_odd_folders_are_neither_coerced_nor_skipped,
    no_mention_is_lost_when_the_sentence_cache_overflows,
    annotators_run_between_finding_and_scoring,
    aggregation_matches_hand_computation,
    every_record_is_scored_or_rejected,
    strict_mode_stops_at_the_first_bad_record,
    txt_folders_name_outlets_after_their_folder,
    registry_conflicts_name_both_places,
    shipped_registries_load_together,
    demo_is_identical_across_threads_and_chunk_sizes_and_ranks_the_outlets_on_candle,
    demo_is_identical_across_threads_and_chunk_sizes_and_ranks_the_outlets_on_onnx_runtime: [crate::common::Need::Runtime],
    stdin_input_and_exit_codes,
    seed_article_reads_as_a_careful_reader_would: [crate::common::Need::Shared],
    an_unencodable_mention_costs_its_sentence_not_the_run,
}
