//! Compile-step tests: folding, streams, outputs, slot reuse, and the ops units add.

use super::*;
use crate::model::Model;

fn program(vars: &str) -> Program {
    let model = Model::parse("m.toml", format!("[model]\nname = \"t\"\n[vars]\n{vars}")).unwrap();
    compile(&model, &CompileOptions::default()).unwrap()
}

fn var<'p>(p: &'p Program, name: &str) -> &'p VarInfo {
    p.vars().iter().find(|v| v.name == name).unwrap()
}

#[test]
fn constants_fold_through_vars_but_formulas_are_not_rewritten() {
    let p = program("years = \"4\"\nhours = \"8760 * years\"\nx = \"uniform(0, 1)\"\ny = \"x * 2 * hours\"\n");
    assert_eq!(var(&p, "hours").constant, Some(35040.0));
    // `x * 2 * hours` is `(x * 2) * hours`: two multiplications, never `x * 70080`.
    assert_eq!(factors(&p), [2.0, 35040.0]);
}

#[test]
fn each_var_that_draws_gets_one_stream_keyed_by_its_name() {
    let p = program("a = \"normal(0, 1) + uniform(0, 1)\"\nb = \"a * 2\"\nc = \"choice([1, 2], [1, 1])\"\n");
    let names: Vec<&str> = p.factors().iter().map(|f| p.vars()[f.var as usize].name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(p.factors()[0].key, crate::stream::stream_key("a"));
    assert!(var(&p, "b").factors.is_empty());
}

#[test]
fn outputs_default_to_unused_vars_and_constants_get_a_column() {
    let p = program("k = \"3\"\nx = \"pert(1, 2, 3)\"\ny = \"x + k\"\nz = \"k * 2\"\n");
    let names: Vec<&str> = p.outputs().iter().map(|o| p.vars()[o.var as usize].name.as_str()).collect();
    assert_eq!(names, ["y", "z"]);
    assert!(p.ops().iter().any(|op| matches!(op, Op::Fill { value, .. } if *value == 6.0)));
}

#[test]
fn columns_are_reused_once_values_are_dead() {
    // A chain of 30 derived vars needs a handful of columns, not 30.
    let mut vars = String::from("v0 = \"normal(0, 1)\"\n");
    for i in 1..30 {
        vars.push_str(&format!("v{i} = \"v{} * 1.01 + 1\"\n", i - 1));
    }
    let p = program(&vars);
    assert!(p.n_slots() <= 3, "{} slots", p.n_slots());
}

#[test]
fn per_trial_parameters_stay_per_trial() {
    let p = program("mu = \"normal(0, 1)\"\nx = \"normal(mu, 1)\"\nw = \"mu + 1 to mu + 3\"\n");
    let per_trial =
        p.ops().iter().filter(|op| matches!(op, Op::Sample { draw: program::Draw::PerTrial { .. }, .. })).count();
    assert_eq!(per_trial, 2);
}

#[test]
fn a_per_period_var_has_one_stream_per_period_keyed_by_its_index() {
    let model = Model::parse(
        "m.toml",
        "[model]\nname = \"t\"\nperiods = [\"y1\", \"y2\", \"y3\"]\n[vars]\n\
         d = { value = \"normal(0, 1)\", per_period = true }\ns = \"uniform(0, 1)\"\nx = \"d + s * t\"\n"
            .to_string(),
    )
    .unwrap();
    let p = compile(&model, &CompileOptions::default()).unwrap();
    let keys: Vec<u64> = p.factors().iter().map(|f| f.key).collect();
    let stream_key = crate::stream::stream_key;
    assert_eq!(keys, [stream_key("d[0]"), stream_key("d[1]"), stream_key("d[2]"), stream_key("s")]);
    let names: Vec<String> = (0..p.factors().len()).map(|f| p.factor_name(f)).collect();
    assert_eq!(names, ["d[y1]", "d[y2]", "d[y3]", "s"]);
    let outputs: Vec<String> = (0..p.outputs().len()).map(|i| p.output_name(i)).collect();
    assert_eq!(outputs, ["x[y1]", "x[y2]", "x[y3]"]);
    assert!(var(&p, "x").series && !var(&p, "s").series);
}

/// The constants multiplying slots in `p`'s ops, in order.
fn factors(p: &Program) -> Vec<f64> {
    p.ops()
        .iter()
        .filter_map(|op| match op {
            Op::Binary { b: Operand::Const(c), .. } => Some(*c),
            _ => None,
        })
        .collect()
}

#[test]
fn a_model_whose_units_need_no_conversion_compiles_to_the_same_ops_as_without_them() {
    let model = Model::load(std::path::Path::new("models/deepseek_fleet_tco.toml")).unwrap();
    let mut plain = model.clone();
    plain.vars.iter_mut().for_each(|v| v.unit = None);
    let options = CompileOptions::default();
    let (with, without) = (compile(&model, &options).unwrap(), compile(&plain, &options).unwrap());
    assert!(with.vars().iter().any(|v| v.unit.is_some()));
    assert!(without.vars().iter().all(|v| v.unit.is_none()));
    assert_eq!(format!("{:?}", with.ops()), format!("{:?}", without.ops()));
}

/// A conversion is one multiplication by a constant where one is needed (constants fold,
/// but nothing is reassociated: `rate * 3` then `* 24`).
#[test]
fn a_conversion_is_one_multiplication_by_its_factor() {
    let vars = "rate = { value = \"2 to 3\", unit = \"USD/hour\" }\ndur = { value = \"3\", unit = \"day\" }\n\
                total = { value = \"rate * dur\", unit = \"USD\" }\n";
    let with = program(vars);
    let without = program(
        &vars.replace(", unit = \"USD/hour\"", "").replace(", unit = \"day\"", "").replace(", unit = \"USD\"", ""),
    );
    assert_eq!(with.ops().len(), without.ops().len() + 1);
    assert_eq!(factors(&with), [3.0, 24.0]);
    assert_eq!(factors(&without), [3.0]);
}
