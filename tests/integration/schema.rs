//! The schema is the one definition of the output tables: every table `slant score` writes
//! reads back through it and writes out again byte for byte.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use slant::schema::{
    write_table, ActorRow, ArticleRow, MentionRow, OutletRow, ReadRow, RejectRow, RunManifest,
    TableReader,
};

fn round_trip<R: ReadRow>(run: &Path, copy: &Path, manifest: &RunManifest) {
    let layout = manifest.layout();
    let rows = TableReader::<R>::open(run, manifest)
        .unwrap()
        .read_all()
        .unwrap();
    write_table(copy, &layout, &rows).unwrap();
    assert_eq!(
        std::fs::read(run.join(R::FILE)).unwrap(),
        std::fs::read(copy.join(R::FILE)).unwrap(),
        "{} does not survive reading and writing",
        R::FILE
    );
}

fn every_table_reads_back_and_writes_the_same_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let demo = std::fs::read_to_string(root.join("datasets/demo/articles.jsonl")).unwrap();
    let mut text = String::new();
    for (i, line) in demo.lines().enumerate() {
        let mut article: serde_json::Value = serde_json::from_str(line).unwrap();
        article["url"] = format!("https://example.org/{i}, \"quoted\"").into();
        text += &(article.to_string() + "\n");
    }
    text.push_str("{\"id\": \"bad\", \"outlet\": \n");
    std::fs::write(&corpus, text).unwrap();
    let run = dir.path().join("run");
    let flags = ["--keep-fields", "url", "--axis", "opposition,government"];
    let mut extra: Vec<&OsStr> = flags.iter().map(OsStr::new).collect();
    extra.push(corpus.as_os_str());
    crate::common::score_on_candle(Path::new(env!("CARGO_BIN_EXE_slant")), &run, &extra);
    let manifest = RunManifest::read(&run).unwrap();
    assert_eq!(manifest.counts.rejected, 1);
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    round_trip::<MentionRow>(&run, &copy, &manifest);
    round_trip::<ActorRow>(&run, &copy, &manifest);
    round_trip::<ArticleRow>(&run, &copy, &manifest);
    round_trip::<OutletRow>(&run, &copy, &manifest);
    round_trip::<RejectRow>(&run, &copy, &manifest);
}

/// A folder whose tables are not the ones its run.json records (another run's mentions.csv
/// copied in, or a crash while replacing) is refused, not read as one run.
fn a_folder_mixing_two_runs_is_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let demo = root.join("datasets/demo/articles.jsonl");
    let score = |axis: &str, out: &Path| {
        let extra = [OsStr::new("--axis"), OsStr::new(axis), demo.as_os_str()];
        crate::common::score_on_candle(Path::new(env!("CARGO_BIN_EXE_slant")), out, &extra);
    };
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    score("opposition,government", &one);
    score("government,opposition", &two);
    std::fs::copy(two.join("articles.csv"), one.join("articles.csv")).unwrap();
    let compare = Command::new(env!("CARGO_BIN_EXE_slant"))
        .args(["--quiet", "compare"])
        .arg(&one)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&compare.stderr);
    assert_eq!(compare.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("articles.csv") && stderr.contains("does not match run.json"),
        "{stderr}"
    );
    // Without run.json (a run stopped while replacing its files) there is nothing to trust.
    std::fs::remove_file(two.join("run.json")).unwrap();
    let report = Command::new(env!("CARGO_BIN_EXE_slant"))
        .args(["--quiet", "report", "-o"])
        .arg(dir.path().join("r.html"))
        .arg(&two)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert_eq!(report.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("run.json"), "{stderr}");
}

crate::trials! {
    a_folder_mixing_two_runs_is_refused,
    every_table_reads_back_and_writes_the_same_bytes,
}
