//! An installed `slant` (`cargo install --path .` copies only the executable) finds its
//! default model next to itself before falling back to the source tree, and records which.

use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

fn an_installed_binary_finds_the_model_beside_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("slant");
    std::fs::copy(env!("CARGO_BIN_EXE_slant"), &exe).unwrap();
    let beside = bin.join("models/minilm-stance");
    copy_dir(&root.join("models/minilm-stance"), &beside);
    let out = dir.path().join("out");
    let demo = root.join("datasets/demo/articles.jsonl");
    crate::common::score_on_candle(&exe, &out, &[demo.as_os_str()]);
    let run = slant::schema::RunManifest::read(&out).unwrap();
    assert_eq!(run.model.path, beside.display().to_string());
}

crate::trials! {
    an_installed_binary_finds_the_model_beside_it,
}
