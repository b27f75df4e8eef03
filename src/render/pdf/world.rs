//! The typst `World` of one render: virtual files, the shared fonts, a fixed date.
//!
//! Job: serve `/main.typ` (the chosen layout), `/report.typ` (the shared layout library) and
//! `/data.json` from memory, and any other path from the template folder (logos, a customer's
//! own includes). Must not read the clock (`today` is the document date) nor reach the network
//! (no packages). Invariant: everything the compiler sees is determined by the inputs.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Datelike, NaiveDateTime};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::FontSet;

fn library() -> &'static LazyHash<Library> {
    static LIB: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIB.get_or_init(|| LazyHash::new(Library::default()))
}

/// `text` parsed as the source `id`, reusing the parse of an earlier render of the process when
/// it saw the same file with the same text (a batch renders many reports with the same few
/// layout files; parsing `report.typ` costs about 1% of a render). A parse depends on nothing
/// but the id and the text, so the output cannot change.
fn parse_shared(id: FileId, text: &str) -> Source {
    const KEEP: usize = 8;
    static PARSED: OnceLock<Mutex<Vec<Source>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| Mutex::new(Vec::new()));
    if let Ok(list) = parsed.lock()
        && let Some(s) = list.iter().find(|s| s.id() == id && s.text() == text)
    {
        return s.clone();
    }
    let source = Source::new(id, text.to_string());
    if let Ok(mut list) = parsed.lock() {
        if list.len() == KEEP {
            list.remove(0);
        }
        list.push(source.clone());
    }
    source
}

/// The id of a project file at `path` (absolute, `/`-separated).
pub fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

pub struct ReportWorld {
    fonts: Arc<FontSet>,
    main: FileId,
    /// In-memory files by virtual path.
    files: Vec<(FileId, Bytes)>,
    /// Parsed sources, so each is parsed once per render.
    sources: Mutex<Vec<(FileId, Source)>>,
    /// Folder other paths are read from (`RenderOptions::template_dir`), if any.
    root: Option<PathBuf>,
    today: NaiveDateTime,
}

impl ReportWorld {
    pub fn new(
        fonts: Arc<FontSet>,
        files: Vec<(FileId, Bytes)>,
        main: FileId,
        root: Option<PathBuf>,
        today: NaiveDateTime,
    ) -> ReportWorld {
        ReportWorld {
            fonts,
            main,
            files,
            sources: Mutex::new(Vec::new()),
            root,
            today,
        }
    }

    /// The text of a source file, for diagnostics.
    pub fn source_of(&self, id: FileId) -> Option<Source> {
        self.source(id).ok()
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Ok(cache) = self.sources.lock()
            && let Some((_, s)) = cache.iter().find(|(i, _)| *i == id)
        {
            return Ok(s.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        let source = parse_shared(id, text);
        if let Ok(mut cache) = self.sources.lock() {
            cache.push((id, source.clone()));
        }
        Ok(source)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some((_, b)) = self.files.iter().find(|(i, _)| *i == id) {
            return Ok(b.clone());
        }
        let rooted = id.get();
        if !matches!(rooted.root(), VirtualRoot::Project) {
            return Err(FileError::Other(Some(
                "typst packages are not available to report templates".into(),
            )));
        }
        let Some(root) = &self.root else {
            return Err(FileError::NotFound(PathBuf::from(
                rooted.vpath().get_with_slash(),
            )));
        };
        let path = rooted.vpath().realize(root).map_err(FileError::Realize)?;
        std::fs::read(&path)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &path))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        let d = self.today.date();
        Datetime::from_ymd(d.year(), d.month() as u8, d.day() as u8)
    }
}
