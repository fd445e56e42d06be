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
//! atom    ::= NUMBER | NAME | NAME "(" ( arg ( "," arg )* )? ")"
//!           | "(" expr ")" | "[" ( expr ( "," expr )* )? "]"
//! arg     ::= ( NAME "=" )? expr          (named: a distribution's parameters only)
//! ```
//!
//! Comparisons do not chain: `a < b < c` is an error rather than a surprise.

use super::ast::{BinOp, Expr, ExprKind, UnaryOp};
use super::lexer::{Tok, Token, tokenize};
use crate::diagnostic::{Diagnostic, Problem};
use crate::dist::{DistKind, Form};
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
pub(crate) fn parse(src: &str) -> Result<Expr, Diagnostic> {
    let tokens = tokenize(src)?;
    if tokens.len() > MAX_TOKENS {
        return Err(Diagnostic::new(Problem::TooLong(MAX_TOKENS), Span::new(0, src.len())));
    }
    let mut parser = Parser { tokens, pos: 0, depth: 0 };
    if parser.peek() == &Tok::End {
        return Err(Diagnostic::new(Problem::Empty, Span::new(0, src.len())));
    }
    let Node { expr, .. } = parser.expr()?;
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

/// The value of `src` if it is one number in the language's notation (`1M`, `1e6`,
/// `0.5%`, `10_000`), else `None`.
pub fn number(src: &str) -> Option<f64> {
    match parse(src).ok()?.kind {
        ExprKind::Num(v) => Some(v),
        _ => None,
    }
}

/// Why a text is not a trial count (see [`trial_count`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadCount {
    /// A lowercase `m`: milli or millions?
    Ambiguous,
    /// Not a whole number ≥ 1.
    NotWhole,
    /// A whole number beyond [`crate::diagnostic::MAX_TRIALS`].
    OutOfRange,
}

/// A trial count as written on the command line or in a model file's `trials`: a whole
/// number, with `_` separators, an exponent or a suffix (`1000000`, `1_000_000`, `1e6`,
/// `1M`, `200k`, `200K`, `2B`, `2b`, `1G`, `1T`).
///
/// # Errors
/// Why it is not one: a lowercase `m` (ambiguous), not a whole number ≥ 1, or too many.
pub fn trial_count(text: &str) -> Result<u64, BadCount> {
    let text = text.trim();
    let normalised = match text.chars().last().filter(|c| c.is_ascii_alphabetic()) {
        Some('m') => return Err(BadCount::Ambiguous),
        Some(c @ ('b' | 'g' | 't')) => format!("{}{}", &text[..text.len() - 1], c.to_ascii_uppercase()),
        _ => text.to_string(),
    };
    match number(&normalised) {
        Some(v) if v.fract() == 0.0 && (1.0..=crate::diagnostic::MAX_TRIALS as f64).contains(&v) => Ok(v as u64),
        Some(v) if v.fract() == 0.0 && v.is_finite() && v >= 1.0 => Err(BadCount::OutOfRange),
        _ => Err(BadCount::NotWhole),
    }
}

/// Deepest nesting of parentheses, brackets, calls and prefix operators accepted, as in
/// spreadsheets: the parser recurses once per level, some 10 KB of stack in a debug
/// build.
pub(crate) const MAX_DEPTH: usize = 64;
/// Tallest expression tree accepted, in operators from the root to the deepest leaf
/// (`a + b + … + z` is as tall as it has `+`): every later stage (resolution, lowering,
/// dropping the tree) recurses once per level.
pub(crate) const MAX_HEIGHT: usize = 1_000;
/// Longest expression accepted, in tokens.
const MAX_TOKENS: usize = 10_000;

/// A parsed expression and the height of its tree: operators from its root to its deepest
/// leaf (a leaf is 0 high).
struct Node {
    expr: Expr,
    height: usize,
}

impl Node {
    fn leaf(kind: ExprKind, span: Span) -> Node {
        Node { expr: Expr { kind, span }, height: 0 }
    }
}

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
        if self.at_punct("=") {
            return Diagnostic::new(Problem::Assignment, self.span());
        }
        let hint = hint.or_else(|| self.hint());
        let found = match self.peek() {
            Tok::Num(_) => "a number".to_string(),
            Tok::Ident(w) => format!("`{w}`"),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::End => "the end of the expression".to_string(),
        };
        Diagnostic::new(Problem::Expected { wanted: wanted.to_string(), found, hint }, self.span())
    }

    /// What the writer of the token before an unexpected one probably meant, from other
    /// tools' notations: `2 ** 3`, `between 2 and 3`, `2..3`, `18 months`.
    fn hint(&self) -> Option<String> {
        let before = &self.tokens[self.pos.checked_sub(1)?].kind;
        let range =
            "write a range as `low to high`, e.g. `2 to 3` (a lognormal with p5 = 2 and p95 = 3), or `uniform(2, 3)`";
        Some(match (before, self.peek()) {
            (Tok::Punct("*"), Tok::Punct("*")) => "a power is `^`: write `2 ^ 3`, not `2 ** 3`".to_string(),
            (Tok::Num(_) | Tok::Ident(_), Tok::Num(_)) => range.to_string(),
            (Tok::Num(_), Tok::Ident(name)) => format!(
                "a number and a name need an operator between them (`* {name}`); a unit goes in the var's `unit`, e.g. `x = {{ value = \"18\", unit = \"month\" }}`"
            ),
            _ => return None,
        })
    }

    /// `lhs op rhs`, the operator at `at`.
    fn binary(op: BinOp, lhs: Node, rhs: Node, at: Span) -> Result<Node, Diagnostic> {
        let height = taller(lhs.height.max(rhs.height), at)?;
        let span = lhs.expr.span.to(rhs.expr.span);
        let kind = ExprKind::Binary(op, Box::new(lhs.expr), Box::new(rhs.expr));
        Ok(Node { expr: Expr { kind, span }, height })
    }

    fn expr(&mut self) -> Result<Node, Diagnostic> {
        let lhs = self.or()?;
        if !self.at_keyword("to") {
            return Ok(lhs);
        }
        let at = self.bump().span;
        let rhs = self.or()?;
        if self.at_keyword("to") {
            let hint = Some("`to` takes one low and one high value".to_string());
            return Err(self.unexpected_with("the end of the `a to b` range", hint));
        }
        let height = taller(lhs.height.max(rhs.height), at)?;
        let span = lhs.expr.span.to(rhs.expr.span);
        Ok(Node { expr: Expr { kind: ExprKind::To(Box::new(lhs.expr), Box::new(rhs.expr)), span }, height })
    }

    /// Operands parsed by `operand`, joined left to right by the operators `operator`
    /// finds at the current token.
    fn chain(
        &mut self,
        operand: fn(&mut Self) -> Result<Node, Diagnostic>,
        operator: fn(&Self) -> Option<BinOp>,
    ) -> Result<Node, Diagnostic> {
        let mut lhs = operand(self)?;
        while let Some(op) = operator(self) {
            let at = self.bump().span;
            let rhs = operand(self)?;
            lhs = Self::binary(op, lhs, rhs, at)?;
        }
        Ok(lhs)
    }

    fn or(&mut self) -> Result<Node, Diagnostic> {
        self.chain(Self::and, |p| p.at_keyword("or").then_some(BinOp::Or))
    }

    fn and(&mut self) -> Result<Node, Diagnostic> {
        self.chain(Self::not, |p| p.at_keyword("and").then_some(BinOp::And))
    }

    fn not(&mut self) -> Result<Node, Diagnostic> {
        if !self.at_keyword("not") {
            return self.cmp();
        }
        self.prefix(UnaryOp::Not, Self::not)
    }

    /// The prefix operator `op` at the current token, applied to what `operand` parses.
    fn prefix(&mut self, op: UnaryOp, operand: fn(&mut Self) -> Result<Node, Diagnostic>) -> Result<Node, Diagnostic> {
        self.nested(|p| {
            let at = p.bump().span;
            let operand = operand(p)?;
            let height = taller(operand.height, at)?;
            let span = at.to(operand.expr.span);
            Ok(Node { expr: Expr { kind: ExprKind::Unary(op, Box::new(operand.expr)), span }, height })
        })
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

    fn cmp(&mut self) -> Result<Node, Diagnostic> {
        let lhs = self.sum()?;
        let Some(op) = self.cmp_op() else { return Ok(lhs) };
        let at = self.bump().span;
        let rhs = self.sum()?;
        let expr = Self::binary(op, lhs, rhs, at)?;
        if self.cmp_op().is_some() {
            return Err(Diagnostic::new(Problem::ChainedComparison, self.span()));
        }
        Ok(expr)
    }

    fn sum(&mut self) -> Result<Node, Diagnostic> {
        self.chain(Self::product, |p| match p.peek() {
            Tok::Punct("+") => Some(BinOp::Add),
            Tok::Punct("-") => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn product(&mut self) -> Result<Node, Diagnostic> {
        self.chain(Self::unary, |p| match p.peek() {
            Tok::Punct("*") => Some(BinOp::Mul),
            Tok::Punct("/") => Some(BinOp::Div),
            _ => None,
        })
    }

    fn unary(&mut self) -> Result<Node, Diagnostic> {
        if !self.at_punct("-") {
            return self.power();
        }
        self.prefix(UnaryOp::Neg, Self::unary)
    }

    fn power(&mut self) -> Result<Node, Diagnostic> {
        let base = self.atom()?;
        if !self.at_punct("^") {
            return Ok(base);
        }
        let at = self.bump().span;
        let exponent = self.unary()?;
        Self::binary(BinOp::Pow, base, exponent, at)
    }

    /// Runs `parse` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested(&mut self, parse: impl FnOnce(&mut Self) -> Result<Node, Diagnostic>) -> Result<Node, Diagnostic> {
        if self.depth >= MAX_DEPTH {
            return Err(Diagnostic::new(Problem::TooDeep(MAX_DEPTH), self.span()));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn atom(&mut self) -> Result<Node, Diagnostic> {
        let token = self.tokens[self.pos].clone();
        match token.kind {
            Tok::Num(value) => {
                self.bump();
                Ok(Node::leaf(ExprKind::Num(value), token.span))
            }
            Tok::Ident(word) if ["to", "or", "and"].contains(&word.as_str()) => {
                Err(self.unexpected_with("a value", Some(format!("`{word}` needs a value on each side"))))
            }
            Tok::Ident(name) => {
                self.bump();
                if !self.at_punct("(") {
                    return Ok(Node::leaf(ExprKind::Name(name), token.span));
                }
                self.nested(|p| {
                    p.bump();
                    let (args, height, end) = p.arguments(&name, token.span)?;
                    Ok(Node { expr: Expr { kind: args, span: token.span.to(end) }, height })
                })
            }
            Tok::Punct("(") => self.nested(|p| {
                p.bump();
                let Node { expr, height } = p.expr()?;
                let end = p.expect_punct(")")?;
                Ok(Node { expr: Expr { kind: expr.kind, span: token.span.to(end) }, height })
            }),
            Tok::Punct("[") => self.nested(|p| {
                p.bump();
                let (items, height, end) = p.list("]", token.span)?;
                Ok(Node { expr: Expr { kind: ExprKind::List(items), span: token.span.to(end) }, height })
            }),
            _ => Err(self.unexpected("a number, a name, `(` or `[`")),
        }
    }

    /// A call's arguments up to `)`, the call to `name` at `at`: positional, then named
    /// (`p10 = 3M`), which only a distribution takes, put in its parameters' order.
    fn arguments(&mut self, name: &str, at: Span) -> Result<(ExprKind, usize, Span), Diagnostic> {
        let (mut positional, mut named, mut tallest) = (Vec::new(), Vec::<(String, Expr)>::new(), 0);
        let mut first_named: Option<Span> = None;
        if !self.at_punct(")") {
            loop {
                let keyword = match (self.peek(), &self.tokens.get(self.pos + 1).map(|t| &t.kind)) {
                    (Tok::Ident(word), Some(Tok::Punct("="))) => Some((word.clone(), self.span())),
                    _ => None,
                };
                if keyword.is_some() {
                    self.bump();
                    self.bump();
                } else if let Some(span) = first_named {
                    let message = "a value without a name cannot follow named ones".to_string();
                    return Err(named_problem(name, message, span.to(self.span())));
                }
                let Node { expr, height } = self.expr()?;
                tallest = tallest.max(height);
                match keyword {
                    Some((word, span)) => {
                        first_named.get_or_insert(span);
                        named.push((word, expr));
                    }
                    None => positional.push(expr),
                }
                if self.at_punct(",") {
                    self.bump();
                    continue;
                }
                if self.at_punct(")") {
                    break;
                }
                return Err(self.unexpected("`,` or `)`"));
            }
        }
        let height = taller(tallest, at)?;
        let end = self.bump().span;
        let (form, args) = match (DistKind::from_name(name), first_named) {
            (_, None) => (Form::Positional, positional),
            (Some(kind), Some(span)) => {
                kind.arrange(positional, named).map_err(|message| named_problem(name, message, span))?
            }
            (None, Some(span)) => {
                let message = "only a distribution's parameters can be named".to_string();
                return Err(named_problem(name, message, span));
            }
        };
        Ok((ExprKind::Call { name: name.to_string(), name_span: at, args, form }, height, end))
    }

    /// Comma-separated expressions up to the `close` bracket, under the node opened at
    /// `at`; returns them, the node's height and the bracket's span.
    fn list(&mut self, close: &str, at: Span) -> Result<(Vec<Expr>, usize, Span), Diagnostic> {
        let (mut items, mut tallest) = (Vec::new(), 0);
        if !self.at_punct(close) {
            loop {
                let Node { expr, height } = self.expr()?;
                items.push(expr);
                tallest = tallest.max(height);
                if self.at_punct(",") {
                    self.bump();
                    continue;
                }
                if self.at_punct(close) {
                    break;
                }
                return Err(self.unexpected(&format!("`,` or `{close}`")));
            }
        }
        Ok((items, taller(tallest, at)?, self.bump().span))
    }
}

/// A problem with the named arguments of a call to `name`, at `span`.
fn named_problem(name: &str, message: String, span: Span) -> Diagnostic {
    Diagnostic::new(Problem::NamedArguments { function: name.to_string(), message }, span)
}

/// The height of a node over children at most `tallest` high, refused past
/// [`MAX_HEIGHT`] with an error at `at`, the node's operator or bracket.
fn taller(tallest: usize, at: Span) -> Result<usize, Diagnostic> {
    match tallest + 1 {
        height if height > MAX_HEIGHT => Err(Diagnostic::new(Problem::TooTall(MAX_HEIGHT), at)),
        height => Ok(height),
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
    fn a_single_equals_outside_a_call_suggests_double() {
        let err = parse("a = b").unwrap_err();
        assert!(err.problem.help().unwrap().contains("`==`"));
    }

    #[test]
    fn named_arguments_are_put_in_parameter_order() {
        check("pert(1, 2, lambda = 6, max = 5)", "pert(1, 2, 5, 6)");
        check("normal(p90 = 5, p10 = 2)", "normal(2, 5)");
        let Ok(Expr { kind: ExprKind::Call { form, .. }, .. }) = parse("lognormal(sd = 2, mean = 6)") else {
            panic!("a call")
        };
        assert_eq!(form, Form::MeanSd);
        for (src, want) in [
            ("normal(p10 = 1, 5)", "a value without a name cannot follow named ones"),
            ("min(a = 3)", "only a distribution's parameters can be named"),
            ("gamma(shape = 1, shape = 2)", "`shape` is given twice"),
            ("gamma(1, shape = 2)", "by position and by name"),
            ("pert(1, max = 3)", "`mode` is missing"),
            ("normal(p10 = 1, p10 = 2)", "`p10` is given twice"),
        ] {
            assert!(parse(src).unwrap_err().problem.to_string().contains(want), "{src}");
        }
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
    }

    #[test]
    fn nesting_and_height_are_bounded_where_they_are_written() {
        let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        check_err(&nested(MAX_DEPTH + 1), "expression nested more than 64 levels deep", (64, 65));
        check_err(&nested(500), "expression nested more than 64 levels deep", (64, 65));
        let negations = |n: usize| format!("{}1", "-".repeat(n));
        assert!(parse(&negations(MAX_DEPTH)).is_ok());
        check_err(&negations(MAX_DEPTH + 1), "expression nested more than 64 levels deep", (64, 65));
        // `1+1+…`: n operators make a tree n high; the one past the limit is named.
        let chain = |n: usize| format!("1{}", "+1".repeat(n));
        assert!(parse(&chain(MAX_HEIGHT)).is_ok());
        let at = 2 * MAX_HEIGHT + 1;
        check_err(&chain(MAX_HEIGHT + 1), "expression more than 1000 operators deep", (at, at + 1));
        check_err(&chain(4_999), "expression more than 1000 operators deep", (at, at + 1));
        // Height adds across nesting: a chain inside a call is one taller.
        let call = format!("max({})", chain(MAX_HEIGHT));
        check_err(&call, "expression more than 1000 operators deep", (0, 3));
    }
}
