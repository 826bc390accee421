//! Copying the original document into the output, hashing it on the way (one read, the hash
//! on its own thread).

use std::io::Write;

use kyso_cms::Hasher;

use crate::reader::Source;
use crate::{Error, Result};

/// Copies the whole source to `out` (an update that signs nothing needs no hash).
pub(super) fn copy_plain<S: Source, W: Write>(source: &S, out: &mut W) -> Result<()> {
    let len = source.len();
    let mut buf = vec![0u8; chunk_for(len)];
    let mut at = 0u64;
    while at < len {
        let want = usize::try_from((len - at).min(buf.len() as u64)).unwrap_or(buf.len());
        let n = crate::reader::read_full_at(source, at, &mut buf[..want])?;
        if n == 0 {
            return Err(Error::Truncated { offset: at });
        }
        out.write_all(&buf[..n])?;
        at += n as u64;
    }
    Ok(())
}

/// Copies the whole source to `out`, hashing as it goes: the one read of the original.
///
/// Hashing runs on a second thread while this one reads and writes, so signing a large file
/// costs about one SHA pass, not a SHA pass plus a copy. At most [`COPY_QUEUE`] chunks of
/// [`COPY_CHUNK`] bytes are in flight: memory does not grow with the file. A source of one
/// chunk or less is read, written and hashed on this thread: a thread and a megabyte buffer
/// would cost more than the copy (a batch of small documents is bound by them).
pub(super) fn copy_hashing<S: Source, W: Write>(
    source: &S,
    out: &mut W,
    hasher: &mut Hasher,
) -> Result<()> {
    use std::sync::mpsc::{channel, sync_channel};

    let len = source.len();
    if len <= COPY_CHUNK as u64 {
        let mut buf = vec![0u8; chunk_for(len)];
        let n = crate::reader::read_full_at(source, 0, &mut buf)?;
        if (n as u64) < len {
            return Err(Error::Truncated { offset: n as u64 });
        }
        out.write_all(&buf)?;
        hasher.update(&buf);
        return Ok(());
    }
    // Full chunks go to the hashing thread, empty buffers come back: a fixed pool, no
    // allocation (and no fresh zeroed pages) per chunk.
    let (to_hash, hash_rx) = sync_channel::<Vec<u8>>(COPY_QUEUE);
    let (to_reuse, reuse_rx) = channel::<Vec<u8>>();
    let start = hasher.clone();
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let mut h = start;
            for chunk in hash_rx {
                h.update(&chunk);
                // The reader may be gone after an error; the buffer is then just dropped.
                let _ = to_reuse.send(chunk);
            }
            h
        });
        let mut offset = 0u64;
        let mut allocated = 0;
        let copied = (|| -> Result<()> {
            while offset < len {
                let want = ((len - offset) as usize).min(COPY_CHUNK);
                let mut buf = match reuse_rx.try_recv() {
                    Ok(b) => b,
                    Err(_) if allocated < COPY_QUEUE + 2 => {
                        allocated += 1;
                        vec![0u8; COPY_CHUNK]
                    }
                    Err(_) => reuse_rx
                        .recv()
                        .map_err(|_| Error::Internal("the hashing thread stopped"))?,
                };
                buf.resize(want, 0);
                let n = crate::reader::read_full_at(source, offset, &mut buf)?;
                if n == 0 {
                    return Err(Error::Truncated { offset });
                }
                buf.truncate(n);
                out.write_all(&buf)?;
                // The hasher thread only stops early if it panicked; the join reports that.
                let _ = to_hash.send(buf);
                offset += n as u64;
            }
            Ok(())
        })();
        drop(to_hash);
        match worker.join() {
            Ok(h) => *hasher = h,
            Err(_) => return Err(Error::Internal("the hashing thread panicked")),
        }
        copied
    })
}

/// The buffer for copying `len` bytes: a chunk, or less for a smaller source.
fn chunk_for(len: u64) -> usize {
    usize::try_from(len).map_or(COPY_CHUNK, |l| l.min(COPY_CHUNK))
}

/// Bytes read, hashed and written per step when copying the original.
pub(super) const COPY_CHUNK: usize = 1 << 20;
/// Chunks queued for the hashing thread.
pub(super) const COPY_QUEUE: usize = 4;
