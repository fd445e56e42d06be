//! One way to render every report: the formats, the rendered document, and the trait each
//! report implements.

use crate::error::{Error, Result};

/// A rendering of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for a terminal.
    Table,
    /// The JSON contract (docs/json.md).
    Json,
    /// One row per output, full precision.
    Csv,
    /// Markdown.
    Markdown,
    /// A self-contained XHTML page.
    Html,
}

impl Format {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

/// A rendered report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// The document.
    pub text: Vec<u8>,
    /// Files it refers to, to be written beside it: (file name, bytes). The charts of a
    /// Markdown report; empty otherwise.
    pub files: Vec<(String, Vec<u8>)>,
}

impl From<String> for Document {
    fn from(text: String) -> Document {
        Document { text: text.into_bytes(), files: Vec::new() }
    }
}

impl From<Vec<u8>> for Document {
    fn from(text: Vec<u8>) -> Document {
        Document { text, files: Vec::new() }
    }
}

/// A report: what it is called, the formats it renders in, and its rendering.
pub trait Render {
    /// What the report is, as its command is called: `run`, `compare`, `sensitivity`,
    /// `check`, `report`.
    const NAME: &'static str;
    /// The formats it renders in, its default first.
    const FORMATS: &'static [Format];

    /// The report in `format`, which is one of [`Render::FORMATS`] (another renders as
    /// the default).
    fn document(&self, format: Format) -> Document;

    /// Whether the report renders in `format`, known before it is computed.
    ///
    /// # Errors
    /// [`Error::NoSuchFormat`] if it has no such format.
    fn offers(format: Format) -> Result<()>
    where
        Self: Sized,
    {
        match Self::FORMATS.contains(&format) {
            true => Ok(()),
            false => Err(Error::NoSuchFormat {
                report: Self::NAME,
                format: format.name(),
                offered: Self::FORMATS.iter().map(|f| f.name()).collect(),
            }),
        }
    }

    /// The report in `format`.
    ///
    /// # Errors
    /// [`Error::NoSuchFormat`] if the report has no such format.
    fn render(&self, format: Format) -> Result<Document>
    where
        Self: Sized,
    {
        Self::offers(format)?;
        Ok(self.document(format))
    }
}
