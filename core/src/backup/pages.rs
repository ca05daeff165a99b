//! A table's row pages written, hashed and synced on a thread of their own, so that encoding
//! rows never waits for the disk: a backup spent a third of its time in sha256, `write` and
//! `fsync` on the thread that reads the rows.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use super::metadata::ManifestFile;
use crate::error::{Error, Result};

/// Bytes handed to the thread at a time; with [`QUEUED`] pieces in flight this bounds the
/// memory a table's pages take, whatever the size of their rows.
pub(super) const PIECE_BYTES: usize = 1 << 20;
const QUEUED: usize = 4;
/// A piece's buffer: room for a row that crosses [`PIECE_BYTES`].
const PIECE_CAPACITY: usize = PIECE_BYTES + PIECE_BYTES / 4;

enum Piece {
    /// Starts a page file.
    Open {
        name: String,
        path: PathBuf,
    },
    Data(Vec<u8>),
    /// Syncs the page and records its sha256.
    Close,
}

/// The writing thread of one table's pages.
pub(super) struct PageSink {
    tx: Option<SyncSender<Piece>>,
    /// Written buffers coming back: a fresh megabyte for every piece cost a page fault per
    /// 4 KB of it, since the allocator hands freed memory back to the OS at once.
    spare: Receiver<Vec<u8>>,
    thread: Option<JoinHandle<Result<Vec<ManifestFile>>>>,
}

impl PageSink {
    pub(super) fn start() -> Self {
        let (tx, rx) = sync_channel(QUEUED);
        let (back, spare) = channel();
        PageSink {
            tx: Some(tx),
            spare,
            thread: Some(std::thread::spawn(move || write_pages(&rx, &back))),
        }
    }

    /// An empty buffer for the next piece, a written one when there is one.
    pub(super) fn buffer(&self) -> Vec<u8> {
        self.spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(PIECE_CAPACITY))
    }

    pub(super) fn open(&mut self, name: String, path: PathBuf) -> Result<()> {
        self.send(Piece::Open { name, path })
    }

    pub(super) fn data(&mut self, bytes: Vec<u8>) -> Result<()> {
        self.send(Piece::Data(bytes))
    }

    pub(super) fn close(&mut self) -> Result<()> {
        self.send(Piece::Close)
    }

    /// Waits for every page to be on disk: the pages, in order, with their sha256.
    pub(super) fn finish(mut self) -> Result<Vec<ManifestFile>> {
        self.join()
    }

    fn send(&mut self, piece: Piece) -> Result<()> {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(piece).is_ok());
        if sent {
            return Ok(());
        }
        // The thread stopped at an error; it says which file.
        match self.join() {
            Err(e) => Err(e),
            Ok(_) => Err(Error::Invalid("the page writer stopped".into())),
        }
    }

    fn join(&mut self) -> Result<Vec<ManifestFile>> {
        drop(self.tx.take());
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(Error::Invalid("the page writer failed".into()))),
            None => Err(Error::Invalid("the page writer stopped".into())),
        }
    }
}

impl Drop for PageSink {
    /// A table given up on leaves no thread writing behind it.
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.join();
        }
    }
}

fn write_pages(rx: &Receiver<Piece>, back: &Sender<Vec<u8>>) -> Result<Vec<ManifestFile>> {
    let mut files = Vec::new();
    let mut page: Option<(String, PathBuf, File, Sha256)> = None;
    for piece in rx {
        match (piece, page.as_mut()) {
            (Piece::Open { name, path }, _) => {
                let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
                page = Some((name, path, file, Sha256::new()));
            }
            (Piece::Data(mut bytes), Some((_, path, file, hash))) => {
                file.write_all(&bytes).map_err(|e| Error::io(&*path, e))?;
                hash.update(&bytes);
                // At most the pieces in flight come back; a grown one is let go.
                if bytes.capacity() <= PIECE_CAPACITY {
                    bytes.clear();
                    let _ = back.send(bytes);
                }
            }
            (Piece::Close, Some(_)) => {
                let Some((name, path, file, hash)) = page.take() else {
                    continue;
                };
                file.sync_all().map_err(|e| Error::io(&path, e))?;
                drop_cached(&file);
                files.push(ManifestFile {
                    name,
                    sha256: format!("{:x}", hash.finalize()),
                });
            }
            (Piece::Data(_) | Piece::Close, None) => {
                return Err(Error::Invalid("page data without an open page".into()));
            }
        }
    }
    Ok(files)
}

/// Lets the kernel drop a synced page's cached copy at once. Its memory then serves the next
/// page, instead of the backup taking fresh memory for every page: on a VM, memory the host
/// took back costs a fault per page at first touch, which made writing a 450 MB folder cost
/// up to a second of CPU more. Advice only: an error changes nothing.
#[cfg(target_os = "linux")]
fn drop_cached(file: &File) {
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
}

#[cfg(not(target_os = "linux"))]
fn drop_cached(_: &File) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_hashed_in_order_and_a_failed_file_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let mut sink = PageSink::start();
        for (name, parts) in [("1.json", vec!["[1,", "2]"]), ("2.json", vec!["[3]"])] {
            sink.open(name.into(), tmp.path().join(name)).unwrap();
            for p in parts {
                sink.data(p.as_bytes().to_vec()).unwrap();
            }
            sink.close().unwrap();
        }
        let files = sink.finish().unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["1.json", "2.json"]);
        assert_eq!(files[0].sha256, format!("{:x}", Sha256::digest(b"[1,2]")));
        assert_eq!(std::fs::read(tmp.path().join("2.json")).unwrap(), b"[3]");

        // The thread stops at the first error; a later call, or the finish, reports it.
        let missing = tmp.path().join("gone").join("1.json");
        let mut sink = PageSink::start();
        let mut err = sink.open("1.json".into(), missing.clone()).err();
        for _ in 0..2 * QUEUED {
            err = err.or_else(|| sink.data(vec![b'x'; 10]).err());
        }
        let err = err.or_else(|| sink.finish().err()).unwrap().to_string();
        assert!(err.contains(&missing.display().to_string()), "{err}");
    }
}
