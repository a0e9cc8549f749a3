//! SHA-256, the one digest slant uses: for provenance (inputs, registries, weights, wheels in
//! run.json and slant.json) and for recognising a sentence already scored.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest as _, Sha256};

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut hasher = Hasher::default();
    hasher.update(bytes);
    hasher.hex()
}

/// An incremental SHA-256, for data that arrives in pieces (a streamed input file).
#[derive(Clone, Default)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// Lowercase hex of the digest.
    pub fn hex(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Digests everything `reader` yields; returns the byte count.
    pub fn update_from(&mut self, mut reader: impl Read) -> io::Result<u64> {
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0;
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                return Ok(total);
            }
            self.update(&buf[..n]);
            total += n as u64;
        }
    }

    /// The digest's first 16 bytes: a compact key with no realistic chance of collision.
    pub fn key16(self) -> [u8; 16] {
        let digest = self.0.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }
}

/// A reader that digests and counts what passes through it, and optionally adds the count to
/// a shared progress counter. The digest can also be read through a `Digest` handle, for a
/// reader that disappears inside another (a decompressor).
pub struct HashingReader<R> {
    inner: R,
    digest: Digest,
    progress: Option<Arc<AtomicU64>>,
}

/// The running digest and byte count of a `HashingReader`.
#[derive(Clone, Default)]
pub struct Digest(Arc<Mutex<(Hasher, u64)>>);

impl Digest {
    /// The digest (hex) and byte count so far.
    pub fn finish(&self) -> (String, u64) {
        let state = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (state.0.clone().hex(), state.1)
    }
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R, progress: Option<Arc<AtomicU64>>) -> Self {
        Self {
            inner,
            digest: Digest::default(),
            progress,
        }
    }

    pub fn digest(&self) -> Digest {
        self.digest.clone()
    }

    /// The digest (hex) and byte count of everything read.
    pub fn finish(self) -> (String, u64) {
        self.digest.finish()
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self
            .digest
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.0.update(&buf[..n]);
        state.1 += n as u64;
        if let Some(progress) = &self.progress {
            progress.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// A writer that digests and counts what passes through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Hasher,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self::continuing(inner, Hasher::default(), 0)
    }

    /// Goes on after `bytes` bytes already digested into `hasher` (a file reopened to append).
    pub fn continuing(inner: W, hasher: Hasher, bytes: u64) -> Self {
        Self {
            inner,
            hasher,
            bytes,
        }
    }

    /// Bytes written so far and their digest (hex).
    pub fn so_far(&self) -> (u64, String) {
        (self.bytes, self.hasher.clone().hex())
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The inner writer and the digest (hex) of everything written.
    pub fn finish(self) -> (W, String) {
        (self.inner, self.hasher.hex())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest_and_incremental_agree() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut h = Hasher::default();
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(h.hex(), sha256_hex(b"abc"));
    }
}
