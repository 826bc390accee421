//! The shared directory and the build-once-then-rename protocol.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The environment variable that overrides [`shared_dir`].
pub const SHARED_DIR_ENV: &str = "KYSO_TESTKIT_DIR";

/// The directory where generated artefacts (test PKI, corpus) are kept and shared by
/// every test process.
///
/// It is `$KYSO_TESTKIT_DIR` if that is set, otherwise `<target>/kyso-testkit`, where
/// `<target>` is the Cargo target directory: `$CARGO_TARGET_DIR` if set, else the
/// nearest ancestor of the running test executable holding Cargo's `CACHEDIR.TAG`,
/// else `target/` under the workspace root found by walking up from
/// `$CARGO_MANIFEST_DIR`. The directory is created if missing.
///
/// Inside it, each artefact has a versioned directory of its own (`pki-v1`,
/// `corpus-v1`); delete them to have them made again.
pub fn shared_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = locate_shared_dir();
        fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create kyso-testkit dir {}: {e}", dir.display()));
        dir
    })
}

fn locate_shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(SHARED_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    target_dir().join("kyso-testkit")
}

fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir().map(|c| c.join(&dir)).unwrap_or(dir)
        };
    }
    // A test executable lives in `<target>/[<triple>/]<profile>/deps/`; Cargo marks
    // `<target>` with a CACHEDIR.TAG file.
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe
            .ancestors()
            .skip(1)
            .find(|d| d.join("CACHEDIR.TAG").is_file())
    {
        return dir.to_path_buf();
    }
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    // The workspace root is the outermost ancestor holding a Cargo.lock.
    let root = manifest_dir
        .ancestors()
        .filter(|d| d.join("Cargo.lock").is_file())
        .last()
        .unwrap_or(&manifest_dir)
        .to_path_buf();
    root.join("target")
}

/// Returns `shared_dir()/name`, building it first if it does not exist.
///
/// `build` fills a fresh temporary directory beside the final one; that directory is
/// then renamed into place. Since `rename` of a directory onto an existing non-empty
/// one fails, the first process to finish wins and the others drop their copy and use
/// the winner's. A directory that exists is therefore always complete.
pub(crate) fn build_once(name: &str, build: impl FnOnce(&Path)) -> PathBuf {
    build_once_in(shared_dir(), name, build)
}

fn build_once_in(base: &Path, name: &str, build: impl FnOnce(&Path)) -> PathBuf {
    let final_dir = base.join(name);
    if final_dir.is_dir() {
        return final_dir;
    }
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .tempdir_in(base)
        .unwrap_or_else(|e| panic!("cannot create a temp dir in {}: {e}", base.display()));
    build(tmp.path());
    match fs::rename(tmp.path(), &final_dir) {
        Ok(()) => {
            // Already moved: nothing left for the TempDir guard to delete.
            let _ = tmp.keep();
        }
        Err(e) if final_dir.is_dir() => {
            // Lost the race: `tmp` is deleted when dropped, the winner's copy is used.
            let _ = e;
        }
        Err(e) => panic!(
            "cannot move {} into place at {}: {e}",
            tmp.path().display(),
            final_dir.display()
        ),
    }
    final_dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn racing_builders_agree_on_one_complete_directory() {
        let base = tempfile::tempdir().unwrap();
        let dirs: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let base = base.path();
                    s.spawn(move || {
                        build_once_in(base, "thing-v1", |d| {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            fs::write(d.join("a"), format!("{i}")).unwrap();
                            fs::write(d.join("b"), format!("{i}")).unwrap();
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let dir = base.path().join("thing-v1");
        assert!(dirs.iter().all(|d| *d == dir));
        // Both files come from the same (winning) builder.
        assert_eq!(
            fs::read(dir.join("a")).unwrap(),
            fs::read(dir.join("b")).unwrap()
        );
        // The losers' temporary directories are gone.
        let entries: Vec<_> = fs::read_dir(base.path()).unwrap().collect();
        assert_eq!(entries.len(), 1);
        // Once built, the builder is not called again.
        build_once_in(base.path(), "thing-v1", |_| panic!("rebuilt"));
    }
}
