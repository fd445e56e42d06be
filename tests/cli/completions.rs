//! `completions` and `man`: generated from the clap definitions, so they list every
//! command and option the binary takes.

use crate::util::Costsim;

#[test]
fn bash_completion_is_a_script_bash_accepts_and_completes_commands() {
    let dir = Costsim::new();
    let script = Costsim::run_in(&dir, &["completions", "bash"]).success().stdout;
    for word in ["sensitivity", "merge", "--shard", "--tornado", "completions"] {
        assert!(script.contains(word), "{word}");
    }
    std::fs::write(dir.path("costsim.bash"), &script).unwrap();
    // Source it in a real bash and ask for the completions of `costsim se`.
    let probe = format!(
        "source {}; COMP_WORDS=(costsim se); COMP_CWORD=1; _costsim costsim se costsim; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        dir.path("costsim.bash").display()
    );
    let out = std::process::Command::new("bash").args(["-c", &probe]).output().expect("bash runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let words = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(words.lines().any(|w| w == "sensitivity"), "completions of `se`: {words}");
}

#[test]
fn other_shells_and_the_man_page() {
    let dir = Costsim::new();
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let script = Costsim::run_in(&dir, &["completions", shell]).success().stdout;
        assert!(script.contains("sensitivity") && script.contains("shard"), "{shell}");
    }
    let unknown = Costsim::run_in(&dir, &["completions", "tcsh"]).failure(2).stderr;
    assert!(unknown.contains("possible values"), "{unknown}");
    let man = Costsim::run_in(&dir, &["man"]).success().stdout;
    assert!(man.contains(".TH costsim 1"), "{man}");
    for command in ["run", "check", "sensitivity", "compare", "samples", "report", "merge"] {
        assert!(man.contains(&format!(".SS \"costsim {command}\"")), "{command} in:\n{man}");
    }
}
