//! `costsim man`: one man page (roff) with every command and the model language, from
//! the clap definitions and the tables the compiler reads.

use clap::CommandFactory as _;

use super::args::Cli;
use crate::error::{Error, Result};

/// The man page (roff): costsim's name, synopsis and description; every command with its
/// synopsis and options; the model language (from the tables the compiler reads); the
/// exit statuses (`precision_not_met`: a `--precision` miss's). One page, so that
/// `costsim man > costsim.1` installs all of it.
pub(super) fn page(precision_not_met: i32) -> Result<String> {
    let render = |man: &clap_mangen::Man,
                  section: fn(&clap_mangen::Man, &mut dyn std::io::Write) -> std::io::Result<()>| {
        let mut bytes = Vec::new();
        section(man, &mut bytes).map_err(|e| Error::Usage(e.to_string()))?;
        Ok::<String, Error>(String::from_utf8_lossy(&bytes).into_owned())
    };
    let cli = Cli::command();
    let man = clap_mangen::Man::new(cli.clone());
    let mut page = String::new();
    for section in [
        clap_mangen::Man::render_title,
        clap_mangen::Man::render_name_section,
        clap_mangen::Man::render_synopsis_section,
        clap_mangen::Man::render_description_section,
    ] {
        page.push_str(&render(&man, section)?);
    }
    page.push_str(".SH COMMANDS\n");
    for command in cli.get_subcommands() {
        let command = command.clone().bin_name(format!("costsim {}", command.get_name()));
        let man = clap_mangen::Man::new(command.clone());
        page.push_str(&format!(".SS \"costsim {}\"\n", command.get_name()));
        for section in [
            clap_mangen::Man::render_description_section,
            clap_mangen::Man::render_synopsis_section,
            clap_mangen::Man::render_options_section,
        ] {
            // Each command's sections become paragraphs of its subsection.
            let text = render(&man, section)?;
            page.extend(
                text.lines().map(|l| if l.starts_with(".SH") { ".PP\n".to_string() } else { format!("{l}\n") }),
            );
        }
        if let Some(after) = command.get_after_help() {
            page.push_str(&format!(".PP\n{}\n", roff(&after.to_string())));
        }
    }
    page.push_str(".SH \"MODEL FILES\"\n");
    for topic in crate::report::model_language() {
        page.push_str(&format!(".SS \"{}\"\n.PP\n{}\n", topic.heading, roff(&topic.text)));
        for (term, meaning) in &topic.terms {
            page.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(term), roff(meaning)));
        }
    }
    page.push_str(&format!(
        ".SH \"EXIT STATUS\"\n.TP\n0\nsuccess\n.TP\n1\nany other failure\n.TP\n2\na bad model or bad arguments (the message names what and where; no output file is written)\n.TP\n{precision_not_met}\na --precision target not met within --max-trials (the results are written all the same)\n"
    ));
    page.push_str(&render(&man, clap_mangen::Man::render_version_section)?);
    Ok(page)
}

/// `text` safe as roff text: backslashes escaped, and a line that would start with a
/// control character (`.` or `'`) guarded.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    escaped
        .lines()
        .map(|l| if l.starts_with(['.', '\'']) { format!("\\&{l}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}
