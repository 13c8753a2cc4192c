//! Bytes written once, in order, and read back whole later, without being held whole: kept
//! in memory up to [`MEMORY`] bytes, and past that in a temporary file. A tournament's part
//! needs it: its sessions finish one by one, but the part opens with their scores (first in
//! the sorted keys, known only at the end), so the sessions (packed,
//! [`detente_sim::SessionRecord::pack`]) wait here, at most a few megabytes of them in
//! memory however many sessions there are.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// The bytes gathered in memory before they are handed to be written to the file.
pub const MEMORY: usize = 4 << 20;

/// Text pushed in order: the last bytes in memory, the rest in a temporary file.
pub struct Spill {
    memory: Vec<u8>,
    /// The thread writing full buffers to the temporary file, from the first one on.
    writer: Option<Writer>,
    /// The temporary file, once [`Spill::finish`] has waited for the writer.
    file: Option<TempFile>,
    /// The first failure to create the file (nothing more is kept after it; a failure to
    /// write it is the writer's answer).
    failed: Option<std::io::Error>,
    limit: usize,
}

/// A thread writing the full buffers it is handed to the file, in order, handing them back
/// empty, so that the writes (whose time is the kernel's) do not hold up the pushes (made
/// where the tournament keeps its sessions in order, the other workers waiting).
struct Writer {
    full: std::sync::mpsc::SyncSender<Vec<u8>>,
    empty: std::sync::mpsc::Receiver<Vec<u8>>,
    thread: std::thread::JoinHandle<std::io::Result<TempFile>>,
}

impl Writer {
    fn start(mut file: TempFile) -> Writer {
        // One full buffer waits while another is written: the memory is at most three.
        let (full, full_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
        let (empty_tx, empty) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            for mut buf in full_rx {
                file.file.write_all(&buf)?;
                buf.clear();
                let _ = empty_tx.send(buf);
            }
            Ok(file)
        });
        Writer { full, empty, thread }
    }
}

impl Spill {
    /// Nothing yet.
    pub fn new() -> Spill {
        Spill::with_limit(MEMORY)
    }

    fn with_limit(limit: usize) -> Spill {
        Spill { memory: Vec::new(), writer: None, file: None, failed: None, limit }
    }

    /// Appends `bytes`. A failure to write the temporary file is kept for [`Spill::finish`].
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        self.memory.extend_from_slice(bytes);
        if self.memory.len() < self.limit {
            return;
        }
        if self.writer.is_none() {
            match TempFile::create() {
                Ok(file) => self.writer = Some(Writer::start(file)),
                Err(e) => {
                    self.memory = Vec::new();
                    self.failed = Some(e);
                    return;
                }
            }
        }
        if let Some(w) = &self.writer {
            let next = w.empty.try_recv().unwrap_or_else(|_| Vec::with_capacity(self.limit));
            let full = std::mem::replace(&mut self.memory, next);
            // A writer that stopped has failed: its error comes with `finish`.
            if w.full.send(full).is_err() {
                self.memory = Vec::new();
            }
        }
    }

    /// Everything pushed, once written, or the error of the temporary file, with its folder
    /// named.
    pub fn finish(mut self) -> anyhow::Result<Spill> {
        let failed = match (self.failed.take(), self.writer.take()) {
            (Some(e), _) => Some(e),
            (None, None) => None,
            (None, Some(w)) => {
                drop(w.full);
                match w.thread.join() {
                    Ok(Ok(file)) => {
                        self.file = Some(file);
                        None
                    }
                    Ok(Err(e)) => Some(e),
                    Err(_) => Some(std::io::Error::other("the thread writing it failed")),
                }
            }
        };
        match failed {
            Some(e) => Err(anyhow::anyhow!(
                "cannot write the sessions to a temporary file in {}: {e}; set TMPDIR to a folder that can be written",
                std::env::temp_dir().display()
            )),
            None => Ok(self),
        }
    }

    /// Everything pushed, in order, from the start (as often as asked).
    pub fn reader(&self) -> std::io::Result<Box<dyn Read + '_>> {
        let memory = &self.memory[..];
        Ok(match &self.file {
            Some(file) => {
                let mut f = &file.file;
                f.seek(SeekFrom::Start(0))?;
                Box::new(f.chain(memory))
            }
            None => Box::new(memory),
        })
    }
}

/// A file of our own in the temporary folder, created new (never one that exists, nor through
/// a link), readable by its owner only, and gone when dropped: on Unix its name is removed at
/// once (the open file lives on), so nothing is left behind even if the process is killed.
struct TempFile {
    file: File,
    /// Its name, while it has one.
    path: Option<PathBuf>,
}

impl TempFile {
    fn create() -> std::io::Result<TempFile> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir();
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut tries = 0;
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            tries += 1;
            let path = dir.join(format!("detente-{}-{n}.tmp", std::process::id()));
            match options.open(&path) {
                Ok(file) => {
                    let path = if cfg!(unix) && std::fs::remove_file(&path).is_ok() {
                        None
                    } else {
                        Some(path)
                    };
                    return Ok(TempFile { file, path });
                }
                // Left by another process of the same id, or made by someone else: the next.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 1000 => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(spill: &Spill) -> Vec<u8> {
        let mut out = Vec::new();
        spill.reader().unwrap().read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn what_is_pushed_is_written_back_in_order_through_the_file() {
        let pieces: Vec<Vec<u8>> = (0..500u32)
            .map(|k| format!("session {k} {}\n", "x".repeat(k as usize % 37)).into_bytes())
            .collect();
        let whole: Vec<u8> = pieces.concat();
        for limit in [1, 100, 4096, usize::MAX] {
            let mut spill = Spill::with_limit(limit);
            for p in &pieces {
                spill.push(p);
            }
            let spill = spill.finish().unwrap();
            assert_eq!(spill.file.is_some(), limit < whole.len(), "{limit}");
            assert!(spill.memory.len() < limit.max(40), "{limit}");
            // Written as often as asked: to --out, then to standard output.
            assert_eq!(written(&spill), whole, "{limit}");
            assert_eq!(written(&spill), whole, "{limit}");
        }
        assert!(written(&Spill::new().finish().unwrap()).is_empty());
    }

    #[test]
    fn the_temporary_file_leaves_no_name_behind() {
        let file = TempFile::create().unwrap();
        #[cfg(unix)]
        assert!(file.path.is_none());
        let path = file.path.clone();
        drop(file);
        assert!(path.is_none_or(|p| !p.exists()));
    }
}
