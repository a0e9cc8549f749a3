//! Lines of a text stream for the line-based formats (JSONL, and CSV before its rows are cut).
//!
//! A line ends at `\n` (so also `\r\n`). A file whose first line end is a lone `\r` (classic
//! Mac OS, some old exports) ends every line at `\r` instead: read by `\n` alone, such a file
//! would be one long line and all its records but one would be lost.

use std::io::{self, BufRead};

pub(super) struct Lines<R> {
    reader: R,
    /// The line end, once the first one has been seen.
    end: Option<u8>,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Self {
        Self { reader, end: None }
    }

    /// Appends the next line, with its line end, to `buf`; the number of bytes read (0 at the
    /// end of the input).
    pub fn read_line(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        if let Some(end) = self.end {
            return self.reader.read_until(end, buf);
        }
        let start = buf.len();
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(buf.len() - start);
            }
            let Some(at) = available.iter().position(|&b| b == b'\n' || b == b'\r') else {
                let n = available.len();
                buf.extend_from_slice(available);
                self.reader.consume(n);
                continue;
            };
            let found = available[at];
            buf.extend_from_slice(&available[..=at]);
            self.reader.consume(at + 1);
            if found == b'\n' {
                self.end = Some(b'\n');
                return Ok(buf.len() - start);
            }
            // A `\r`: the line end is `\r\n` when a `\n` follows, else a lone `\r`.
            let next = self.reader.fill_buf()?.first().copied();
            if next == Some(b'\n') {
                buf.push(b'\n');
                self.reader.consume(1);
                self.end = Some(b'\n');
            } else if next.is_some() {
                self.end = Some(b'\r');
            }
            return Ok(buf.len() - start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8]) -> Vec<String> {
        let mut lines = Lines::new(io::BufReader::with_capacity(2, bytes));
        let mut out = Vec::new();
        loop {
            let mut buf = Vec::new();
            if lines.read_line(&mut buf).unwrap() == 0 {
                return out;
            }
            out.push(String::from_utf8(buf).unwrap());
        }
    }

    #[test]
    fn lf_crlf_and_cr_only_line_ends() {
        assert_eq!(lines(b"a\nb\rc\n"), ["a\n", "b\rc\n"]);
        assert_eq!(lines(b"a\r\nb\rc\r\n"), ["a\r\n", "b\rc\r\n"]);
        assert_eq!(lines(b"a\rb\r\nc\r"), ["a\r", "b\r", "\nc\r"]);
        assert_eq!(lines(b"abc"), ["abc"]);
        assert_eq!(lines(b"abc\r"), ["abc\r"]);
        assert!(lines(b"").is_empty());
    }
}
