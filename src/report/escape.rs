//! Escaping for where text lands. Every string a report takes from a model, a file name
//! or a partial state reaches Markdown or HTML through one of these functions, so that it
//! shows as itself and nothing in it runs, links or loads once rendered. (Terminal text
//! goes through [`crate::diagnostic::printable`].)

use crate::diagnostic::printable;

/// `s` as HTML (or SVG) text or attribute value: `& < > "` as entities, and control
/// characters as visible symbols (a raw ESC would make the XHTML page ill-formed).
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in visible(s, true).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Text costsim wrote around a value in a model's unit (`$2.1/(GPU*hour)`, `12.8 –
/// 33.1`) as Markdown: costsim's own words start no markup, and a unit, which the unit
/// parser limits to names, numbers, `% $ € £ * · / ^ ( )` and spaces, can bring only
/// emphasis (`*`, `_`), so those are escaped and nothing else changes.
pub(crate) fn markdown_shown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `s` as Markdown text that shows as itself, in a paragraph, a heading or a table cell:
/// every character that can start markup there is backslash-escaped (CommonMark makes any
/// ASCII punctuation literal that way) — emphasis, code, links, raw HTML, entities, cell
/// breaks, strikethrough, and at the start a list item, quote or heading — and line
/// breaks become spaces. What cannot start markup stays as written, so names such as
/// `tco_per_year` (an underscore inside a word opens no emphasis) and numbers such as
/// `$1.5B` read as themselves in the Markdown source too.
pub(crate) fn markdown(s: &str) -> String {
    const ANYWHERE: &str = "\\`*[]<&|~";
    const AT_START: &str = "-+=#>";
    let s = visible(s, false);
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    let mut previous: Option<char> = None;
    for (i, c) in s.char_indices() {
        let rest = &s[i + c.len_utf8()..];
        let next = rest.chars().next();
        // `1.` or `2)` then a space (or nothing) starts an ordered list item.
        let ordered = i == digits && digits > 0 && ".)".contains(c) && next.is_none_or(|n| n == ' ' || n == '\t');
        let in_word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
        let escape = ANYWHERE.contains(c)
            || (i == 0 && AT_START.contains(c))
            || ordered
            || (c == '_' && !(in_word(previous) && in_word(next)));
        if escape {
            out.push('\\');
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

/// Plain text of several lines as Markdown that shows each line as itself ([`markdown`]),
/// on lines of their own (hard breaks), blank lines kept as paragraph breaks.
pub(crate) fn markdown_lines(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        match line.trim() {
            "" => out.push('\n'),
            line => {
                out.push_str(&markdown(line));
                out.push_str("  \n");
            }
        }
    }
    out
}

/// `s` as a Markdown code span: fenced by one backtick more than its longest run of
/// backticks, with a space inside each fence when it starts or ends with a backtick or a
/// space (CommonMark strips one), line breaks as spaces. Not for table cells: see
/// [`code_cell`].
pub(crate) fn code(s: &str) -> String {
    let s = visible(s, false);
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']) { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// As [`code`], for a table cell: `|` ends a GFM cell even inside a code span unless
/// escaped, and the table shows `\|` there as `|`.
pub(crate) fn code_cell(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// A link destination for a file name: every character but letters, digits and `-._~/`
/// percent-encoded, so that spaces, brackets and quotes in it cannot end it.
pub(crate) fn link_destination(s: &str) -> String {
    let mut out = String::new();
    for byte in s.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// True for the link addresses a report keeps: web, mail and in-page ones.
pub(crate) fn safe_url(url: &str) -> bool {
    ["https://", "http://", "mailto:", "#"].iter().any(|p| url.starts_with(p))
}

/// A model's own Markdown (its description) as Markdown with the HTML report's rules:
/// raw HTML shown as text, links to anything but [`safe_url`] addresses and every image
/// replaced by their text (an image would load from the network). The rest of the
/// source is kept as written.
pub(crate) fn markdown_document(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag};
    let text = visible(text, true);
    let mut out = String::with_capacity(text.len());
    // The source is copied up to `at`; inside a replaced link or image (up to `until`),
    // only its text is kept.
    let (mut at, mut until) = (0, 0);
    for (event, range) in Parser::new(&text).into_offset_iter() {
        if range.start < until {
            if let Event::Text(t) | Event::Code(t) = &event {
                out.push_str(&markdown(t));
            }
            continue;
        }
        let replaced = match &event {
            Event::Html(_) | Event::InlineHtml(_) => true,
            Event::Start(Tag::Link { dest_url, .. }) => !safe_url(dest_url),
            Event::Start(Tag::Image { .. }) => true,
            _ => false,
        };
        if !replaced {
            continue;
        }
        out.push_str(&text[at..range.start]);
        if let Event::Html(raw) | Event::InlineHtml(raw) = &event {
            let lines: Vec<String> = raw.lines().map(markdown).collect();
            out.push_str(&lines.join("\n"));
            if raw.ends_with('\n') {
                out.push('\n');
            }
        } else {
            until = range.end;
        }
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// `s` with control characters as visible symbols; line breaks kept if `lines`, else
/// spaces.
fn visible(s: &str, lines: bool) -> String {
    let s = if lines { s.to_string() } else { s.replace("\r\n", " ").replace(['\n', '\r'], " ") };
    match s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        true => printable(&s),
        false => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `markdown` rendered by a CommonMark renderer, as HTML.
    fn rendered(markdown: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(
            &mut html,
            pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES),
        );
        html
    }

    #[test]
    fn markdown_text_renders_as_itself() {
        for s in [
            "<script>alert(1)</script>",
            "*a* _b_ [c](javascript:x) ![i](https://x/y.png)",
            "a | b",
            "# h",
            "1. x",
            "12) y",
            "- z",
            "> q",
            "&amp; `c` ~~s~~",
            "$1.5B to $2.0B",
            "1.5e9",
            "3.",
            "tco_per_year _x_ a__b__ opex>944M #1",
        ] {
            let html = rendered(&markdown(s));
            assert!(
                !html.contains("<script") && !html.contains("<a ") && !html.contains("<img") && !html.contains("<em"),
                "{s}: {html}"
            );
            assert_eq!(html.trim(), format!("<p>{}</p>", html_text(s)), "{s}");
        }
    }

    /// `s` as pulldown-cmark writes text.
    fn html_text(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    }

    #[test]
    fn code_spans_hold_any_run_of_backticks() {
        for s in ["plain", "a`b", "``x``", "`", " lead", "x | y"] {
            let html = rendered(&code(s));
            assert_eq!(html.trim(), format!("<p><code>{}</code></p>", html_text(s)), "{s}: {}", code(s));
        }
        let table = rendered(&format!("| a |\n|---|\n| {} |\n", code_cell("x | `y`")));
        assert!(table.contains("<td><code>x | `y`</code></td>"), "{table}");
    }

    #[test]
    fn a_models_markdown_keeps_the_html_reports_rules() {
        let doc = markdown_document(
            "A **bold** [source](https://example.com) and <b onmouseover=x>raw</b>.\n\n<script>alert(1)</script>\n\n\
             A [click](javascript:alert(1)), <javascript:alert(2)>, ![pic](https://x.test/c.png) and [r][ref].\n\n[ref]: javascript:alert(3)\n",
        );
        let html = rendered(&doc);
        assert!(
            html.contains("<strong>bold</strong>") && html.contains("<a href=\"https://example.com\">source</a>"),
            "{html}"
        );
        assert!(!html.contains("<script") && !html.contains("<b ") && !html.contains("<img"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("click") && html.contains("pic"), "{html}");
    }

    #[test]
    fn link_destinations_and_html_hold_anything() {
        assert_eq!(link_destination("my report (1)-x.svg"), "my%20report%20%281%29-x.svg");
        assert_eq!(html("a\u{1b}]0;t\u{7}<b>"), "a\u{241b}]0;t\u{2407}&lt;b&gt;");
    }
}
