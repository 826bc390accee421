//! Where outputs are written: a temporary file beside the final path, renamed onto it once
//! complete (no half-written output is ever seen under the final name, and the input is never
//! the output), created with the permissions any new file gets — `0666` less the process's
//! umask on Unix, as `cp` or an editor would make it — not the `0600` of a temporary file.

use std::path::{Path, PathBuf};

/// A temporary file in `output`'s folder, to be persisted onto `output` when complete
/// (`tempfile::NamedTempFile::persist`); dropped, it is removed.
///
/// # Errors
///
/// The I/O error of creating it (the folder does not exist, is not writable).
pub fn temp_beside(output: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kyso-").suffix(".part");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode given to open(2); the kernel takes the umask off it.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Writes `bytes` to `output` the way every output is written: into a temporary file beside
/// it ([`temp_beside`]), flushed to the disk first when `sync`, then renamed onto it.
///
/// # Errors
///
/// The I/O error of creating, writing, syncing or renaming the temporary file (which is then
/// removed); `output` is left as it was.
pub fn write_atomically(output: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = temp_beside(output)?;
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(output).map_err(|e| e.error)?;
    Ok(())
}
