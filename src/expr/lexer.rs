//! Tokens of the expression language, with byte spans.
//!
//! Numbers accept `_` separators, a decimal exponent and one suffix:
//! `k`=`K`=1e3, `M`=1e6, `B`=`G`=1e9, `T`=1e12, `%`=1e-2 (as `--trials` reads them).

use crate::diagnostic::{Diagnostic, Problem};
use crate::source::Span;

/// A token and where it is in the expression string.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    pub(super) kind: Tok,
    pub(super) span: Span,
}

/// Token kinds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Ident(String),
    /// Operators and punctuation, as written.
    Punct(&'static str),
    End,
}

const PUNCTS: [&str; 17] = ["<=", ">=", "==", "!=", "+", "-", "*", "/", "^", "(", ")", "[", "]", ",", "<", ">", "="];

/// Splits `src` into tokens, ending with [`Tok::End`].
pub(super) fn tokenize(src: &str) -> Result<Vec<Token>, Diagnostic> {
    let mut tokens = Vec::new();
    let bytes = src.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let c = bytes[pos];
        if c.is_ascii_whitespace() {
            pos += 1;
        } else if c.is_ascii_digit() || (c == b'.' && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit)) {
            let (value, end) = number(src, pos)?;
            tokens.push(Token { kind: Tok::Num(value), span: Span::new(pos, end) });
            pos = end;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let end = ident_end(bytes, pos);
            tokens.push(Token { kind: Tok::Ident(src[pos..end].to_string()), span: Span::new(pos, end) });
            pos = end;
        } else if let Some(p) = PUNCTS.iter().find(|p| src[pos..].starts_with(**p)) {
            tokens.push(Token { kind: Tok::Punct(p), span: Span::new(pos, pos + p.len()) });
            pos += p.len();
        } else {
            let ch = src[pos..].chars().next().unwrap_or('?');
            let span = Span::new(pos, pos + ch.len_utf8());
            let after_number = tokens.last().is_some_and(|t: &Token| matches!(t.kind, Tok::Num(_)));
            let problem = match ch {
                '%' if after_number => Problem::SpacedPercent,
                _ => Problem::UnexpectedCharacter(ch),
            };
            return Err(Diagnostic::new(problem, span));
        }
    }
    tokens.push(Token { kind: Tok::End, span: Span::new(src.len(), src.len()) });
    Ok(tokens)
}

fn ident_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
        end += 1;
    }
    end
}

/// Reads a number starting at `start`; returns its value (suffix applied) and end offset.
fn number(src: &str, start: usize) -> Result<(f64, usize), Diagnostic> {
    let bytes = src.as_bytes();
    let mut end = start;
    let digits = |end: &mut usize| {
        while *end < bytes.len() && (bytes[*end].is_ascii_digit() || bytes[*end] == b'_') {
            *end += 1;
        }
    };
    digits(&mut end);
    if end < bytes.len() && bytes[end] == b'.' {
        end += 1;
        digits(&mut end);
    }
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut exp = end + 1;
        if exp < bytes.len() && (bytes[exp] == b'+' || bytes[exp] == b'-') {
            exp += 1;
        }
        if exp < bytes.len() && bytes[exp].is_ascii_digit() {
            end = exp;
            digits(&mut end);
        }
    }
    let text: String = src[start..end].chars().filter(|&c| c != '_').collect();
    let span = Span::new(start, end);
    let mut value: f64 =
        text.parse().map_err(|_| Diagnostic::new(Problem::BadNumber(src[start..end].to_string()), span))?;
    if end < bytes.len() {
        let suffix_end = if bytes[end] == b'%' { end + 1 } else { ident_end(bytes, end) };
        if suffix_end > end {
            let suffix = &src[end..suffix_end];
            let scale = match suffix {
                "k" | "K" => 1e3,
                "M" => 1e6,
                "B" | "G" => 1e9,
                "T" => 1e12,
                "%" => 1e-2,
                _ => {
                    return Err(Diagnostic::new(
                        Problem::UnknownSuffix(suffix.to_string()),
                        Span::new(end, suffix_end),
                    ));
                }
            };
            value *= scale;
            end = suffix_end;
        }
    }
    Ok((value, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(src: &str) -> Vec<f64> {
        tokenize(src)
            .unwrap()
            .into_iter()
            .filter_map(|t| if let Tok::Num(v) = t.kind { Some(v) } else { None })
            .collect()
    }

    #[test]
    fn numbers_with_separators_exponents_and_suffixes() {
        assert_eq!(nums("12 1.5 1e9 1_000 .5"), vec![12.0, 1.5, 1e9, 1000.0, 0.5]);
        assert_eq!(nums("8k 2.788M 1.6B 3G 2T 5%"), vec![8e3, 2.788e6, 1.6e9, 3e9, 2e12, 0.05]);
        assert_eq!(nums("200K 1.5K"), vec![200e3, 1.5e3], "K as --trials takes it");
        assert_eq!(nums("2.5e-3 1E+2"), vec![2.5e-3, 100.0]);
    }

    #[test]
    fn unknown_suffix_is_an_error_at_the_suffix() {
        let err = tokenize("3 * 5kb").unwrap_err();
        assert_eq!(err.problem.to_string(), "unknown number suffix `kb`");
        assert_eq!(err.span, Some(Span::new(5, 7)));
    }

    #[test]
    fn single_equals_is_a_token() {
        assert_eq!(tokenize("a = b").unwrap()[1].kind, Tok::Punct("="));
    }
}
