//! Small helpers every stage shares: one way to digest bytes, one way to write a file
//! atomically, kill points for crash tests.

pub mod atomic;
pub mod digest;
pub mod failpoint;

pub use atomic::{write_atomic, write_atomic_with, AtomicFile, IoError, ReadyFile};
pub use digest::{sha256_hex, Digest, Hasher, HashingReader, HashingWriter};
