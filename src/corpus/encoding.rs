//! What the bytes of an input are, before any record is parsed: gzip and zstd are unpacked as
//! they stream (never to disk), a UTF-8 byte order mark is dropped, and UTF-16, which slant
//! does not read, is refused by name before any work.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

use super::CorpusError;

const GZIP: &[u8] = &[0x1f, 0x8b];
const ZSTD: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
const UTF8_BOM: &[u8] = &[0xef, 0xbb, 0xbf];
const UTF16_BOMS: [&[u8]; 2] = [&[0xff, 0xfe], &[0xfe, 0xff]];

/// Why text that starts with `head` cannot be read as UTF-8, if it is UTF-16.
pub fn utf16_reason(head: &[u8]) -> Option<&'static str> {
    UTF16_BOMS
        .iter()
        .any(|bom| head.starts_with(bom))
        .then_some(
        "UTF-16 text (byte order mark): slant reads UTF-8; convert it, e.g. `iconv -f UTF-16 -t \
         UTF-8 IN > OUT`",
    )
}

/// Text without a leading UTF-8 byte order mark.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// The reason invalid UTF-8 is rejected, with the likely cause.
pub fn invalid_utf8(at: usize) -> String {
    format!(
        "invalid UTF-8 at byte {at} (Windows-1252 or Latin-1 text? convert it, e.g. `iconv -f \
         WINDOWS-1252 -t UTF-8 IN > OUT`)"
    )
}

/// `raw` (the bytes of `path`) as the text stream to parse.
pub fn decoded(path: &Path, raw: Box<dyn Read>) -> Result<Box<dyn Read>, CorpusError> {
    let mut reader = BufReader::with_capacity(1 << 16, raw);
    let head = peek(path, &mut reader)?;
    if head.starts_with(GZIP) {
        let mut unpacked = BufReader::with_capacity(1 << 16, MultiGzDecoder::new(reader));
        let head = peek(path, &mut unpacked)?;
        return text(path, unpacked, &head);
    }
    if head.starts_with(ZSTD) {
        let unpacking = zstd::stream::read::Decoder::with_buffer(reader).map_err(|e| {
            CorpusError::Encoding {
                path: path.to_path_buf(),
                reason: format!("zstd-compressed, but cannot be unpacked: {e}"),
            }
        })?;
        let mut unpacked = BufReader::with_capacity(1 << 16, unpacking);
        let head = peek(path, &mut unpacked)?;
        return text(path, unpacked, &head);
    }
    text(path, reader, &head)
}

fn text<R: BufRead + 'static>(
    path: &Path,
    mut reader: R,
    head: &[u8],
) -> Result<Box<dyn Read>, CorpusError> {
    if let Some(reason) = utf16_reason(head) {
        return Err(CorpusError::Encoding {
            path: path.to_path_buf(),
            reason: reason.into(),
        });
    }
    if head.starts_with(UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    }
    Ok(Box::new(reader))
}

/// The first few bytes, left in the reader.
fn peek(path: &Path, reader: &mut impl BufRead) -> Result<Vec<u8>, CorpusError> {
    let io = |e: io::Error| CorpusError::Encoding {
        path: path.to_path_buf(),
        reason: format!("cannot read it: {e}"),
    };
    let head = reader.fill_buf().map_err(io)?;
    Ok(head[..head.len().min(4)].to_vec())
}
