//! The schema is the one definition of the output tables: every table `slant score` writes
//! reads back through it and writes out again byte for byte.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use slant::schema::{
    write_table, ActorRow, ArticleRow, MentionRow, OutletRow, ReadRow, RejectRow, Row, RunManifest,
    StoryRow, TableReader, VoiceRow,
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
    let flags = [
        "--keep-fields",
        "url",
        "--axis",
        "opposition,government",
        "--output-format",
        "csv,parquet",
    ];
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
    parquet_copies_match_the_csv(&run, &manifest);
}

/// Each table's Parquet copy holds the CSV's columns and rows (typed, then written back as the
/// CSV writes them), run.json vouches for it, and writing it again gives the same bytes.
fn parquet_copies_match_the_csv(run: &Path, manifest: &RunManifest) {
    use slant::schema::parquet_tables::{export, file_name, rows_as_written};
    let tables = [
        MentionRow::FILE,
        ActorRow::FILE,
        ArticleRow::FILE,
        OutletRow::FILE,
        VoiceRow::FILE,
        StoryRow::FILE,
        RejectRow::FILE,
    ];
    let mut before = Vec::new();
    for csv_file in tables {
        let parquet = run.join(file_name(csv_file));
        let bytes = std::fs::read(&parquet).unwrap();
        let record = manifest.table(&file_name(csv_file)).unwrap();
        assert_eq!(record.sha256, slant::util::sha256_hex(&bytes), "{csv_file}");
        let mut csv = csv::Reader::from_path(run.join(csv_file)).unwrap();
        let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = csv
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(record.rows, rows.len() as u64, "{csv_file}");
        let (columns, typed) = rows_as_written(&parquet).unwrap();
        assert_eq!(columns, header, "{csv_file}");
        assert_eq!(typed, rows, "{csv_file}");
        before.push(bytes);
    }
    assert!(before[0].len() > 1000, "mentions.parquet has the mentions");
    export(run).unwrap();
    for (csv_file, bytes) in tables.iter().zip(before) {
        let again = std::fs::read(run.join(file_name(csv_file))).unwrap();
        assert!(
            again == bytes,
            "{csv_file}: the Parquet copy is not deterministic"
        );
    }
    // compare reads the CSV, or where a table's CSV is gone, its Parquet copy: the same
    // comparison either way.
    let parquet_only = run.with_file_name("parquet-only");
    std::fs::create_dir_all(&parquet_only).unwrap();
    for entry in std::fs::read_dir(run).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.extension() != Some(OsStr::new("csv")) {
            std::fs::copy(&path, parquet_only.join(path.file_name().unwrap())).unwrap();
        }
    }
    let compare = |dir: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_slant"))
            .args(["--quiet", "compare"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(dir.join("compare/groups.csv")).unwrap()
    };
    assert_eq!(compare(run), compare(&parquet_only));
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
