//! The bad-input matrix: every case is run as a user would (`slant score`), with its
//! documented outcome (README, "Guarantees"). A record-level problem is a row of rejects.csv
//! naming file, line and reason, while the other records are scored; an input-, registry-,
//! flag- or output-level problem stops the run before any work, exit 1, with one message
//! naming the file and the problem, leaving no table behind. Never a panic. On every case
//! that runs, run.json's per-file accounting adds up: records = articles + rejected.

use std::io::Write;
use std::path::Path;
use std::process::Command;

const REGISTRY: &str = "id,name,aliases,camp,kind\nlopez,Andres Lopez,Lopez,left,person\n\
                        zorro,Zed Zorro,Zorro,right,person\n";

fn line(id: &str, text: &str) -> String {
    format!("{{\"id\": \"{id}\", \"outlet\": \"o\", \"text\": \"{text}\"}}\n")
}

fn good(id: &str) -> String {
    line(id, "Lopez won the vote.")
}

fn jsonl(lines: &[&str]) -> Vec<u8> {
    lines.concat().into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

enum Expect {
    /// Scored: this many articles, and these rejects (file name, line, part of the reason).
    Read(usize, &'static [(&'static str, u64, &'static str)]),
    /// Scored without rejects: this many articles and mentions.
    Mentions(usize, usize),
    /// Stopped before any work, exit 1, the message containing this.
    Stop(&'static str),
    /// Refused as bad usage before any work, exit 2, the message containing this.
    Usage(&'static str),
}

struct Case {
    name: &'static str,
    /// Files written into the case's folder (a name ending in `/` is a folder).
    files: Vec<(&'static str, Vec<u8>)>,
    /// The inputs given (names of files written).
    inputs: &'static [&'static str],
    /// Replaces the registry.
    registry: Option<&'static [u8]>,
    args: &'static [&'static str],
    expect: Expect,
}

fn case(name: &'static str, file: &'static str, bytes: Vec<u8>, expect: Expect) -> Case {
    Case {
        name,
        files: vec![(file, bytes)],
        inputs: &[],
        registry: None,
        args: &[],
        expect,
    }
    .with_inputs()
}

impl Case {
    /// Inputs default to every file written.
    fn with_inputs(mut self) -> Self {
        if self.inputs.is_empty() {
            let names: Vec<&'static str> = self.files.iter().map(|(n, _)| *n).collect();
            self.inputs = Box::leak(names.into_boxed_slice());
        }
        self
    }
}

fn cases() -> Vec<Case> {
    use Expect::{Mentions, Read, Stop, Usage};
    let two = |a: &str, b: &str| jsonl(&[&good("g1"), a, b, &good("g2")]);
    let mut big = String::from("{\"id\": \"big\", \"outlet\": \"o\", \"text\": \"Lopez ");
    big += &"spoke at length and ".repeat(10 * 1024 * 1024 / 20);
    big += "left.\"}\n";
    let mut cp1252 = good("g1").into_bytes();
    cp1252.extend(
        b"{\"id\": \"w\", \"outlet\": \"o\", \"text\": \"Lopez caf\xe9 \x93quoted\x94.\"}\n",
    );
    let mut utf16 = vec![0xff, 0xfe];
    for unit in good("g1").encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let mut raw_nul = good("g1").into_bytes();
    raw_nul.extend(b"{\"id\": \"n\", \"outlet\": \"o\", \"text\": \"Lopez\x00 won.\"}\n");
    vec![
        // Encodings and bytes.
        case("invalid UTF-8 inside a line", "a.jsonl", {
            let mut b = good("g1").into_bytes();
            b.extend(b"{\"id\": \"bad\", \"outlet\": \"o\", \"text\": \"Lopez \xff won.\"}\n");
            b
        }, Read(1, &[("a.jsonl", 2, "invalid UTF-8 at byte")])),
        case("invalid UTF-8 at the start of a line", "a.jsonl", {
            let mut b = b"\xfe\xfe".to_vec();
            b.extend(good("x").as_bytes());
            b.extend(good("g1").as_bytes());
            b
        }, Read(1, &[("a.jsonl", 1, "invalid UTF-8 at byte 0")])),
        case("Windows-1252 text", "a.jsonl", cp1252, Read(1, &[("a.jsonl", 2, "Windows-1252")])),
        case("UTF-8 byte order mark (dropped)", "a.jsonl", {
            let mut b = b"\xef\xbb\xbf".to_vec();
            b.extend(two("", "").as_slice());
            b
        }, Read(2, &[])),
        case("UTF-16 with a byte order mark", "a.jsonl", utf16, Stop("UTF-16 text (byte order mark)")),
        case("CRLF line ends", "a.jsonl", two("", "").iter().flat_map(|&b| {
            if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] }
        }).collect(), Read(2, &[])),
        case("CR-only line ends (classic Mac)", "a.jsonl", jsonl(&[&good("g1"), &good("g2"), &good("g3"), &good("g4")]).iter().map(|&b| {
            if b == b'\n' { b'\r' } else { b }
        }).collect(), Read(4, &[])),
        case("a raw NUL byte in a line", "a.jsonl", raw_nul, Read(1, &[("a.jsonl", 2, "invalid JSON: control character")])),
        case("an escaped NUL in the text", "a.jsonl", two(&line("n", "Lopez\\u0000 won."), ""), Read(2, &[("a.jsonl", 2, "NUL byte")])),
        case("gzipped JSONL", "a.jsonl.gz", gzip(&two("", "")), Read(2, &[])),
        case("zstd-compressed JSONL", "a.jsonl.zst", zstd::encode_all(two("", "").as_slice(), 3).unwrap(), Read(2, &[])),
        case("zstd frames one after another", "a.jsonl.zst", [zstd::encode_all(good("z1").as_bytes(), 1).unwrap(), zstd::encode_all(good("z2").as_bytes(), 1).unwrap()].concat(), Read(2, &[])),
        case("a broken zstd header", "a.jsonl", vec![0x28, 0xb5, 0x2f, 0xfd, 0, 0], Stop("cannot read it")),
        // JSON structure.
        case("truncated JSON on the last line", "a.jsonl", jsonl(&[&good("g1"), "{\"id\": \"t\", \"outlet\": \"o\", \"te"]), Read(1, &[("a.jsonl", 2, "invalid JSON")])),
        case("a JSON array instead of an object", "a.jsonl", two("[1, 2]\n", ""), Read(2, &[("a.jsonl", 2, "not a JSON object")])),
        case("a JSON scalar instead of an object", "a.jsonl", two("\"text\"\n", "42\n"), Read(2, &[("a.jsonl", 2, "not a JSON object"), ("a.jsonl", 3, "not a JSON object")])),
        // Field types.
        case("text as a number", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"text\": 12345}\n", ""), Read(2, &[("a.jsonl", 2, "field \"text\" is a number")])),
        case("text as null", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"text\": null}\n", ""), Read(2, &[("a.jsonl", 2, "missing \"text\"")])),
        case("text as a list", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"text\": [\"Lopez\"]}\n", ""), Read(2, &[("a.jsonl", 2, "field \"text\" is an array")])),
        case("text as an object", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"text\": {\"t\": 1}}\n", ""), Read(2, &[("a.jsonl", 2, "field \"text\" is an object")])),
        case("id as a number (kept as its digits)", "a.jsonl", two("{\"id\": 7, \"outlet\": \"o\", \"text\": \"Lopez won.\"}\n", ""), Read(3, &[])),
        case("ids as long numbers and exponents (kept as written)", "a.jsonl", two(
            "{\"id\": 12345678901234567890123, \"outlet\": \"o\", \"text\": \"Lopez won.\"}\n{\"id\": 12345678901234567890124, \"outlet\": \"o\", \"text\": \"Lopez won.\"}\n",
            "{\"id\": 1e2, \"outlet\": \"o\", \"text\": \"Lopez won.\"}\n{\"id\": 100, \"outlet\": \"o\", \"text\": \"Lopez won.\"}\n"), Read(6, &[])),
        case("id as null", "a.jsonl", two("{\"id\": null, \"outlet\": \"o\", \"text\": \"Lopez won.\"}\n", ""), Read(2, &[("a.jsonl", 2, "missing \"id\"")])),
        case("id as a list", "a.jsonl", two("{\"id\": [1], \"outlet\": \"o\", \"text\": \"Lopez won.\"}\n", ""), Read(2, &[("a.jsonl", 2, "field \"id\" is an array")])),
        case("outlet as a number", "a.jsonl", two("{\"id\": \"b\", \"outlet\": 5, \"text\": \"Lopez won.\"}\n", ""), Read(2, &[("a.jsonl", 2, "field \"outlet\" is a number")])),
        case("outlet as null", "a.jsonl", two("{\"id\": \"b\", \"outlet\": null, \"text\": \"Lopez won.\"}\n", ""), Read(2, &[("a.jsonl", 2, "missing \"outlet\"")])),
        case("date as a number (kept as its digits)", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"date\": 2023, \"text\": \"Lopez won.\"}\n", ""), Read(3, &[])),
        case("date as an object", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"date\": {\"y\": 1}, \"text\": \"Lopez won.\"}\n", ""), Read(2, &[("a.jsonl", 2, "field \"date\" is an object")])),
        case("title as a number", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"title\": 3, \"text\": \"Lopez won.\"}\n", ""), Read(2, &[("a.jsonl", 2, "field \"title\" is a number")])),
        case("title as a list", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"title\": [], \"text\": \"Lopez won.\"}\n", ""), Read(2, &[("a.jsonl", 2, "field \"title\" is an array")])),
        case("title as a boolean", "a.jsonl", two("{\"id\": \"b\", \"outlet\": \"o\", \"title\": true, \"text\": \"Lopez won.\"}\n", ""), Read(2, &[("a.jsonl", 2, "field \"title\" is a boolean")])),
        // Contents.
        case("empty text", "a.jsonl", two(&line("e", ""), ""), Read(2, &[("a.jsonl", 2, "empty text")])),
        case("whitespace-only text", "a.jsonl", two(&line("e", " \\n\\t "), ""), Read(2, &[("a.jsonl", 2, "empty text")])),
        case("a 10 MB single line", "a.jsonl", big.into_bytes(), Read(1, &[])),
        case("a duplicate id in one file", "a.jsonl", two(&good("g1"), ""), Read(2, &[("a.jsonl", 2, "duplicate id (first at a.jsonl:1)")])),
        Case {
            name: "a duplicate id across files",
            files: vec![("a.jsonl", good("g1").into_bytes()), ("b.jsonl", two("", ""))],
            inputs: &[],
            registry: None,
            args: &[],
            expect: Read(2, &[("b.jsonl", 1, "duplicate id (first at a.jsonl:1)")]),
        }.with_inputs(),
        case("an empty file", "a.jsonl", Vec::new(), Read(0, &[])),
        case("only blank lines", "a.jsonl", b"\n \n\t\n\r\n".to_vec(), Read(0, &[])),
        // CSV.
        case("CSV with a wrong column count", "a.csv", b"id,outlet,text\nc1,o,Lopez won.\nc2,o,Lopez,lost\nc3,o\nc4,o,Zorro won.\n".to_vec(),
            Read(2, &[("a.csv", 3, "4 fields, the header has 3"), ("a.csv", 4, "2 fields, the header has 3")])),
        case("CSV with an unterminated quote", "a.csv", b"id,outlet,title,text\na1,o,T1,Lopez won.\na2,o,\"Broken title,Lopez lost.\na3,o,T3,Lopez spoke.\na4,o,T4,Lopez ran.\na5,o,\"Fine, quoted\",Lopez waited.\na6,o,T6,Lopez left.\n".to_vec(),
            Read(5, &[("a.csv", 3, "a quoted field opened on this line does not close")])),
        case("CSV with a quote open at the end", "a.csv", b"id,outlet,text\na1,o,Lopez won.\na2,o,\"Lopez lost.\na3,o,Zorro won.\n".to_vec(),
            Read(2, &[("a.csv", 3, "does not close")])),
        case("CSV with a byte order mark", "a.csv", b"\xef\xbb\xbfid,outlet,text\nc1,o,Lopez won.\n".to_vec(), Read(1, &[])),
        case("CSV with CRLF and a multi-line field", "a.csv", b"id,outlet,text\r\nc1,o,\"Lopez won.\r\n\r\nZorro lost.\"\r\nc2,o,Zorro won.\r\n".to_vec(), Read(2, &[])),
        case("CSV with CR-only line ends (classic Mac)", "a.csv", b"id,outlet,text\rc1,Alpha,Lopez won praise.\rc2,Beta,\"Zorro spoke.\r\rAt length.\"\rc3,Beta,Zorro left.\r".to_vec(), Read(3, &[])),
        case("CSV with invalid UTF-8 in a field", "a.csv", b"id,outlet,text\nc1,o,Lopez \xe9t\xe9.\nc2,o,Zorro won.\n".to_vec(), Read(1, &[("a.csv", 2, "field \"text\": invalid UTF-8")])),
        // Text folders.
        Case {
            name: "a text folder with a non-UTF-8 and a UTF-16 file",
            files: vec![("Outlet/", Vec::new()), ("Outlet/a.txt", b"Lopez won.".to_vec()),
                ("Outlet/b.txt", b"Lopez caf\xe9.".to_vec()), ("Outlet/c.txt", vec![0xff, 0xfe, b'L', 0])],
            inputs: &["Outlet"],
            registry: None,
            args: &[],
            expect: Read(1, &[("Outlet/b.txt", 1, "invalid UTF-8"), ("Outlet/c.txt", 1, "UTF-16")]),
        },
        Case {
            name: "a text folder with a symlink loop",
            files: vec![("Outlet/", Vec::new()), ("Outlet/a.txt", b"Lopez won.".to_vec()), ("Outlet/loop", Vec::new())],
            inputs: &["Outlet"],
            registry: None,
            args: &[],
            expect: Read(1, &[]),
        },
        Case {
            name: "a text folder with a dangling and a self-referencing link",
            files: vec![("Outlet/", Vec::new()), ("Outlet/a.txt", b"Lopez won.".to_vec()),
                ("Outlet/b.txt -> nowhere.txt", Vec::new()), ("Outlet/c.txt -> c.txt", Vec::new())],
            inputs: &["Outlet"],
            registry: None,
            args: &[],
            expect: Read(1, &[("Outlet/b.txt", 1, "a link that leads to no file"), ("Outlet/c.txt", 1, "a link that leads to no file")]),
        },
        Case {
            name: "the same file name in two outlet folders",
            files: vec![("e/", Vec::new()), ("e/Alpha/", Vec::new()), ("e/Beta/", Vec::new()),
                ("e/Alpha/2023-01-05.txt", b"Lopez won.".to_vec()), ("e/Beta/2023-01-05.txt", b"Zorro won.".to_vec())],
            inputs: &["e"],
            registry: None,
            args: &[],
            expect: Read(2, &[]),
        },
        case("a run-on text with no sentence end", "a.jsonl", line("long", &("lorem ".repeat(49) + "Andres Lopez ").repeat(300)).into_bytes(), Mentions(1, 300)),
        case("names written with decomposed accents, no-break spaces and line breaks", "a.jsonl", jsonl(&[
            &line("n1", "Andre\\u0301s\\u00a0Lopez won."), &line("n2", "Andrés  López spoke."), &line("n3", "Then Andrés\\nLópez left."),
        ]), Mentions(3, 3)),
        Case {
            name: "a registry name without accents, the text with them",
            files: vec![("a.jsonl", jsonl(&[&line("n1", "López Obrador won."), &line("n2", "Lopez Obrador won.")]))],
            inputs: &[],
            registry: Some(b"id,name,aliases,camp,kind\namlo,Andres Manuel Lopez Obrador,Lopez Obrador,left,person\nzorro,Zed Zorro,,right,person\n"),
            args: &[],
            expect: Mentions(2, 2),
        }.with_inputs(),
        Case {
            name: "an actor whose only variants differ by accent and apostrophe",
            files: vec![("a.jsonl", jsonl(&[&line("n1", "O'Neil won."), &line("n2", "O’Neil won."), &line("n3", "Ó’Neil won.")]))],
            inputs: &[],
            registry: Some(b"id,name,aliases,camp,kind\noneil,O'Neil,O\xe2\x80\x99Neil|\xc3\x93'Neil,left,person\nzorro,Zed Zorro,,right,person\n"),
            args: &[],
            expect: Mentions(3, 3),
        }.with_inputs(),
        Case {
            name: "a folder of .jsonl files",
            files: vec![("Dumps/", Vec::new()), ("Dumps/a.jsonl", good("g1").into_bytes())],
            inputs: &["Dumps"],
            registry: None,
            args: &[],
            expect: Stop("no .txt files in this folder"),
        },
        Case {
            name: "a nonexistent input (after a good one)",
            files: vec![("a.jsonl", good("g1").into_bytes())],
            inputs: &["a.jsonl", "missing.jsonl"],
            registry: None,
            args: &[],
            expect: Stop("missing.jsonl: no such input file or folder"),
        },
        // Registry.
        registry("a registry with a duplicate id", b"id,name,aliases,camp,kind\nlopez,Andres Lopez,,left,person\nlopez,Ana Lopez,,right,person\n",
            Stop("actor id \"lopez\" is already defined at")),
        registry("a registry with an alias on two actors", b"id,name,aliases,camp,kind\nlopez,Andres Lopez,Lopez,left,person\nzorro,Zed Zorro,Lopez,right,person\n",
            Stop("\"Lopez\" names both \"lopez\"")),
        registry("a registry with aliases on two actors that differ by apostrophe", b"id,name,aliases,camp,kind\noneil,Ann O'Neil,O'Neil,left,person\noneal,Bo O'Neal,O\xe2\x80\x99Neil,right,person\n",
            Stop("\"O\u{2019}Neil\" (matched like \"O'Neil\") names both \"oneil\"")),
        registry("a registry with aliases on two actors that differ by accent", b"id,name,aliases,camp,kind\nlopez,Andres Lopez,Lopez,left,person\nlopez2,Ana Lopez,L\xc3\xb3pez,right,person\n",
            Stop("names both \"lopez\"")),
        registry("a registry without a column", b"id,name,camp\nlopez,Andres Lopez,left\n",
            Stop("no \"aliases\" column")),
        registry("a registry with an empty alias (ignored)", b"id,name,aliases,camp,kind\nlopez,Andres Lopez,Lopez||,left,person\nzorro,Zed Zorro,,right,person\n",
            Read(1, &[])),
        registry("a registry with a byte order mark", b"\xef\xbb\xbfid,name,aliases,camp,kind\nlopez,Andres Lopez,Lopez,left,person\nzorro,Zed Zorro,,right,person\n",
            Read(1, &[])),
        registry("a camp that no --axis names (kept, off the axis)", b"id,name,aliases,camp,kind\nlopez,Andres Lopez,Lopez,left,person\nzorro,Zed Zorro,,right,person\nyan,Yan Li,,centre,person\n",
            Read(1, &[])),
        // Flags and output.
        flags("a malformed --axis", &["--axis", "left;right"], Usage("--axis")),
        flags("an --axis of one camp", &["--axis", "left"], Usage("--axis")),
        flags("an --axis with a camp on both sides", &["--axis", "left,left"], Usage("--axis")),
        flags("an --axis of a comma", &["--axis", ","], Usage("--axis")),
        flags("--threads 0", &["--threads", "0"], Usage("--threads 0: give 1 to")),
        flags("--threads 100000", &["--threads", "100000"], Usage("--threads 100000: give 1 to")),
        flags("--resamples 1", &["--resamples", "1"], Usage("at least 50")),
        flags("--keep-fields with an empty name", &["--keep-fields", "url,nope,"], Usage("an empty field name")),
        flags("--keep-fields naming an output column", &["--keep-fields", "article_id"], Usage("--keep-fields \"article_id\": articles.csv already has")),
        flags("--keep-fields naming the outlet column", &["--keep-fields", "outlet"], Usage("--keep-fields \"outlet\"")),
        flags("an --axis camp the registry lacks", &["--axis", "left,nowhere"], Stop("\"nowhere\" is not a camp")),
        flags("--out naming a file", &["--out", "a.jsonl"], Stop("exists and is not a directory")),
        flags("--out inside a file", &["--out", "a.jsonl/run"], Stop("a.jsonl")),
    ]
}

fn registry(name: &'static str, registry: &'static [u8], expect: Expect) -> Case {
    Case {
        name,
        files: vec![("a.jsonl", good("g1").into_bytes())],
        inputs: &[],
        registry: Some(registry),
        args: &[],
        expect,
    }
    .with_inputs()
}

fn flags(name: &'static str, args: &'static [&'static str], expect: Expect) -> Case {
    Case {
        name,
        files: vec![("a.jsonl", good("g1").into_bytes())],
        inputs: &[],
        registry: None,
        args,
        expect,
    }
    .with_inputs()
}

fn run_case(case: &Case, dir: &Path) -> Result<(), String> {
    for (name, bytes) in &case.files {
        let path = dir.join(name);
        if name.ends_with('/') {
            std::fs::create_dir_all(&path).unwrap();
        } else if let Some((link, target)) = name.split_once(" -> ") {
            std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
        } else if name.ends_with("loop") {
            std::os::unix::fs::symlink(path.parent().unwrap(), &path).unwrap();
        } else {
            std::fs::write(&path, bytes).unwrap();
        }
    }
    std::fs::write(
        dir.join("actors.csv"),
        case.registry.unwrap_or(REGISTRY.as_bytes()),
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_slant"));
    command
        .current_dir(dir)
        .env_remove("SLANT_MODEL")
        .args(["--quiet", "score"])
        .args(case.inputs)
        .args(["--actors", "actors.csv", "--backend", "candle"])
        .arg("--model")
        .arg(root.join("models/minilm-stance"));
    if !case.args.contains(&"--resamples") {
        command.args(["--resamples", "50"]);
    }
    if !case.args.contains(&"--axis") {
        command.args(["--axis", "left,right"]);
    }
    if !case.args.contains(&"--out") {
        command.args(["--out", "out"]);
    }
    let output = command.args(case.args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code();
    if code == Some(101) || stderr.contains("panicked") {
        return Err(format!("panicked: {stderr}"));
    }
    let out = dir.join("out");
    match &case.expect {
        Expect::Stop(message) | Expect::Usage(message) => {
            let expected = if matches!(case.expect, Expect::Stop(_)) {
                1
            } else {
                2
            };
            if code != Some(expected) || !stderr.contains(message) {
                return Err(format!(
                    "expected exit {expected} with {message:?}, got {code:?}: {stderr}"
                ));
            }
            if out.join("run.json").exists() || out.join(".partial").exists() {
                return Err("a stopped run left tables behind".into());
            }
        }
        Expect::Read(..) | Expect::Mentions(..) => {
            let (articles, rejects, mentions) = match &case.expect {
                Expect::Read(articles, rejects) => (articles, *rejects, None),
                Expect::Mentions(articles, mentions) => (articles, &[][..], Some(*mentions)),
                _ => unreachable!(),
            };
            if code != Some(0) {
                return Err(format!("expected success, got {code:?}: {stderr}"));
            }
            let rows = |file: &str| -> Vec<csv::StringRecord> {
                csv::Reader::from_path(out.join(file))
                    .unwrap()
                    .records()
                    .map(Result::unwrap)
                    .collect()
            };
            let found_articles = rows("articles.csv").len();
            if found_articles != *articles {
                return Err(format!("{found_articles} articles, expected {articles}"));
            }
            let found_mentions = rows("mentions.csv").len();
            if mentions.is_some_and(|m| m != found_mentions) {
                return Err(format!("{found_mentions} mentions, expected {mentions:?}"));
            }
            let found: Vec<(String, u64, String)> = rows("rejects.csv")
                .iter()
                .map(|r| (r[0].to_string(), r[1].parse().unwrap(), r[3].to_string()))
                .collect();
            let matches = found.len() == rejects.len()
                && found
                    .iter()
                    .zip(rejects.iter())
                    .all(|(f, e)| f.0 == e.0 && f.1 == e.1 && f.2.contains(e.2));
            if !matches {
                return Err(format!("rejects {found:?}, expected {rejects:?}"));
            }
            let run: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
            let (mut records, mut scored, mut rejected) = (0, 0, 0);
            for input in run["inputs"].as_array().unwrap() {
                let n = |k: &str| input[k].as_u64().unwrap();
                if n("records") != n("articles") + n("rejected") {
                    return Err(format!("run.json input does not add up: {input}"));
                }
                records += n("records");
                scored += n("articles");
                rejected += n("rejected");
            }
            let counts = &run["counts"];
            if counts["records"].as_u64() != Some(records)
                || scored != *articles as u64
                || rejected != rejects.len() as u64
            {
                return Err(format!(
                    "accounting: inputs {records} = {scored} + {rejected}, counts {counts}"
                ));
            }
        }
    }
    Ok(())
}

fn every_bad_input_has_its_documented_outcome() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        if let Err(e) = run_case(case, dir.path()) {
            failures.push(format!("{}: {e}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

crate::trials! {
    every_bad_input_has_its_documented_outcome,
}
