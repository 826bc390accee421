//! Where a [`super::PdfReader`] gets its bytes: positioned reads — a small file read whole once
//! ([`InputFile`]), never a large one.

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

/// Random-access bytes of a PDF file (ISO 32000-2 §7.5: a file is read from the end via
/// byte offsets, so a reader needs positioned reads, not a stream).
///
/// Implemented for [`std::fs::File`] (positioned reads, no shared cursor), `[u8]`,
/// `Vec<u8>`, and through `&T`, `Box<T>` and `Arc<T>` for any source `T` (so `&[u8]`,
/// `Arc<[u8]>` and `Arc<File>` work).
pub trait Source: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// Whether the source is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads bytes at `offset` into `buf`; returns how many were read (0 at or past the
    /// end). May read fewer than `buf.len()` bytes.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;
}

impl Source for [u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let Ok(start) = usize::try_from(offset) else {
            return Ok(0);
        };
        let Some(rest) = self.get(start..) else {
            return Ok(0);
        };
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
}

impl Source for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        Source::read_at(self.as_slice(), offset, buf)
    }
}

impl Source for std::fs::File {
    /// The length from the file's metadata (0 if it cannot be read).
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }

    /// `pread`, repeated until `buf` is full or the end of the file.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        use std::os::unix::fs::FileExt;
        #[cfg(windows)]
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while done < buf.len() {
            #[cfg(unix)]
            let r = FileExt::read_at(self, &mut buf[done..], offset + done as u64);
            #[cfg(windows)]
            let r = FileExt::seek_read(self, &mut buf[done..], offset + done as u64);
            match r {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }
}

impl<T: Source + ?Sized> Source for &T {
    fn len(&self) -> u64 {
        (**self).len()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
}

impl<T: Source + ?Sized> Source for Box<T> {
    fn len(&self) -> u64 {
        (**self).len()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
}

impl<T: Source + ?Sized> Source for Arc<T> {
    fn len(&self) -> u64 {
        (**self).len()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
}

/// Files up to this size are read whole into memory by [`InputFile::open`].
const IN_MEMORY_MAX: u64 = 1 << 20;

/// A PDF file opened for reading: read whole into memory when it is small (up to 1 MiB, the
/// size of most office documents) — one `read` instead of a positioned read for each
/// structure the reader visits, and no `stat` for each length asked — and read in place
/// otherwise, so a large file never sits in memory. Its length is taken once, when opened.
#[derive(Debug)]
pub(crate) enum InputFile {
    /// A small file's bytes.
    Memory(Vec<u8>),
    /// A large file, and its length when it was opened.
    File {
        /// The open file.
        file: std::fs::File,
        /// Its length when opened.
        len: u64,
    },
}

impl InputFile {
    /// Opens `path` (reading it into memory when small).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Input`] naming `path` when it cannot be opened or read.
    pub(crate) fn open(path: &Path) -> crate::Result<Self> {
        Self::open_io(path).map_err(|e| crate::Error::Input {
            path: path.to_path_buf(),
            source: e,
        })
    }

    fn open_io(path: &Path) -> io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len > IN_MEMORY_MAX {
            return Ok(Self::File { file, len });
        }
        // The length was read a moment ago: a file that grew since is read as it was then.
        let mut data = Vec::with_capacity(len as usize);
        file.take(len).read_to_end(&mut data)?;
        Ok(Self::Memory(data))
    }
}

impl Source for InputFile {
    fn len(&self) -> u64 {
        match self {
            Self::Memory(data) => data.len() as u64,
            Self::File { len, .. } => *len,
        }
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Memory(data) => Source::read_at(data.as_slice(), offset, buf),
            Self::File { file, len } => {
                let room = len.saturating_sub(offset).min(buf.len() as u64) as usize;
                Source::read_at(file, offset, &mut buf[..room])
            }
        }
    }
}

/// Reads up to `buf.len()` bytes at `offset`, looping over short reads; returns how many.
pub(crate) fn read_full_at<S: Source + ?Sized>(
    src: &S,
    offset: u64,
    buf: &mut [u8],
) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match src.read_at(offset + done as u64, &mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n.min(buf.len() - done),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// The first `len` bytes of another source: the document as it was at the end of an earlier
/// revision (ISO 32000-2 §7.5.6), for reading a signed revision apart from later updates.
#[derive(Debug, Clone, Copy)]
pub struct Prefix<S> {
    inner: S,
    len: u64,
}

impl<S: Source> Prefix<S> {
    /// The first `len` bytes of `inner` (all of it if `len` is longer).
    pub fn new(inner: S, len: u64) -> Self {
        let len = len.min(inner.len());
        Self { inner, len }
    }
}

impl<S: Source> Source for Prefix<S> {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        let room = (self.len - offset).min(buf.len() as u64) as usize;
        self.inner.read_at(offset, &mut buf[..room])
    }
}

/// Another source with bytes appended: a document with an incremental update planned but not
/// yet written, read as it will be (so a later update — a document time-stamp over a DSS —
/// is made in the same pass over the original).
#[derive(Debug, Clone)]
pub struct Appended<S> {
    inner: S,
    tail: Vec<u8>,
}

impl<S: Source> Appended<S> {
    /// `inner` followed by `tail`.
    pub fn new(inner: S, tail: Vec<u8>) -> Self {
        Self { inner, tail }
    }
}

impl<S: Source> Source for Appended<S> {
    fn len(&self) -> u64 {
        self.inner.len() + self.tail.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let base = self.inner.len();
        if offset < base {
            return self.inner.read_at(offset, buf);
        }
        Source::read_at(self.tail.as_slice(), offset - base, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(source: &impl Source) -> Vec<u8> {
        let mut buf = vec![0; source.len() as usize + 10];
        let n = read_full_at(source, 0, &mut buf).expect("read");
        buf.truncate(n);
        buf
    }

    #[test]
    fn a_small_file_is_read_into_memory_and_a_large_one_in_place() {
        let dir = tempfile::tempdir().expect("temp dir");
        let small = dir.path().join("small.pdf");
        std::fs::write(&small, b"%PDF-1.7 small").expect("write");
        let opened = InputFile::open(&small).expect("open");
        assert!(matches!(opened, InputFile::Memory(_)));
        assert_eq!(all(&opened), b"%PDF-1.7 small");

        let large = dir.path().join("large.pdf");
        let bytes: Vec<u8> = (0..IN_MEMORY_MAX + 7).map(|i| (i % 251) as u8).collect();
        std::fs::write(&large, &bytes).expect("write");
        let opened = InputFile::open(&large).expect("open");
        assert!(matches!(opened, InputFile::File { .. }));
        assert_eq!(opened.len(), bytes.len() as u64);
        let mut tail = [0u8; 16];
        let n = opened
            .read_at(IN_MEMORY_MAX - 3, &mut tail)
            .expect("read tail");
        assert_eq!(&tail[..n], &bytes[(IN_MEMORY_MAX - 3) as usize..]);
    }

    #[test]
    fn a_file_is_read_as_it_was_when_opened() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("growing.pdf");
        let bytes = vec![b'x'; (IN_MEMORY_MAX + 1) as usize];
        std::fs::write(&path, &bytes).expect("write");
        let opened = InputFile::open(&path).expect("open");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(b"appended later"))
            .expect("append");
        assert_eq!(opened.len(), bytes.len() as u64);
        assert_eq!(all(&opened), bytes);
    }
}
