//! `sign-floor ID.p12 PASSWORD_FILE IN_DIR OUT_DIR APPENDED`: the floor under any batch
//! signer that keeps kyso's file rules — what is left when the PDF work is taken out. In one
//! process, as `kyso sign-batch` runs: load the PKCS#12 identity, list IN_DIR, then on every
//! core, for each file, read it, sign a 230-byte message (the size of a CMS's signed
//! attributes) with the key, write the file's bytes and APPENDED more (what kyso appends to
//! the same file with the same identity: benches/batch.sh measures it) to a new temporary file
//! beside the output and rename it onto `OUT_DIR/<name>`. No parsing, no CMS, no PDF update.
//! benches/batch.sh times the whole process beside `kyso sign-batch` and `sign-limit` in the
//! same round: batch ÷ floor is the share of the time kyso's own work leaves, floor ÷ limit
//! what the file system and start-up leave to any signer.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use kyso_cms::Signer;
use kyso_token::SoftwareSigner;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let (Some(p12), Some(password_file), Some(input), Some(output), Some(appended)) = (
        args.next(),
        args.next(),
        args.next(),
        args.next(),
        args.next(),
    ) else {
        return Err("usage: sign-floor ID.p12 PASSWORD_FILE IN_DIR OUT_DIR APPENDED".into());
    };
    let appended = appended.parse::<usize>()?;
    let password = fs::read_to_string(&password_file)?;
    let password = password.lines().next().unwrap_or_default();
    let signer = SoftwareSigner::from_pkcs12(&fs::read(&p12)?, password)?;
    let mut files = fs::read_dir(&input)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?;
    files.sort();
    let output = PathBuf::from(output);
    let padding = vec![b'0'; appended];
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        let handles = (0..workers)
            .map(|worker| {
                let (signer, files, output, padding, next) =
                    (&signer, &files, &output, &padding, &next);
                scope.spawn(move || -> Result<(), BoxError> {
                    let mut serial = 0usize;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            return Ok(());
                        };
                        serial += 1;
                        let temp = format!(".floor-{worker}-{serial}.part");
                        one_document(signer, file, output, &temp, padding)?;
                    }
                })
            })
            .collect::<Vec<_>>();
        handles
            .into_iter()
            .try_for_each(|h| h.join().map_err(|_| BoxError::from("worker panicked"))?)
    })
}

/// Reads `file`, signs, writes it with `padding` appended to `temp` in `output` and renames
/// that onto the file's name in `output`.
fn one_document(
    signer: &SoftwareSigner,
    file: &Path,
    output: &Path,
    temp: &str,
    padding: &[u8],
) -> Result<(), BoxError> {
    let mut bytes = fs::read(file)?;
    let signature = signer.sign(&[0x31u8; 230])?;
    bytes.extend_from_slice(&padding[..padding.len().saturating_sub(signature.len())]);
    bytes.extend_from_slice(&signature);
    let name = file.file_name().ok_or("input without a file name")?;
    let temp = output.join(temp);
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    out.write_all(&bytes)?;
    drop(out);
    fs::rename(&temp, output.join(name))?;
    Ok(())
}
