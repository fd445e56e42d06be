//! Recursive-descent parser for expressions, one function per precedence level.
//!
//! Grammar, loosest binding first:
//!
//! ```text
//! expr    ::= or ( "to" or )?
//! or      ::= and ( "or" and )*
//! and     ::= not ( "and" not )*
//! not     ::= "not" not | cmp
//! cmp     ::= sum ( ( "<" | "<=" | ">" | ">=" | "==" | "!=" ) sum )?
//! sum     ::= product ( ( "+" | "-" ) product )*
//! product ::= unary ( ( "*" | "/" ) unary )*
//! unary   ::= "-" unary | power
//! power   ::= atom ( "^" unary )?          (right-associative; -x^2 is -(x^2))
//! atom    ::= NUMBER | NAME | NAME "(" ( expr ( "," expr )* )? ")"
//!           | "(" expr ")" | "[" ( expr ( "," expr )* )? "]"
//! ```
//!
//! Comparisons do not chain: `a < b < c` is an error rather than a surprise.

use super::lexer::{Tok, Token, tokenize};
use super::{BinOp, Expr, ExprKind, UnaryOp};
use crate::diagnostic::{Diagnostic, Problem};
use crate::source::Span;

/// True if the rightmost operand of `expr` is a number literal (as in `10 to 20`).
fn ends_in_number(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Num(_) => true,
        ExprKind::Binary(_, _, rhs) | ExprKind::To(_, rhs) => ends_in_number(rhs),
        _ => false,
    }
}

/// Parses one expression. Spans in the result are offsets into `src`.
///
/// # Errors
/// A [`Diagnostic`] pointing at the first token that does not fit the grammar.
pub fn parse(src: &str) -> Result<Expr, Diagnostic> {
    let tokens = tokenize(src)?;
    if tokens.len() > MAX_TOKENS {
        return Err(Diagnostic::new(Problem::TooLong(MAX_TOKENS), Span::new(0, src.len())));
    }
    let mut parser = Parser { tokens, pos: 0, depth: 0 };
    if parser.peek() == &Tok::End {
        return Err(Diagnostic::new(Problem::Empty, Span::new(0, src.len())));
    }
    let expr = parser.expr()?;
    match parser.peek() {
        Tok::End => Ok(expr),
        // `20,000 to 80,000`: a thousands separator after a number.
        Tok::Punct(",") if ends_in_number(&expr) => Err(parser.unexpected_with(
            "an operator or the end of the expression",
            Some("numbers have no thousands separators: write 20000 or 20k, not 20,000".to_string()),
        )),
        _ => Err(parser.unexpected("an operator or the end of the expression")),
    }
}

/// Deepest nesting of parentheses, brackets, calls and prefix operators accepted (the
/// parser recurses).
const MAX_DEPTH: usize = 200;
/// Longest expression accepted, in tokens (later stages recurse over the tree).
const MAX_TOKENS: usize = 10_000;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].kind
    }

    fn span(&self) -> Span {
        self.tokens[self.pos].span
    }

    fn bump(&mut self) -> Token {
        let token = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn at_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn at_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(w) if w == word)
    }

    fn expect_punct(&mut self, p: &str) -> Result<Span, Diagnostic> {
        if self.at_punct(p) {
            return Ok(self.bump().span);
        }
        Err(self.unexpected(&format!("`{p}`")))
    }

    fn unexpected(&self, wanted: &str) -> Diagnostic {
        self.unexpected_with(wanted, None)
    }

    fn unexpected_with(&self, wanted: &str, hint: Option<String>) -> Diagnostic {
        let found = match self.peek() {
            Tok::Num(_) => "a number".to_string(),
            Tok::Ident(w) => format!("`{w}`"),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::End => "the end of the expression".to_string(),
        };
        Diagnostic::new(Problem::Expected { wanted: wanted.to_string(), found, hint }, self.span())
    }

    fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
        let span = lhs.span.to(rhs.span);
        Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span }
    }

    fn expr(&mut self) -> Result<Expr, Diagnostic> {
        let lhs = self.or()?;
        if !self.at_keyword("to") {
            return Ok(lhs);
        }
        self.bump();
        let rhs = self.or()?;
        if self.at_keyword("to") {
            let hint = Some("`to` takes one low and one high value".to_string());
            return Err(self.unexpected_with("the end of the `a to b` range", hint));
        }
        let span = lhs.span.to(rhs.span);
        Ok(Expr { kind: ExprKind::To(Box::new(lhs), Box::new(rhs)), span })
    }

    fn or(&mut self) -> Result<Expr, Diagnostic> {
        let mut lhs = self.and()?;
        while self.at_keyword("or") {
            self.bump();
            lhs = Self::binary(BinOp::Or, lhs, self.and()?);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, Diagnostic> {
        let mut lhs = self.not()?;
        while self.at_keyword("and") {
            self.bump();
            lhs = Self::binary(BinOp::And, lhs, self.not()?);
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Expr, Diagnostic> {
        if !self.at_keyword("not") {
            return self.cmp();
        }
        let start = self.bump().span;
        let operand = self.nested(Self::not)?;
        let span = start.to(operand.span);
        Ok(Expr { kind: ExprKind::Unary(UnaryOp::Not, Box::new(operand)), span })
    }

    fn cmp_op(&self) -> Option<BinOp> {
        let Tok::Punct(p) = self.peek() else { return None };
        Some(match *p {
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            _ => return None,
        })
    }

    fn cmp(&mut self) -> Result<Expr, Diagnostic> {
        let lhs = self.sum()?;
        let Some(op) = self.cmp_op() else { return Ok(lhs) };
        self.bump();
        let expr = Self::binary(op, lhs, self.sum()?);
        if self.cmp_op().is_some() {
            return Err(Diagnostic::new(Problem::ChainedComparison, self.span()));
        }
        Ok(expr)
    }

    fn sum(&mut self) -> Result<Expr, Diagnostic> {
        let mut lhs = self.product()?;
        loop {
            let op = if self.at_punct("+") {
                BinOp::Add
            } else if self.at_punct("-") {
                BinOp::Sub
            } else {
                return Ok(lhs);
            };
            self.bump();
            lhs = Self::binary(op, lhs, self.product()?);
        }
    }

    fn product(&mut self) -> Result<Expr, Diagnostic> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.at_punct("*") {
                BinOp::Mul
            } else if self.at_punct("/") {
                BinOp::Div
            } else {
                return Ok(lhs);
            };
            self.bump();
            lhs = Self::binary(op, lhs, self.unary()?);
        }
    }

    fn unary(&mut self) -> Result<Expr, Diagnostic> {
        if !self.at_punct("-") {
            return self.power();
        }
        let start = self.bump().span;
        let operand = self.nested(Self::unary)?;
        let span = start.to(operand.span);
        Ok(Expr { kind: ExprKind::Unary(UnaryOp::Neg, Box::new(operand)), span })
    }

    fn power(&mut self) -> Result<Expr, Diagnostic> {
        let base = self.atom()?;
        if !self.at_punct("^") {
            return Ok(base);
        }
        self.bump();
        let exponent = self.unary()?;
        Ok(Self::binary(BinOp::Pow, base, exponent))
    }

    /// Runs `parse` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested(&mut self, parse: impl FnOnce(&mut Self) -> Result<Expr, Diagnostic>) -> Result<Expr, Diagnostic> {
        if self.depth >= MAX_DEPTH {
            return Err(Diagnostic::new(Problem::TooDeep(MAX_DEPTH), self.span()));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn atom(&mut self) -> Result<Expr, Diagnostic> {
        self.nested(Self::atom_inner)
    }

    fn atom_inner(&mut self) -> Result<Expr, Diagnostic> {
        let token = self.tokens[self.pos].clone();
        match token.kind {
            Tok::Num(value) => {
                self.bump();
                Ok(Expr { kind: ExprKind::Num(value), span: token.span })
            }
            Tok::Ident(word) if ["to", "or", "and"].contains(&word.as_str()) => {
                Err(self.unexpected_with("a value", Some(format!("`{word}` needs a value on each side"))))
            }
            Tok::Ident(name) => {
                self.bump();
                if !self.at_punct("(") {
                    return Ok(Expr { kind: ExprKind::Name(name), span: token.span });
                }
                self.bump();
                let (args, end) = self.list(")")?;
                let kind = ExprKind::Call { name, name_span: token.span, args };
                Ok(Expr { kind, span: token.span.to(end) })
            }
            Tok::Punct("(") => {
                self.bump();
                let inner = self.expr()?;
                let end = self.expect_punct(")")?;
                Ok(Expr { kind: inner.kind, span: token.span.to(end) })
            }
            Tok::Punct("[") => {
                self.bump();
                let (items, end) = self.list("]")?;
                Ok(Expr { kind: ExprKind::List(items), span: token.span.to(end) })
            }
            _ => Err(self.unexpected("a number, a name, `(` or `[`")),
        }
    }

    /// Comma-separated expressions up to the `close` bracket; returns them and its span.
    fn list(&mut self, close: &str) -> Result<(Vec<Expr>, Span), Diagnostic> {
        let mut items = Vec::new();
        if self.at_punct(close) {
            return Ok((items, self.bump().span));
        }
        loop {
            items.push(self.expr()?);
            if self.at_punct(",") {
                self.bump();
                continue;
            }
            if self.at_punct(close) {
                return Ok((items, self.bump().span));
            }
            return Err(self.unexpected(&format!("`,` or `{close}`")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the tree fully parenthesised, to check precedence and associativity.
    fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Num(v) => format!("{v}"),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Unary(UnaryOp::Neg, a) => format!("(-{})", show(a)),
            ExprKind::Unary(UnaryOp::Not, a) => format!("(not {})", show(a)),
            ExprKind::Binary(op, a, b) => format!("({} {op:?} {})", show(a), show(b)),
            ExprKind::To(a, b) => format!("({} to {})", show(a), show(b)),
            ExprKind::Call { name, args, .. } => {
                format!("{name}({})", args.iter().map(show).collect::<Vec<_>>().join(", "))
            }
            ExprKind::List(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
            ExprKind::Invalid => "<invalid>".to_string(),
        }
    }

    #[track_caller]
    fn check(src: &str, want: &str) {
        assert_eq!(show(&parse(src).unwrap()), want, "parsing {src}");
    }

    #[test]
    fn arithmetic_precedence_and_associativity() {
        check("1 + 2 * 3", "(1 Add (2 Mul 3))");
        check("1 - 2 - 3", "((1 Sub 2) Sub 3)");
        check("8 / 4 / 2", "((8 Div 4) Div 2)");
        check("2 ^ 3 ^ 2", "(2 Pow (3 Pow 2))");
        check("-x ^ 2", "(-(x Pow 2))");
        check("2 ^ -1", "(2 Pow (-1))");
        check("(1 + 2) * 3", "((1 Add 2) Mul 3)");
    }

    #[test]
    fn logic_is_looser_than_comparison_and_to_is_loosest() {
        check("a > 1 and b < 2 or c", "(((a Gt 1) And (b Lt 2)) Or c)");
        check("not a == b", "(not (a Eq b))");
        check("a or b and c", "(a Or (b And c))");
        check("1k + 2 to 3k * 2", "((1000 Add 2) to (3000 Mul 2))");
        check("capex > 1.6B", "(capex Gt 1600000000)");
    }

    #[test]
    fn calls_and_lists() {
        check("pert(8k, 10k, 12k)", "pert(8000, 10000, 12000)");
        check("choice([1, normal(0, 1)], [0.3, 0.7])", "choice([1, normal(0, 1)], [0.3, 0.7])");
        check("truncate(normal(0, 1), -1, 1)", "truncate(normal(0, 1), (-1), 1)");
        check("f()", "f()");
    }

    #[test]
    fn spans_cover_the_source() {
        let e = parse("a + pert(1, 2, 3)").unwrap();
        assert_eq!(e.span, Span::new(0, 17));
        let ExprKind::Binary(_, _, call) = &e.kind else { panic!("not binary") };
        assert_eq!(call.span, Span::new(4, 17));
    }

    #[track_caller]
    fn check_err(src: &str, message: &str, span: (usize, usize)) {
        let err = parse(src).unwrap_err();
        assert_eq!(err.problem.to_string(), message, "parsing {src}");
        assert_eq!(err.span, Some(Span::new(span.0, span.1)), "parsing {src}");
    }

    #[test]
    fn syntax_errors_name_what_was_expected_and_where() {
        check_err("1 +", "expected a number, a name, `(` or `[`, found the end of the expression", (3, 3));
        check_err("(1 + 2", "expected `)`, found the end of the expression", (6, 6));
        check_err("a b", "expected an operator or the end of the expression, found `b`", (2, 3));
        let separators = parse("20,000 to 80,000").unwrap_err();
        assert!(separators.problem.help().unwrap().contains("write 20000 or 20k"), "{:?}", separators.problem);
        let late = parse("10 to 20,000").unwrap_err();
        assert!(late.problem.help().unwrap().contains("no thousands separators"), "{:?}", late.problem);
        check_err("1 < 2 < 3", "comparisons do not chain", (6, 7));
        check_err("", "empty expression", (0, 0));
        check_err("max(1 2)", "expected `,` or `)`, found a number", (6, 7));
        check_err("1 to 2 to 3", "expected the end of the `a to b` range, found `to`", (7, 9));
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert_eq!(parse(&deep).unwrap_err().problem.to_string(), "expression nested more than 200 levels deep");
        let negations = format!("{}1", "-".repeat(5000));
        assert!(parse(&negations).is_err());
    }
}
