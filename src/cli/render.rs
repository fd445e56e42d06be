//! Writing a report: rendered in the format asked for, to stdout or a file.

use super::output::Target;
use crate::error::Result;
use crate::report::{Format, Render};

/// Writes `report` in `format` to `target` (refused, before anything is written, if the
/// report has no such format).
pub(super) fn write(target: &Target, report: &impl Render, format: impl Into<Format>) -> Result<()> {
    target.write(&report.render(format.into())?.text)
}
