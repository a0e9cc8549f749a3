//! Crash and resume: a run killed with SIGKILL anywhere (reading, scoring, checkpointing,
//! writing the final tables) and resumed gives the tables of an uninterrupted run, byte for
//! byte; a resume that would mix settings is refused naming what changed; an output
//! directory holding another run is not written into without --force.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use slant::schema::SCORE_TABLES as TABLES;

/// The first 20 demo articles and a bad record, scored a chunk (one article) at a time, so
/// the run passes two checkpoints (every 8 chunks) and has a reject to carry over.
fn corpus(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = std::fs::read_to_string(root.join("datasets/demo/articles.jsonl")).unwrap();
    let mut lines: Vec<&str> = demo.lines().take(20).collect();
    lines.insert(6, "{\"id\": \"broken\", \"outlet\": 5}");
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// `slant score INPUT ... --out OUT`, a chunk (one article) at a time, on candle.
fn command(input: &Path, out: &Path, extra: &[&str]) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_slant"));
    command
        .env_remove("SLANT_MODEL")
        .env_remove("SLANT_KILL_AT")
        .current_dir(root)
        .args(["--quiet", "score"])
        .arg(input)
        .args([
            "--actors",
            "datasets/actors/peru.csv",
            "--axis",
            "opposition,government",
        ])
        .args([
            "--backend",
            "candle",
            "--chunk-size",
            "1",
            "--resamples",
            "200",
        ])
        .args(extra)
        .arg("--out")
        .arg(out);
    command
}

fn score(input: &Path, out: &Path, extra: &[&str], kill_at: Option<&str>) -> Output {
    let mut command = command(input, out, extra);
    if let Some(point) = kill_at {
        command.env("SLANT_KILL_AT", point);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn succeeds(output: Output) {
    assert!(output.status.success(), "{}", stderr(&output));
}

/// run.json without what describes the work rather than the result: the seconds, and the
/// encoder work a resume repeats (sentences scored again instead of reused).
fn run_json(dir: &Path) -> serde_json::Value {
    let mut run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    run["seconds"] = 0.into();
    for work in ["sentences_scored", "sentences_reused", "mentions_scored"] {
        run["counts"][work] = 0.into();
    }
    run
}

fn assert_same_run(expected: &Path, resumed: &Path, what: &str) {
    crate::common::assert_tone_measured(expected);
    for table in TABLES {
        let a = std::fs::read(expected.join(table)).unwrap();
        let b =
            std::fs::read(resumed.join(table)).unwrap_or_else(|e| panic!("{what}: {table}: {e}"));
        assert!(a == b, "{what}: {table} differs from the uninterrupted run");
    }
    assert_eq!(run_json(expected), run_json(resumed), "{what}: run.json");
    assert!(
        !resumed.join(".partial").exists(),
        "{what}: the unfinished run's folder is left behind"
    );
}

fn killed_runs_resume_to_the_uninterrupted_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let full = dir.path().join("full");
    succeeds(score(&input, &full, &[], None));
    // Kill points: while reading (before any checkpoint, and after one), while scoring, right
    // after a checkpoint, once the tables are complete, and between the final moves.
    for point in [
        "record:4",
        "record:14",
        "chunk:11",
        "checkpoint:2",
        "finished:1",
        "move:2",
    ] {
        let out = dir.path().join(point.replace(':', "-"));
        let killed = score(&input, &out, &[], Some(point));
        assert_eq!(
            killed.status.code(),
            None,
            "{point}: not killed: {}",
            stderr(&killed)
        );
        assert!(
            !out.join("run.json").exists(),
            "{point}: run.json before the end"
        );
        succeeds(score(&input, &out, &["--resume"], None));
        assert_same_run(&full, &out, point);
    }
}

/// A run reading standard input resumes when given the same input again; other input on
/// standard input is refused.
fn a_run_on_standard_input_resumes_from_the_same_input() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let bytes = std::fs::read(&input).unwrap();
    let full = dir.path().join("full");
    succeeds(score(&input, &full, &[], None));
    let piped = |out: &Path, stdin: &[u8], extra: &[&str], kill_at: Option<&str>| {
        let mut command = command(Path::new("-"), out, extra);
        if let Some(point) = kill_at {
            command.env("SLANT_KILL_AT", point);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A killed run stops reading: the rest of the pipe is not its business.
        let _ = child.stdin.take().unwrap().write_all(stdin);
        child.wait_with_output().unwrap()
    };
    let out = dir.path().join("stdin");
    let killed = piped(&out, &bytes, &[], Some("checkpoint:1"));
    assert_eq!(
        killed.status.code(),
        None,
        "not killed: {}",
        stderr(&killed)
    );
    // Other records on standard input: refused, the unfinished run kept.
    let mut other = bytes.clone();
    other.splice(
        0..0,
        b"{\"id\": \"new\", \"outlet\": \"o\", \"text\": \"Castillo.\"}\n"
            .iter()
            .copied(),
    );
    let refused = piped(&out, &other, &["--resume"], None);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("are not those it read"),
        "{}",
        stderr(&refused)
    );
    succeeds(piped(&out, &bytes, &["--resume"], None));
    // The same tables, but that rejects.csv names the input "-".
    for table in TABLES {
        let expected = std::fs::read_to_string(full.join(table))
            .unwrap()
            .replace(&input.display().to_string(), "-");
        let found = std::fs::read_to_string(out.join(table)).unwrap();
        assert_eq!(
            expected, found,
            "{table} differs from the uninterrupted run"
        );
    }
}

/// A real SIGKILL from outside, at whatever point the run has reached after its first
/// checkpoint.
fn a_run_killed_from_outside_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let full = dir.path().join("full");
    succeeds(score(&input, &full, &[], None));
    let out = dir.path().join("killed");
    let mut child = command(&input, &out, &[])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let checkpoint = out.join(".partial/checkpoint.json");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !checkpoint.exists() && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap_or(()); // SIGKILL; it may have finished on a fast machine
    child.wait().unwrap();
    succeeds(score(&input, &out, &["--resume"], None));
    assert_same_run(&full, &out, "killed from outside");
}

fn a_resume_with_other_settings_is_refused_naming_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let out = dir.path().join("out");
    let killed = score(&input, &out, &[], Some("checkpoint:1"));
    assert_eq!(killed.status.code(), None);

    let plain = score(&input, &out, &[], None);
    assert_eq!(plain.status.code(), Some(1));
    assert!(
        stderr(&plain).contains("holds an unfinished run (9 records done")
            && stderr(&plain).contains("--resume"),
        "{}",
        stderr(&plain)
    );
    for (extra, named) in [
        (&["--seed", "7"][..], "flags.seed: 20230329 -> 7"),
        (&["--axis", "foreign,government"][..], "flags.axis"),
        (&["--actors", "datasets/actors/us.csv"][..], "registry"),
    ] {
        let args: Vec<&str> = ["--resume"].iter().chain(extra).copied().collect();
        let refused = score(&input, &out, &args, None);
        assert_eq!(refused.status.code(), Some(1), "{extra:?}");
        let message = stderr(&refused);
        assert!(
            message.contains("cannot resume") && message.contains(named),
            "{extra:?}: {message}"
        );
    }
    // An input whose already-read part changed.
    let text = std::fs::read_to_string(&input).unwrap();
    std::fs::write(&input, text.replacen("Boluarte", "Castillo", 1)).unwrap();
    let changed = score(&input, &out, &["--resume"], None);
    assert_eq!(changed.status.code(), Some(1));
    assert!(
        stderr(&changed).contains("the first 9 records of the inputs are not those it read"),
        "{}",
        stderr(&changed)
    );
    // --force starts over.
    succeeds(score(&input, &out, &["--force"], None));
    assert!(out.join("run.json").exists() && !out.join(".partial").exists());
}

fn an_output_folder_of_another_run_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let out = dir.path().join("out");
    succeeds(score(&input, &out, &[], None));
    // The same run again replaces it, and the old run's compare tables go with it.
    let status = Command::new(env!("CARGO_BIN_EXE_slant"))
        .args(["--quiet", "compare"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(out.join("compare/groups.csv").exists());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    succeeds(score(&input, &out, &[], None));
    assert!(
        !out.join("compare").exists(),
        "stale compare tables survived a rescore"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    // Other settings: refused, the run left as it was.
    let before = std::fs::read(out.join("mentions.csv")).unwrap();
    let other = score(&input, &out, &["--seed", "9"], None);
    assert_eq!(other.status.code(), Some(1));
    assert!(
        stderr(&other).contains("holds a run with other settings (flags.seed: 20230329 -> 9)")
            && stderr(&other).contains("--force"),
        "{}",
        stderr(&other)
    );
    assert_eq!(std::fs::read(out.join("mentions.csv")).unwrap(), before);
    succeeds(score(&input, &out, &["--seed", "9", "--force"], None));
    // --resume on a finished run has nothing to do.
    let again = score(&input, &out, &["--seed", "9", "--resume"], None);
    assert!(again.status.success(), "{}", stderr(&again));
    // --out naming a file.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let refused = score(&input, &file, &[], None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("exists and is not a directory"),
        "{}",
        stderr(&refused)
    );
}

crate::trials! {
    killed_runs_resume_to_the_uninterrupted_bytes,
    a_run_on_standard_input_resumes_from_the_same_input,
    a_run_killed_from_outside_resumes,
    a_resume_with_other_settings_is_refused_naming_the_change,
    an_output_folder_of_another_run_needs_force,
}
