//! Finding and running the external tools.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// The fix named in every "not installed" panic.
const FIX: &str = "run scripts/test.sh";

/// Panics with a clear message unless `program` is on `PATH`.
pub(crate) fn require(program: &str) {
    static FOUND: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    let mut found = FOUND
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let ok = *found
        .entry(program.to_owned())
        .or_insert_with(|| find_in_path(program).is_some());
    if !ok {
        panic!("{program} not installed: {FIX}");
    }
}

/// Panics with a clear message unless `python3` can import pyHanko.
pub(crate) fn require_pyhanko() {
    static OK: OnceLock<bool> = OnceLock::new();
    require("python3");
    let ok = *OK.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import pyhanko.sign, pyhanko_certvalidator"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !ok {
        panic!("pyHanko not installed (python3 -c 'import pyhanko' fails): {FIX}");
    }
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Runs `program args…` in `dir` (or the current directory), returning its output
/// whatever its exit status. Panics only if it cannot be started.
pub(crate) fn run<I, S>(program: &str, args: I, dir: Option<&Path>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    require(program);
    let mut cmd = Command::new(program);
    cmd.args(args);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

/// Like [`run`], but panics with the command line and its output unless it exits 0.
pub(crate) fn run_ok<I, S>(program: &str, args: I, dir: Option<&Path>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let out = run(program, &args, dir);
    if !out.status.success() {
        panic!(
            "`{program} {}` failed ({}):\n{}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            out.status,
            combined(&out)
        );
    }
    out
}

/// Stdout then stderr, as text.
pub(crate) fn combined(out: &Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    if !err.trim().is_empty() {
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
        s.push_str(&err);
    }
    s
}

/// Writes the Python `script` as `dir/name`, runs it with `args`, and returns the process and
/// the port it prints first (the loopback servers of [`crate::tsa`] and [`crate::ltv`]).
///
/// # Panics
///
/// If `python3` is missing or the script prints no port.
pub(crate) fn spawn_python_server(
    dir: &Path,
    name: &str,
    script: &str,
    args: &[&OsStr],
) -> (std::process::Child, u16) {
    use std::io::BufRead;
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap_or_else(|e| panic!("write {name}: {e}"));
    let mut child = std::process::Command::new("python3")
        .arg(&path)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("python3: {e}: {FIX}"));
    let stdout = child.stdout.take().expect("the server's stdout");
    let mut port = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut port)
        .expect("the server's port");
    let port = port
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{name} printed no port: {port:?}"));
    (child, port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "kyso-no-such-tool not installed: run scripts/test.sh")]
    fn a_missing_tool_panics_with_the_fix() {
        require("kyso-no-such-tool");
    }

    #[test]
    fn finds_a_tool_on_path() {
        assert!(find_in_path("sh").is_some());
    }
}
