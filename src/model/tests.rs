//! Loading model files: structure, problems, correlations and scenarios.

use super::*;
use crate::error::{Error, Result};

fn load(text: &str) -> Result<Model> {
    Model::parse("m.toml", text.to_string())
}

fn messages(text: &str) -> Vec<String> {
    load(text).unwrap().problems.iter().map(|d| d.problem.to_string()).collect()
}

#[test]
fn loads_vars_in_file_order_with_metadata_and_spans() {
    let text = "[model]\nname = \"t\"\n[vars]\nz = \"1 + 2\"\na = { value = 'x * 3', unit = \"USD\", source = \"s\" }\nn = 4\n";
    let model = load(text).unwrap();
    let names: Vec<_> = model.vars.iter().map(|v| v.name.name.as_str()).collect();
    assert_eq!(names, ["z", "a", "n"]);
    let a = &model.vars[1];
    assert_eq!(a.unit.as_ref().map(|u| u.name.as_str()), Some("USD"));
    assert_eq!(&text[a.expr.span.start..a.expr.span.end], "x * 3");
    assert_eq!(model.vars[2].text, "4");
    assert_eq!(model.sha256.len(), 64);
}

#[test]
fn reports_every_structural_problem_in_one_pass() {
    let text = "[modle]\n[vars]\nx = { valu = \"1\" }\ny = \"1 +\"\n";
    assert_eq!(
        messages(text),
        [
            "missing [model] table",
            "unknown key `modle`",
            "var `x` has no `value`",
            "unknown key `valu`",
            "expected a number, a name, `(` or `[`, found the end of the expression in var `y`",
        ]
    );
}

#[test]
fn syntax_error_points_into_the_file_and_leaves_the_var_invalid() {
    let model = load("[model]\nname = \"t\"\n[vars]\ny = \"2 * (3\"\n").unwrap();
    let rendered = model.problems[0].render(&model.sources);
    assert!(rendered.contains("--> m.toml:4:12"), "{rendered}");
    assert_eq!(model.vars[0].expr.kind, crate::expr::ExprKind::Invalid);
}

#[test]
fn text_that_is_not_toml_is_an_error() {
    let Err(Error::Model { diagnostics, .. }) = load("[model\n") else { panic!("expected an error") };
    assert!(diagnostics[0].problem.to_string().starts_with("invalid TOML: "));
}

#[test]
fn correlations_and_scenarios() {
    let text = "[model]\nname = \"t\"\n[vars]\na = \"1 to 2\"\nb = \"1 to 3\"\n[[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.5\n[scenarios.low]\ndescription = \"d\"\na = \"1\"\n";
    let model = load(text).unwrap();
    assert_eq!(model.correlations[0].coefficients, Coefficients::Rank(0.5));
    assert_eq!(model.scenarios[0].name.name, "low");
    assert_eq!(model.scenarios[0].overrides[0].text, "1");
}
