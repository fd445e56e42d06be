//! The architecture the code map in `src/lib.rs` states holds: data flows one way. Each
//! top-level module uses (through `crate::…` paths) only modules listed before it in the
//! code map, so no import cycle can come back; and within a module's directory, its files
//! use one another (through `super::…`) without cycles either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[path = "support/walk.rs"]
mod walk;
use walk::files;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The modules of the `# Code map` section, in its order: lines `//! - [`name`]…`
/// (public modules, linked) or `//! - `name`…` (crate-private ones, or behind a feature).
fn code_map() -> Vec<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    lib.lines()
        .skip_while(|l| *l != "//! # Code map")
        .skip(1)
        .take_while(|l| !l.starts_with("//! # "))
        .filter_map(|l| l.strip_prefix("//! - [`").or_else(|| l.strip_prefix("//! - `")))
        .map(|l| l.split('`').next().unwrap().to_string())
        .collect()
}

/// The identifiers that follow `prefix` in the code of `text`, comments left out (e.g. the
/// `x` of every `crate::x`; a doc link to a later module is no dependency).
fn names_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let code = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let ident = |s: &str| {
        let s = s.trim_start();
        let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
        s[..end].to_string()
    };
    let mut names = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        let rest = &code[i + prefix.len()..];
        let Some(group) = rest.strip_prefix('{') else {
            names.insert(ident(rest));
            continue;
        };
        // `prefix{a, b::c, d::{e, f}}`: the first name of each item at depth 0.
        let (mut depth, mut start) = (0, 0);
        for (j, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    names.insert(ident(&group[start..j]));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    names.insert(ident(&group[start..j]));
                    start = j + 1;
                }
                _ => {}
            }
        }
    }
    names.remove("");
    names
}

/// Top-level module of a file under `src/` (`engine` for `src/engine/eval.rs`).
fn top_module(path: &Path) -> String {
    let relative = path.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn modules_only_use_modules_listed_before_them_in_the_code_map() {
    let order = code_map();
    assert!(order.len() >= 10, "the code map in src/lib.rs lists the modules: {order:?}");
    let rank: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, m)| (m.as_str(), i)).collect();
    let mut violations = Vec::new();
    for path in files(&src(), &["rs"]) {
        let module = top_module(&path);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(&own) = rank.get(module.as_str()) else {
            panic!("module `{module}` is missing from the code map in src/lib.rs");
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for used in names_after(&text, "crate::") {
            match rank.get(used.as_str()) {
                Some(&r) if r > own => {
                    violations.push(format!("{} uses `{used}`, listed after `{module}`", path.display()))
                }
                _ => {}
            }
        }
    }
    assert!(violations.is_empty(), "data must flow one way:\n{}", violations.join("\n"));
}

#[test]
fn the_command_line_only_turns_arguments_into_studies_and_renders_them() {
    // What a command computes is owned by `study`, in every scope (whole, shard, merged):
    // the command line never reaches the engine, partial states or analyses itself.
    let allowed = ["study", "report", "model", "error", "diagnostic"];
    let mut violations = Vec::new();
    for path in files(&src().join("cli"), &["rs"]) {
        let text = std::fs::read_to_string(&path).unwrap();
        for used in names_after(&text, "crate::") {
            if !allowed.contains(&used.as_str()) {
                violations.push(format!("{} uses `crate::{used}`", path.display()));
            }
        }
    }
    assert!(violations.is_empty(), "cli may use only {allowed:?}:\n{}", violations.join("\n"));
}

#[test]
fn only_the_command_line_builds_usage_errors() {
    // The library reports each failure as its own variant with fields; a free-text
    // `Error::Usage` is the command line's, which words failures in terms of its options.
    let mut builders = Vec::new();
    for path in files(&src(), &["rs"]) {
        let text = std::fs::read_to_string(&path).unwrap();
        let code: String = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
        if !path.starts_with(src().join("cli")) && !path.ends_with("error.rs") && code.contains("Error::Usage(") {
            builders.push(path.display().to_string());
        }
    }
    assert!(builders.is_empty(), "library code builds Error::Usage: {builders:?}");
}

#[test]
fn mod_files_declare_and_re_export_without_logic() {
    // A module's mod.rs says what its files hold; its logic lives in files named for it.
    let mut holding = Vec::new();
    for path in files(&src(), &["rs"]).into_iter().filter(|p| p.ends_with("mod.rs")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let logic = code.lines().map(str::trim_start).any(|l| {
            ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn ", "impl ", "impl<"].iter().any(|p| l.starts_with(p))
        });
        if logic {
            holding.push(format!("{} holds logic", path.display()));
        }
    }
    assert!(holding.is_empty(), "{}", holding.join("\n"));
}

/// The names a mod.rs re-exports from its files (`pub use kind::{DistKind, Z95};`), each
/// with the file it comes from.
fn re_exports(mod_rs: &str) -> BTreeMap<String, String> {
    let code = mod_rs.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut names = BTreeMap::new();
    for statement in code.split(';') {
        let Some(path) = statement.trim().split_once("use ").map(|(_, p)| p.trim()) else { continue };
        let Some((file, items)) = path.split_once("::") else { continue };
        if file == "crate" || file == "super" || file == "std" {
            continue;
        }
        for item in items.trim_matches(|c: char| c == '{' || c == '}' || c.is_whitespace()).split(',') {
            let item = item.split(" as ").last().unwrap_or("").trim();
            if let Some(name) = item.rsplit("::").next().filter(|n| !n.is_empty()) {
                names.insert(name.to_string(), file.to_string());
            }
        }
    }
    names
}

#[test]
fn files_within_a_module_have_no_cycles() {
    let sample =
        re_exports("mod kind;\npub use kind::{DistKind, Z95};\npub(crate) use x::y::{Z as W};\nuse crate::a::B;");
    let expected = [("DistKind", "kind"), ("W", "x"), ("Z95", "kind")];
    assert_eq!(sample, expected.iter().map(|(n, f)| (n.to_string(), f.to_string())).collect());
    let mut dirs = BTreeSet::new();
    for path in files(&src(), &["rs"]) {
        if let Some(parent) = path.parent().filter(|p| *p != src()) {
            dirs.insert(parent.to_path_buf());
        }
    }
    for dir in dirs {
        // Sibling files (not mod.rs, which declares and re-exports them) and what they use.
        // `super::Name` reaches the file mod.rs re-exports `Name` from.
        let exported = std::fs::read_to_string(dir.join("mod.rs")).map(|t| re_exports(&t)).unwrap_or_default();
        let siblings: BTreeMap<String, BTreeSet<String>> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs") && !p.ends_with("mod.rs"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                let name = p.file_stem().unwrap().to_string_lossy().to_string();
                let used = names_after(&text, "super::")
                    .into_iter()
                    .map(|n| exported.get(&n).cloned().unwrap_or(n))
                    .filter(|n| *n != name)
                    .collect();
                (name, used)
            })
            .collect();
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        fn visit<'a>(
            name: &'a str,
            graph: &'a BTreeMap<String, BTreeSet<String>>,
            state: &mut BTreeMap<&'a str, u8>,
            path: &mut Vec<&'a str>,
        ) {
            match state.get(name) {
                Some(2) => return,
                Some(1) => panic!("import cycle: {} -> {name}", path.join(" -> ")),
                _ => {}
            }
            state.insert(name, 1);
            path.push(name);
            for next in graph[name].iter().filter(|n| graph.contains_key(*n)) {
                visit(next, graph, state, path);
            }
            path.pop();
            state.insert(name, 2);
        }
        for name in siblings.keys() {
            visit(name, &siblings, &mut state, &mut Vec::new());
        }
    }
}

#[test]
fn the_public_api_is_what_lib_rs_promises() {
    // The modules a library user reaches; every other module is private to the crate (and
    // `unreachable_pub`, denied in CI, keeps items inside them from claiming `pub`). The
    // hidden ones serve the binary and costsim's own benches and tests.
    const API: &[&str] = &["diagnostic", "error", "model", "report", "study"];
    const HIDDEN: &[&str] = &["cli", "internals"];
    const ROOT: &[&str] =
        &["CompileOptions", "Error", "Model", "Program", "Result", "RunConfig", "Sampling", "Simulation", "Summary"];
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let lines: Vec<&str> = lib.lines().collect();
    let (mut public, mut hidden) = (BTreeSet::new(), BTreeSet::new());
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("pub mod ") else { continue };
        let name = rest.trim_end_matches([';', '{', ' ']).to_string();
        let attributes = lines[..i].iter().rev().take_while(|l| l.starts_with("#["));
        match attributes.into_iter().any(|a| *a == "#[doc(hidden)]") {
            true => hidden.insert(name),
            false => public.insert(name),
        };
    }
    let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(public, set(API), "public modules of src/lib.rs");
    assert_eq!(hidden, set(HIDDEN), "hidden public modules of src/lib.rs");
    let private = lines.iter().filter(|l| l.starts_with("pub(crate) mod ") || l.starts_with("mod ")).count();
    assert!(private >= 10, "the other modules are declared pub(crate): {private}");
    // The root re-exports, each named in the promise of lib.rs's documentation.
    let root =
        names_after(&lines.iter().filter(|l| l.starts_with("pub use ")).cloned().collect::<Vec<_>>().join("\n"), "::");
    assert_eq!(root, set(ROOT), "re-exports at the root of src/lib.rs");
    let promise: String = lines.iter().skip_while(|l| !l.starts_with("//! # Public API")).take(12).cloned().collect();
    for name in ROOT.iter().chain(API) {
        assert!(promise.contains(&format!("[`{name}`]")), "lib.rs's Public API section names `{name}`");
    }
}
