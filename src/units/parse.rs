//! Unit expressions: `USD/GPU/hour`, `USD/(GPU*month)`, `kW*h`, `m^2`, `1/year`, `%`.
//! Products (`*` or `·`) and quotients bind left to right; `^` takes an integer power.

use std::ops::Range;

use super::table::{self, Lookup};
use super::unit::{MAX_POWER, Unit};

/// Why a unit expression does not parse, and where in it (a byte range).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct UnitError {
    /// What is wrong.
    pub(crate) message: String,
    /// How to fix it.
    pub(crate) hint: String,
    /// Where, in the unit's text.
    pub(crate) at: Range<usize>,
}

/// The longest unit text read (a model file is hostile until checked: every name in it
/// is looked up among the built-in units).
const MAX_LEN: usize = 200;

/// Deepest nesting of parentheses a unit may have.
const MAX_DEPTH: usize = 16;

/// Parses `text` as a unit.
///
/// # Errors
/// A [`UnitError`] at the first problem.
pub(crate) fn parse(text: &str) -> Result<Unit, UnitError> {
    if text.len() > MAX_LEN {
        let hint = format!("a unit is at most {MAX_LEN} bytes: name a count unit (`GPU`) rather than spell one out");
        return Err(UnitError { message: "a unit too long".into(), hint, at: 0..text.len() });
    }
    let mut parser = Parser { text, at: 0, depth: 0 };
    parser.skip_spaces();
    if parser.at == text.len() {
        return Err(parser.error(0..text.len(), "empty unit", "write a unit such as `USD`, `kWh` or `USD/GPU/hour`"));
    }
    let unit = parser.product()?;
    parser.skip_spaces();
    match parser.peek() {
        None => Ok(unit),
        Some(')') => Err(parser.error(parser.at..parser.at + 1, "unmatched `)`", "remove it or add the `(` it closes")),
        Some(c) => Err(parser.unexpected(c)),
    }
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += self.peek().map_or(0, char::len_utf8);
        }
    }

    fn error(&self, at: Range<usize>, message: &str, hint: &str) -> UnitError {
        UnitError { message: message.to_string(), hint: hint.to_string(), at }
    }

    fn unexpected(&self, c: char) -> UnitError {
        let at = self.at..self.at + c.len_utf8();
        match c {
            '-' => self.error(
                at,
                "`-` in a unit",
                "units multiply with `*` and divide with `/`: write `GPU*hour`, not `GPU-hour`",
            ),
            c if c.is_ascii_digit() => self.error(
                at,
                "a number in a unit",
                "put the number in the value (`value = \"1000\"`) or use a prefix (`kW`, `GB`); `1` only stands alone, as in `1/year`",
            ),
            c if c.is_whitespace() || c.is_alphanumeric() => {
                self.error(at, "two units side by side", "multiply units with `*`: `kW*h`, `GPU*hour`")
            }
            c => self.error(
                at,
                &format!("unexpected `{c}` in a unit"),
                "write units with names, `*`, `/`, `^` and `( )`",
            ),
        }
    }

    /// powers joined by `*`, `·` or `/`, left to right.
    fn product(&mut self) -> Result<Unit, UnitError> {
        let mut unit = self.power()?;
        loop {
            self.skip_spaces();
            let divide = match self.peek() {
                Some('*' | '·') => false,
                Some('/') => true,
                _ => return Ok(unit),
            };
            self.at += self.peek().map_or(0, char::len_utf8);
            let next = self.power()?;
            // Units as written: `hour/day` stays as it is in the declared unit.
            unit = if divide { unit.joined(&next.pow(-1)) } else { unit.joined(&next) };
        }
    }

    /// An atom with an optional `^` and integer.
    fn power(&mut self) -> Result<Unit, UnitError> {
        let atom = self.atom()?;
        self.skip_spaces();
        if self.peek() != Some('^') {
            return Ok(atom);
        }
        self.at += 1;
        self.skip_spaces();
        let start = self.at;
        let digits = self.text[start..]
            .char_indices()
            .take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && c == '-'))
            .map(|(_, c)| c.len_utf8())
            .sum::<usize>();
        self.at += digits;
        match self.text[start..self.at].parse::<i32>() {
            Ok(n) if n != 0 && n.abs() <= MAX_POWER => Ok(atom.pow(n)),
            _ => Err(self.error(
                start..self.at.max(start + 1).min(self.text.len()),
                "a unit's power must be a whole number",
                &format!("write e.g. `m^2` or `s^-1` (powers -{MAX_POWER} to {MAX_POWER}, not 0)"),
            )),
        }
    }

    /// A name, `1`, `%`, a currency sign, or a parenthesised unit.
    fn atom(&mut self) -> Result<Unit, UnitError> {
        self.skip_spaces();
        let start = self.at;
        let Some(c) = self.peek() else {
            return Err(self.error(start..start, "a unit is missing at the end", "write a unit after the operator"));
        };
        if c == '(' {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(self.error(start..start + 1, "a unit nested too deep", "remove parentheses"));
            }
            self.at += 1;
            let inner = self.product()?;
            self.skip_spaces();
            if self.peek() != Some(')') {
                return Err(self.error(start..start + 1, "unclosed `(`", "add the `)` that closes it"));
            }
            self.at += 1;
            self.depth -= 1;
            return Ok(inner);
        }
        if c == '1' {
            self.at += 1;
            return Ok(Unit::one());
        }
        let len = match c {
            '%' | '$' | '€' | '£' => c.len_utf8(),
            c if c.is_alphabetic() || c == '_' => self.text[start..]
                .char_indices()
                .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
                .map(|(_, c)| c.len_utf8())
                .sum(),
            c => return Err(self.unexpected(c)),
        };
        self.at += len;
        let name = &self.text[start..self.at];
        match table::lookup(name) {
            Lookup::Unit(named) => Ok(Unit::named(named)),
            Lookup::NearMiss(meant) => Err(self.error(
                start..self.at,
                &format!("unknown unit `{name}`"),
                &format!("did you mean `{meant}`? (units are case-sensitive: `kWh`, `MB`, `Mbit`)"),
            )),
        }
    }
}
