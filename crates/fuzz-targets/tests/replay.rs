//! Replays every committed fuzz input through its target as an ordinary test, without libFuzzer:
//! the hand-picked seeds (`fuzz/seeds/<target>/`), the minimized corpus fuzzing grew
//! (`fuzz/corpus/<target>/`) and the inputs that once failed (`tests/fuzz-regressions/<target>/`).
//! `make fuzz` is what searches for new inputs.

use tailscale_fuzz_targets as fuzz_targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The repository's root, where the committed inputs are.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"));
    files.sort();
    files
}

/// Every folder of committed inputs is named for a target (a misspelt one would never replay).
#[test]
fn every_input_folder_belongs_to_a_target() {
    for dir in ["fuzz/seeds", "fuzz/corpus", "tests/fuzz-regressions"] {
        let folders = std::fs::read_dir(root().join(dir)).unwrap().flatten();
        for folder in folders.filter(|e| e.path().is_dir()) {
            let name = folder.file_name().into_string().unwrap();
            let known = fuzz_targets::TARGETS.iter().any(|(n, _)| *n == name);
            assert!(
                known || name == "canaries",
                "{dir}/{name} is no fuzz target"
            );
        }
    }
}

#[test]
fn every_committed_input_passes_its_target() {
    let mut failures = Vec::new();
    for (name, target) in fuzz_targets::TARGETS {
        let seeds = inputs(&root().join("fuzz/seeds").join(name));
        let corpus = inputs(&root().join("fuzz/corpus").join(name));
        let regressions = inputs(&root().join("tests/fuzz-regressions").join(name));
        assert!(!seeds.is_empty(), "{name} has no seeds");
        for file in seeds.iter().chain(&corpus).chain(&regressions) {
            let data = std::fs::read(file).unwrap();
            if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
                failures.push(file.strip_prefix(root()).unwrap().display().to_string());
            }
        }
        println!(
            "{name}: {} seeds, {} corpus and {} regression inputs",
            seeds.len(),
            corpus.len(),
            regressions.len()
        );
    }
    assert!(failures.is_empty(), "inputs that fail: {failures:#?}");
}

/// Each target has its libFuzzer binary and `[[bin]]`, and each binary is a target here.
#[test]
fn the_fuzz_crate_builds_every_target() {
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    let names: Vec<&str> = fuzz_targets::TARGETS.iter().map(|(n, _)| *n).collect();
    for name in &names {
        let source = std::fs::read_to_string(root().join(format!("fuzz/fuzz_targets/{name}.rs")))
            .unwrap_or_else(|_| panic!("fuzz/fuzz_targets/{name}.rs is missing"));
        assert!(
            source.contains(&format!("tailscale_fuzz_targets::{name}(data)")),
            "{name}.rs must run the shared target {name}"
        );
        assert!(
            manifest.contains(&format!(
                "name = \"{name}\"\npath = \"fuzz_targets/{name}.rs\""
            )),
            "fuzz/Cargo.toml has no [[bin]] for {name}"
        );
    }
    for file in inputs(&root().join("fuzz/fuzz_targets")) {
        let stem = file.file_stem().unwrap().to_str().unwrap();
        assert!(
            names.contains(&stem),
            "fuzz/fuzz_targets/{stem}.rs is not in TARGETS"
        );
    }
}

/// The planted bugs of `make fuzz-canary` exist only under `--cfg fuzz_canary`: the inputs that
/// trigger them pass in this build.
#[test]
fn no_canary_without_its_cfg() {
    let dir = root().join("tests/fuzz-regressions/canaries");
    let files = inputs(&dir);
    assert!(!files.is_empty());
    for file in files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let target = name.split('-').next().unwrap();
        let (_, run) = fuzz_targets::TARGETS
            .iter()
            .find(|(n, _)| *n == target)
            .unwrap_or_else(|| panic!("{name}: no target {target}"));
        run(&std::fs::read(&file).unwrap());
    }
}
