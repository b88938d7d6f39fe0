//! Source files as the rest of the pipeline sees them: an id, a display path, the text and
//! a line index. Spans are byte ranges tagged with their file; they become 1-based
//! lines and columns only when a report is written.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use crate::span::{FileId, Span};

/// A 1-based line and column (column counted in Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The text of one file with its line index.
#[derive(Debug)]
pub struct SourceText {
    pub id: FileId,
    /// Path relative to the working directory, `/`-separated.
    pub display_path: Arc<str>,
    /// Path as found on disk.
    pub path: PathBuf,
    pub text: Arc<str>,
    /// A binary file kept for its name alone (a key store: see
    /// `discover::classify::credential_file`); its `text` is empty, never its bytes.
    pub binary: bool,
    /// Byte offset of each line start; `u32` like spans (files are capped far below 4 GiB),
    /// half the memory of `usize` on a 100,000-file scan.
    line_starts: Vec<u32>,
}

impl SourceText {
    pub fn new(
        id: FileId,
        display_path: impl Into<Arc<str>>,
        path: PathBuf,
        text: Arc<str>,
    ) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| clamp(i + 1)));
        line_starts.shrink_to_fit();
        SourceText {
            id,
            display_path: display_path.into(),
            path,
            text,
            binary: false,
            line_starts,
        }
    }

    /// A binary file that rules see by name only: no text.
    pub fn binary(id: FileId, display_path: impl Into<Arc<str>>, path: PathBuf) -> Self {
        SourceText {
            binary: true,
            ..SourceText::new(id, display_path, path, Arc::from(""))
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: usize) -> usize {
        let idx = line.saturating_sub(1).min(self.line_starts.len() - 1);
        (self.line_starts[idx] as usize).min(self.text.len())
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| (e as usize).min(self.text.len()))
            .max(start);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// 1-based line and column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let key = u32::try_from(offset).unwrap_or(u32::MAX);
        let line_idx = match self.line_starts.binary_search(&key) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx] as usize;
        let mut column_bytes = offset - start;
        while !self.text.is_char_boundary(start + column_bytes) {
            column_bytes -= 1;
        }
        let column = self.text[start..start + column_bytes].chars().count() + 1;
        Position {
            line: line_idx + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and a 0-based column counted in characters,
    /// as YAML parsers report them.
    pub fn offset_of_char_column(&self, line: usize, column0: usize) -> usize {
        let start = self.line_start(line);
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(column0)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The span of the first line of `span` (used to point at a block header).
    pub fn first_line(&self, span: Span) -> Span {
        let start = span.start as usize;
        let end = self.text[start.min(self.text.len())..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let end = end.min(span.end as usize).max(start);
        Span::new(span.file, start, end)
    }
}

/// Every file of one scan, indexed by [`FileId`]: each file's names always, its text only
/// while a stage needs it. The scan reads a file, works on it and releases its text unless
/// it has findings, so memory follows the unit of work, not the repository; a released
/// text is read again on demand (a Kubernetes finding found after every file is modelled)
/// and used only if its hash is unchanged.
#[derive(Debug, Default)]
pub struct SourceMap {
    slots: Vec<Slot>,
    /// Slots `..discovered` are the discovered files, sorted by display path.
    discovered: usize,
}

#[derive(Debug)]
struct Slot {
    display_path: Arc<str>,
    /// Where to read the file, when that is not its display path (a scan names most
    /// files as it reads them: a second copy of the path was 80 bytes a file).
    path: Option<PathBuf>,
    /// Only searched for secrets: decoded leniently ([`read_any_text`]).
    lenient: bool,
    text: Mutex<Text>,
}

#[derive(Clone, Debug)]
enum Text {
    /// Not read yet.
    Unread,
    Held(Arc<SourceText>),
    /// Released after its file's work; read again on demand if the hash still matches.
    Released(u64),
    /// Never to be read (a read failed, the file changed, or a report's map keeps only
    /// the files it shows).
    Absent,
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl Clone for SourceMap {
    fn clone(&self) -> Self {
        SourceMap {
            slots: self
                .slots
                .iter()
                .map(|s| Slot {
                    display_path: s.display_path.clone(),
                    path: s.path.clone(),
                    lenient: s.lenient,
                    text: Mutex::new(s.lock().clone()),
                })
                .collect(),
            discovered: self.discovered,
        }
    }
}

impl Slot {
    fn new(display_path: Arc<str>, path: PathBuf, lenient: bool, text: Text) -> Slot {
        let path = (path.as_os_str() != &*display_path).then_some(path);
        Slot {
            display_path,
            path,
            lenient,
            text: Mutex::new(text),
        }
    }

    fn path(&self) -> &std::path::Path {
        self.path
            .as_deref()
            .unwrap_or_else(|| std::path::Path::new(&*self.display_path))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Text> {
        // A panic while holding the lock (guarded per file) leaves a valid state.
        self.text
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SourceMap {
    /// Texts already in memory, each at the slot of its id.
    pub fn new(files: Vec<Arc<SourceText>>) -> Self {
        let mut map = SourceMap::default();
        for f in files {
            map.insert(f);
        }
        map
    }

    /// The discovered files (sorted by display path; their ids follow that order), unread;
    /// `lenient` for those only searched for secrets.
    pub fn unread(files: impl Iterator<Item = (String, PathBuf, bool)>) -> Self {
        let slots: Vec<Slot> = files
            .map(|(display_path, path, lenient)| {
                Slot::new(display_path.into(), path, lenient, Text::Unread)
            })
            .collect();
        SourceMap {
            discovered: slots.len(),
            slots,
        }
    }

    /// Adds a text held in memory (standard input, a rendered chart) at its id.
    pub fn insert(&mut self, src: Arc<SourceText>) {
        let at = src.id.0 as usize;
        while self.slots.len() <= at {
            self.slots.push(Slot {
                display_path: Arc::from(""),
                path: None,
                lenient: false,
                text: Mutex::new(Text::Absent),
            });
        }
        self.slots[at] = Slot::new(
            src.display_path.clone(),
            src.path.clone(),
            false,
            Text::Held(src),
        );
    }

    /// The id the next inserted text gets.
    pub fn next_id(&self) -> FileId {
        FileId(u32::try_from(self.slots.len()).unwrap_or(u32::MAX))
    }

    /// The text of a file, read now if it was not (or was released).
    pub fn load(&self, id: FileId) -> Result<Arc<SourceText>, ReadFailure> {
        use crate::error::FileErrorKind;
        let gone = || ReadFailure::Error(FileErrorKind::Read, "no longer readable".into());
        let Some(slot) = self.slots.get(id.0 as usize) else {
            return Err(gone());
        };
        let mut state = slot.lock();
        let expected = match &*state {
            Text::Held(src) => return Ok(src.clone()),
            Text::Absent => return Err(gone()),
            Text::Unread => None,
            Text::Released(hash) => Some(*hash),
        };
        let read = if slot.lenient {
            read_any_text(slot.path())
        } else {
            read_text(slot.path())
        };
        let read = read.and_then(|text| {
            if expected.is_some_and(|h| h != text_hash(&text)) {
                return Err(ReadFailure::Error(
                    FileErrorKind::Read,
                    "changed on disk during the scan; its findings are not shown".into(),
                ));
            }
            Ok(Arc::new(SourceText::new(
                id,
                slot.display_path.clone(),
                slot.path().to_path_buf(),
                text,
            )))
        });
        *state = match &read {
            Ok(src) => Text::Held(src.clone()),
            Err(_) => Text::Absent,
        };
        read
    }

    /// Keeps `src` as its file's text (a stand-in the reader made) and returns it.
    pub fn hold(&self, src: Arc<SourceText>) -> Arc<SourceText> {
        if let Some(slot) = self.slots.get(src.id.0 as usize) {
            *slot.lock() = Text::Held(src.clone());
        }
        src
    }

    /// The text of a file, when it can be had.
    pub fn get(&self, id: FileId) -> Option<Arc<SourceText>> {
        self.load(id).ok()
    }

    /// Lets go of a file's text (it is read again if a later stage asks for it).
    pub fn release(&self, id: FileId) {
        // Only discovered files can be read again; a text from standard input or a
        // rendered chart stays.
        let i = id.0 as usize;
        if let Some(slot) = self.slots[..self.discovered].get(i) {
            let mut state = slot.lock();
            // A binary file's stand-in (no bytes) cannot be read again.
            if let Text::Held(src) = &*state
                && !src.binary
            {
                *state = Text::Released(text_hash(&src.text));
            }
        }
    }

    /// A copy keeping the texts of `keep` (read again where released, passed through
    /// `edit`) and no other: what a report shows.
    pub fn only(
        &self,
        keep: &std::collections::BTreeSet<FileId>,
        edit: impl Fn(Arc<SourceText>) -> Arc<SourceText>,
    ) -> SourceMap {
        let slots = self
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
                let text = match keep.contains(&id).then(|| self.load(id)) {
                    Some(Ok(src)) => Text::Held(edit(src)),
                    _ => Text::Absent,
                };
                Slot {
                    display_path: s.display_path.clone(),
                    path: s.path.clone(),
                    lenient: s.lenient,
                    text: Mutex::new(text),
                }
            })
            .collect();
        SourceMap {
            slots,
            discovered: self.discovered,
        }
    }

    /// The discovered file with this display path.
    pub fn find(&self, display_path: &str) -> Option<FileId> {
        let i = self.slots[..self.discovered]
            .binary_search_by(|s| (*s.display_path).cmp(display_path))
            .ok()
            .or_else(|| {
                (self.discovered..self.slots.len())
                    .find(|&i| &*self.slots[i].display_path == display_path)
            })?;
        Some(FileId(u32::try_from(i).ok()?))
    }

    /// The texts in memory now, in id order.
    pub fn iter(&self) -> impl Iterator<Item = Arc<SourceText>> + '_ {
        self.slots.iter().filter_map(|s| match &*s.lock() {
            Text::Held(src) => Some(src.clone()),
            _ => None,
        })
    }

    /// A file's display path, read or not.
    pub fn display_path(&self, id: FileId) -> Option<&str> {
        self.slots.get(id.0 as usize).map(|s| &*s.display_path)
    }

    /// Where a file is on disk, read or not.
    pub fn path(&self, id: FileId) -> Option<&std::path::Path> {
        self.slots.get(id.0 as usize).map(Slot::path)
    }

    /// Every file's display path and path on disk, read or not, in id order.
    pub fn names(&self) -> impl Iterator<Item = (&str, &std::path::Path)> {
        self.slots
            .iter()
            .filter(|s| !s.display_path.is_empty())
            .map(|s| (&*s.display_path, s.path()))
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceText {
        SourceText::new(FileId(0), "a", "a".into(), Arc::from(text))
    }

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let s = src("ab\nçd\n");
        assert_eq!(s.position(0), Position { line: 1, column: 1 });
        assert_eq!(s.position(3), Position { line: 2, column: 1 });
        // 'ç' is two bytes; 'd' is the second character.
        assert_eq!(s.position(5), Position { line: 2, column: 2 });
        assert_eq!(s.line_text(2), "çd");
    }

    #[test]
    fn a_released_text_is_read_again_only_while_unchanged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (a, b) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
        std::fs::write(&a, "kind: Pod\n").expect("write");
        std::fs::write(&b, "kind: Service\n").expect("write");
        let map = SourceMap::unread(
            [("a.yaml", &a), ("b.yaml", &b)]
                .into_iter()
                .map(|(name, path)| (name.to_owned(), path.clone(), false)),
        );
        assert_eq!(map.find("b.yaml"), Some(FileId(1)));
        assert_eq!(
            map.iter().count(),
            0,
            "nothing is read before it is asked for"
        );
        let first = map.load(FileId(0)).expect("read");
        assert_eq!(&*first.text, "kind: Pod\n");
        map.release(FileId(0));
        map.release(FileId(1));
        assert_eq!(map.iter().count(), 0, "released texts are not held");
        assert_eq!(
            &*map.load(FileId(0)).expect("read again").text,
            "kind: Pod\n"
        );
        map.release(FileId(0));
        std::fs::write(&a, "kind: Job\n").expect("write");
        match map.load(FileId(0)) {
            Err(ReadFailure::Error(_, msg)) => assert!(msg.contains("changed"), "{msg}"),
            other => panic!("a changed file must not be used: {other:?}"),
        }
        // A report's copy keeps only what it shows.
        let kept = map.only(&[FileId(1)].into(), |s| s);
        assert_eq!(kept.iter().map(|s| s.id).collect::<Vec<_>>(), [FileId(1)]);
        assert!(kept.get(FileId(0)).is_none());
    }

    #[test]
    fn char_columns_map_to_bytes() {
        let s = src("x\nçé: 1\n");
        assert_eq!(s.offset_of_char_column(2, 2), 6);
    }
}

/// Files larger than this are reported, not read (a 200 MB generated file would
/// otherwise dominate a scan).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Caps for the files that steer a scan rather than being scanned: a configuration or a
/// rule pack is never this large, and a baseline of a million findings fits.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
pub const MAX_RULE_PACK_BYTES: u64 = 4 * 1024 * 1024;
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a regular file of at most `max` bytes as UTF-8: a device (`/dev/zero`), a pipe
/// or a larger file is an error, and never more than `max + 1` bytes are read.
pub fn read_capped(path: &std::path::Path, max: u64) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (a directory, pipe, socket or device)",
        ));
    }
    let too_large = || {
        Error::new(
            ErrorKind::InvalidData,
            format!("larger than the {} KiB limit", max / 1024),
        )
    };
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| Error::new(ErrorKind::InvalidData, e))
}

/// Why a file was not turned into a `SourceText`.
#[derive(Debug)]
pub enum ReadFailure {
    /// Not text (NUL bytes, or not UTF-8/UTF-16): silently skipped for plain text
    /// files, an error for files that should have been configuration.
    NotText(String),
    Error(crate::error::FileErrorKind, String),
}

/// Reads a file: the one place in isolint that does (size cap, binary detection,
/// UTF-8 or UTF-16), strictly ([`decode`]).
pub fn read_text(path: &std::path::Path) -> Result<Arc<str>, ReadFailure> {
    decode(read_bytes(path)?)
}

/// Reads a file only searched for secrets: as [`read_text`], decoded leniently
/// ([`decode_lenient`]).
pub fn read_any_text(path: &std::path::Path) -> Result<Arc<str>, ReadFailure> {
    decode_lenient(read_bytes(path)?)
}

/// A regular file's bytes, at most [`MAX_FILE_BYTES`] of them (a larger file is a
/// `TooLarge` error naming the cap).
fn read_bytes(path: &std::path::Path) -> Result<Vec<u8>, ReadFailure> {
    use std::io::Read;

    use crate::error::FileErrorKind;
    let fail = |e: std::io::Error| ReadFailure::Error(FileErrorKind::Read, io_message(&e));
    let meta = std::fs::metadata(path).map_err(fail)?;
    if meta.is_dir() {
        return Err(ReadFailure::Error(
            FileErrorKind::Read,
            "is a directory, not a file".into(),
        ));
    }
    // A FIFO or a device would block the scan or never end.
    if !meta.is_file() {
        return Err(ReadFailure::Error(
            FileErrorKind::Read,
            "not a regular file (a pipe, socket or device); skipped".into(),
        ));
    }
    let too_large = |len: u64| {
        ReadFailure::Error(
            FileErrorKind::TooLarge,
            // Rounded up: a file just over the cap never reads as "16 MiB, over 16 MiB".
            format!(
                "file is {} MiB, over the {} MiB limit; skipped",
                len.div_ceil(1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // Never read more than the cap, even if the file grew since it was measured.
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "cannot read: permission denied".into(),
        std::io::ErrorKind::NotFound => "cannot read: not found (broken symbolic link?)".into(),
        // `ErrorKind::FilesystemLoop` is not stable yet: recognise it by name.
        k if format!("{k:?}") == "FilesystemLoop" => {
            format!("cannot read: symbolic link loop ({e})")
        }
        _ => format!("cannot read: {e}"),
    }
}

/// Where invalid UTF-8 starts, as users count it.
fn invalid_utf8(bytes: &[u8], at: usize) -> ReadFailure {
    let before = &bytes[..at.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    // `before` is valid UTF-8 (that is what `at` means): count characters, not a BOM.
    let column = std::str::from_utf8(&before[line_start..])
        .map_or(0, |s| s.trim_start_matches('\u{feff}').chars().count())
        + 1;
    let byte = bytes
        .get(at)
        .map_or(String::new(), |b| format!(" 0x{b:02X}"));
    ReadFailure::NotText(format!(
        "not valid UTF-8: invalid byte{byte} at line {line}, column {column} (offset {at}); \
         save the file as UTF-8"
    ))
}

/// How much of a file the binary test and the BOM-less UTF-16 test look at.
const SNIFF_BYTES: usize = 8192;

/// UTF-8 (BOM stripped), or UTF-16 with a BOM or recognised without one
/// ([`utf16_without_bom`]); a binary file ([`looks_binary`]) or invalid UTF-8 is not
/// text. For files that must parse (configuration).
pub fn decode(bytes: Vec<u8>) -> Result<Arc<str>, ReadFailure> {
    decode_as(bytes, false)
}

/// As [`decode`], for files only searched for secrets: a text file with a stray NUL or a
/// few bytes that are not UTF-8 (a Latin-1 `.env`) is still text - each invalid
/// sequence becomes U+FFFD, which keeps every line where it was.
pub fn decode_lenient(bytes: Vec<u8>) -> Result<Arc<str>, ReadFailure> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Ok(Arc::from(String::from_utf8_lossy(rest).into_owned()));
    }
    decode_as(bytes, true)
}

/// The shared path of [`decode`] and [`decode_lenient`]: invalid UTF-8 is an error, or
/// (lenient) replaced.
fn decode_as(bytes: Vec<u8>, lenient: bool) -> Result<Arc<str>, ReadFailure> {
    if let Some(text) = decode_unicode_marked(&bytes) {
        return text;
    }
    if looks_binary(&bytes[..bytes.len().min(SNIFF_BYTES)]) {
        return Err(binary());
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Arc::from(s)),
        Err(e) if lenient => Ok(Arc::from(
            String::from_utf8_lossy(e.as_bytes()).into_owned(),
        )),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Err(invalid_utf8(e.as_bytes(), at))
        }
    }
}

fn binary() -> ReadFailure {
    ReadFailure::NotText("binary file (control bytes or bytes that are not UTF-8)".into())
}

/// A UTF-8 BOM, a UTF-16 BOM or BOM-less UTF-16: the decoded text (or why it is not
/// text); `None` for anything else.
fn decode_unicode_marked(bytes: &[u8]) -> Option<Result<Arc<str>, ReadFailure>> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Some(
            std::str::from_utf8(rest)
                .map(Arc::from)
                .map_err(|e| invalid_utf8(bytes, e.valid_up_to() + 3)),
        );
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Some(utf16(rest, true));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Some(utf16(rest, false));
    }
    let le = utf16_without_bom(&bytes[..bytes.len().min(SNIFF_BYTES)])?;
    // Recognised by its zero bytes, kept only if it decodes to text.
    utf16(bytes, le)
        .ok()
        .filter(|t| !text_looks_binary(t))
        .map(Ok)
}

fn utf16(bytes: &[u8], le: bool) -> Result<Arc<str>, ReadFailure> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    String::from_utf16(&units)
        .map(Arc::from)
        .map_err(|_| ReadFailure::NotText("not valid UTF-16".into()))
}

/// UTF-16 without a BOM, as Windows tools write it: text mostly in ASCII, so one byte of
/// each pair is zero. `Some(true)` for little endian (`A\0`), `Some(false)` for big
/// endian (`\0A`) when at least 90% of the (at least two) pairs of `sample` have a zero
/// byte on that side and a non-zero one on the other.
fn utf16_without_bom(sample: &[u8]) -> Option<bool> {
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut le, mut be) = (0, 0);
    for c in sample.chunks_exact(2) {
        match (c[0], c[1]) {
            (a, 0) if a != 0 => le += 1,
            (0, b) if b != 0 => be += 1,
            _ => {}
        }
    }
    let most = |n: usize| n * 10 >= pairs * 9;
    if most(le) {
        Some(true)
    } else if most(be) {
        Some(false)
    } else {
        None
    }
}

/// Whether a byte is a control character text files do not hold (tab, line feed,
/// vertical tab, form feed, carriage return and escape are text).
fn is_binary_control(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F)
}

/// The binary test, on a file's first 8 KiB: binary when more than 10% of the bytes are
/// control bytes ([`is_binary_control`], NUL among them) or more than 30% are not part of
/// valid UTF-8. One stray NUL in a `.env` does not make it binary; compressed data,
/// images and executables (about half of their bytes above 0x7F, seldom valid UTF-8)
/// are.
pub fn looks_binary(sample: &[u8]) -> bool {
    if sample.is_empty() {
        return false;
    }
    let control = sample.iter().filter(|&&b| is_binary_control(b)).count();
    if control * 10 > sample.len() {
        return true;
    }
    invalid_utf8_bytes(sample) * 10 > sample.len() * 3
}

/// How many bytes of `bytes` are not part of valid UTF-8 (a sequence cut at the end of
/// the sample counts as valid).
fn invalid_utf8_bytes(mut bytes: &[u8]) -> usize {
    let mut invalid = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return invalid,
            Err(e) => match e.error_len() {
                None => return invalid,
                Some(n) => {
                    invalid += n;
                    bytes = &bytes[e.valid_up_to() + n..];
                }
            },
        }
    }
}

/// The binary test on decoded text (BOM-less UTF-16 candidates).
fn text_looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(SNIFF_BYTES / 2).collect();
    let control = sample
        .iter()
        .filter(|&&c| u8::try_from(c).is_ok_and(is_binary_control))
        .count();
    control * 10 > sample.len()
}

#[cfg(test)]
mod read_tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_and_utf16() {
        assert_eq!(&*decode(b"\xEF\xBB\xBFa: 1".to_vec()).unwrap(), "a: 1");
        let mut le = vec![0xFF, 0xFE];
        le.extend("a: é".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(&*decode(le).unwrap(), "a: é");
        assert!(matches!(
            decode(b"\x00\x01ELF".to_vec()),
            Err(ReadFailure::NotText(_))
        ));
        assert!(matches!(
            decode(b"a\xFFb".to_vec()),
            Err(ReadFailure::NotText(_))
        ));
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_zero_bytes() {
        let text = "KEY=value\r\nNAME=é\r\n";
        for le in [true, false] {
            let bytes: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
                .collect();
            assert_eq!(&*decode(bytes.clone()).unwrap(), text, "le={le}");
            assert_eq!(&*decode_lenient(bytes).unwrap(), text, "le={le}");
        }
        // Two zero bytes in a row are not UTF-16 text.
        assert_eq!(utf16_without_bom(b"a\0"), None);
        assert_eq!(utf16_without_bom(b"\0\0\0\0"), None);
    }

    #[test]
    fn one_nul_or_a_latin1_byte_does_not_make_a_text_file_binary() {
        let env = b"APP=1\nBROKEN=\0\nTOKEN=abc\n".to_vec();
        assert_eq!(
            &*decode_lenient(env.clone()).unwrap(),
            "APP=1\nBROKEN=\0\nTOKEN=abc\n"
        );
        let latin1 = b"NAME=caf\xE9\nTOKEN=abc\n".to_vec();
        let text = decode_lenient(latin1.clone()).unwrap();
        assert_eq!(text.lines().nth(1), Some("TOKEN=abc"));
        // Configuration stays strict: a parser would choke on either.
        assert!(decode(latin1).is_err());
        // An executable header, mostly NUL and control bytes, is binary.
        let elf = b"\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3E\0\x01\0\0\0".to_vec();
        assert!(matches!(decode_lenient(elf), Err(ReadFailure::NotText(_))));
    }

    #[test]
    fn binary_test_thresholds() {
        // 10% control bytes is text, just over is binary.
        let mut s = vec![b'a'; 90];
        s.extend([0u8; 10]);
        assert!(!looks_binary(&s));
        s.push(0);
        assert!(looks_binary(&s));
        // Bytes that are not UTF-8: 30% is text (a Latin-1 file), over 30% is binary.
        let mut s = vec![b'a'; 70];
        s.extend([0xE9u8; 30]);
        assert!(!looks_binary(&s));
        s.extend([0xE9, b'a']);
        assert!(looks_binary(&s));
        // A multi-byte character cut at the end of the sample is not counted.
        assert_eq!(
            invalid_utf8_bytes("aé".as_bytes().split_last().unwrap().1),
            0
        );
        assert!(!looks_binary(b""));
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        for (bytes, want) in [
            (
                &b"a: 1\nn\xC3\xA4me: caf\xE9\n"[..],
                "0xE9 at line 2, column 10",
            ),
            (&b"\xEF\xBB\xBFx\xFF"[..], "0xFF at line 1, column 2"),
            (&b"\xC3"[..], "0xC3 at line 1, column 1"),
        ] {
            let Err(ReadFailure::NotText(m)) = decode(bytes.to_vec()) else {
                panic!("{bytes:?} decoded");
            };
            assert!(m.contains(want), "{m}");
        }
    }

    #[test]
    fn special_files_are_not_read() {
        let dir = std::env::temp_dir();
        let e = read_text(&dir).unwrap_err();
        assert!(matches!(
            e,
            ReadFailure::Error(crate::error::FileErrorKind::Read, _)
        ));
        let e = read_text(std::path::Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, ReadFailure::Error(_, ref m) if m.contains("not a regular file")));
    }
}
