// Shared by the fuzz targets: the input written to a file in memory-backed storage (the
// reader and the registry read files, as they do in a run).
use std::path::PathBuf;

pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::var_os("SLANT_FUZZ_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let path = dir.join(format!("slant-fuzz-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("write the fuzz input");
    path
}
