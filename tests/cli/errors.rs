//! Every class of model error: message, place (file:line:column with a caret), hint,
//! exit status 2, no panic and no output file.

use crate::util::{Costsim, model_with};

/// Runs `check` on a model with these vars; returns stderr after asserting exit 2.
#[track_caller]
fn error_for(vars: &str) -> String {
    let outcome = Costsim::new().model(&model_with(vars)).args(&["check", "model.toml"]).run().failure(2);
    assert!(outcome.stdout.is_empty(), "nothing on stdout: {}", outcome.stdout);
    outcome.stderr
}

#[test]
fn unknown_name_names_the_var_the_place_and_a_suggestion() {
    let stderr = error_for("p_h800 = \"25k to 40k\"\ncapex = \"1000 * p_h80\"\n");
    let want = "error: unknown name `p_h80` in var `capex`
 --> model.toml:6:17
  |
6 | capex = \"1000 * p_h80\"
  |                 ^^^^^
  = help: did you mean `p_h800`?
";
    assert_eq!(stderr, want);
}

#[test]
fn syntax_error_points_at_the_token() {
    let stderr = error_for("x = \"2 * (3 + 4\"\n");
    let want = "error: expected `)`, found the end of the expression in var `x`
 --> model.toml:5:16
  |
5 | x = \"2 * (3 + 4\"
  |                ^
";
    assert_eq!(stderr, want);
}

#[test]
fn unknown_function_suggests_the_nearest() {
    let stderr = error_for("x = \"normall(1, 2)\"\n");
    assert!(stderr.starts_with("error: unknown function `normall` in var `x`\n --> model.toml:5:6\n"), "{stderr}");
    assert!(stderr.contains("help: did you mean `normal`?"), "{stderr}");
}

#[test]
fn wrong_arity_says_what_the_function_takes() {
    let stderr = error_for("x = \"pert(1, 2)\"\n");
    assert!(
        stderr.contains("error: `pert` takes 3 or 4 arguments (min, mode, max, lambda), got 2 in var `x`"),
        "{stderr}"
    );
    let stderr = error_for("x = \"lognormal(mean = 2, sigma = 1)\"\n");
    assert!(stderr.contains("lognormal takes (mu, sigma) of ln(x), (mean = m, sd = s) of x"), "{stderr}");
}

#[test]
fn cycle_lists_its_path() {
    let stderr = error_for("a = \"b + 1\"\nb = \"c * 2\"\nc = \"a\"\n");
    assert!(stderr.starts_with("error: cycle between vars: a -> b -> c -> a\n --> model.toml:5:1\n"), "{stderr}");
}

#[test]
fn duplicate_var_is_reported_with_its_line() {
    let stderr = error_for("x = \"1\"\nx = \"2\"\n");
    assert!(stderr.contains("duplicate key"), "{stderr}");
    assert!(stderr.contains("model.toml:6:1"), "{stderr}");
}

#[test]
fn invalid_constant_parameters_name_the_rule() {
    let stderr = error_for("x = \"normal(10, -2)\"\n");
    assert!(
        stderr.starts_with("error: invalid parameters for `normal(...)` in var `x`: sd must be ≥ 0 (got -2)\n"),
        "{stderr}"
    );
    let stderr = error_for("x = \"triangular(5, 1, 9)\"\n");
    assert!(stderr.contains("need min ≤ mode ≤ max and min < max (got 5, 1, 9)"), "{stderr}");
    let stderr = error_for("x = \"choice([1, 2], [0, 0])\"\n");
    assert!(stderr.contains("weights must sum to more than 0"), "{stderr}");
}

#[test]
fn to_with_a_non_positive_low_suggests_normal_or_uniform() {
    let stderr = error_for("x = \"-5 to 10\"\n");
    assert!(stderr.contains("`a to b` is a lognormal and needs 0 < a < b (got a = -5)"), "{stderr}");
    assert!(stderr.contains("use normal(mean, sd) or uniform(min, max)"), "{stderr}");
}

#[test]
fn constant_that_is_not_a_number_is_caught_at_load() {
    let stderr = error_for("x = \"ln(0 - 1) + 2\"\n");
    assert!(
        stderr.starts_with("error: `ln(0 - 1)` is NaN, not a finite number, in var `x`\n --> model.toml:5:6\n"),
        "{stderr}"
    );
}

#[test]
fn every_error_is_reported_in_one_pass() {
    let stderr = error_for("a = \"bb + 1\"\nc = \"foo(2)\"\n");
    assert!(stderr.contains("unknown name `bb` in var `a`"), "{stderr}");
    assert!(stderr.contains("unknown function `foo` in var `c`"), "{stderr}");
}

#[test]
fn nan_in_some_trials_names_the_var_and_counts_the_trials() {
    let model = model_with("x = \"normal(0, 1)\"\ny = \"sqrt(x)\"\n");
    let dir = Costsim::new().model(&model).args(&["run", "model.toml", "--trials", "10000", "-o", "out.json"]);
    let outcome = dir.run().failure(2);
    let stderr = outcome.stderr;
    assert!(stderr.starts_with("error: var `y` is NaN or infinite in "), "{stderr}");
    let count: u64 =
        stderr["error: var `y` is NaN or infinite in ".len()..].split(' ').next().unwrap().parse().unwrap();
    // About half of the trials have x < 0: 5000 ± 5·50.
    assert!((4750..=5250).contains(&count), "{count}");
    assert!(stderr.contains("of 10000 trials\n --> model.toml:6:6\n"), "{stderr}");
    assert!(!dir.path("out.json").exists(), "no output file on error");
    assert_eq!(std::fs::read_dir(dir.path(".")).unwrap().count(), 1, "only the model: no temp files left");
}

/// Runs `run` on a model with these vars (10,000 trials, seed 1); returns the outcome.
fn run_vars(vars: &str) -> crate::util::Outcome {
    Costsim::new().model(&model_with(vars)).args(&["run", "model.toml", "--trials", "10000", "--seed", "1"]).run()
}

#[test]
fn nan_inside_an_expression_is_an_error_at_the_operation_that_made_it() {
    // Comparisons, not, and, or, if's condition, clamp, min and max would all turn NaN into
    // a number; each must fail the run, pointing at `ln(x)` or `sqrt(x)` inside the var.
    for (formula, column, op) in [
        ("max(ln(x), -1)", 10, "ln(x)"),
        ("ln(x) > 0", 6, "ln(x)"),
        ("not ln(x)", 10, "ln(x)"),
        ("ln(x) and 1", 6, "ln(x)"),
        ("ln(x) or 0", 6, "ln(x)"),
        ("if(ln(x), 1, 2)", 9, "ln(x)"),
        ("clamp(sqrt(x), 0, 1)", 12, "sqrt(x)"),
        ("min(1, sqrt(x))", 13, "sqrt(x)"),
        ("(0 - ln(x)) ^ 0", 11, "ln(x)"),
    ] {
        let outcome = run_vars(&format!("x = \"normal(0, 1)\"\ny = \"{formula}\"\n")).failure(2);
        let stderr = outcome.stderr;
        assert!(stderr.starts_with("error: var `y` is NaN or infinite in "), "{formula}: {stderr}");
        assert!(stderr.contains(&format!(" of 10000 trials\n --> model.toml:6:{column}\n")), "{formula}: {stderr}");
        let caret = format!("|{}{}\n", " ".repeat(column), "^".repeat(op.len()));
        assert!(stderr.contains(&caret), "{formula}: {stderr}");
        assert!(stderr.contains(&format!("= help: `{op}` gives NaN from input -")), "{formula}: {stderr}");
        assert!(outcome.stdout.is_empty());
    }
}

#[test]
fn nan_in_the_branch_a_trial_does_not_take_is_not_an_error() {
    let outcome = run_vars("x = \"normal(0, 1)\"\ny = \"if(x > 0, ln(x), 0)\"\nz = \"choice([sqrt(x), 1], [0, 1])\"\n");
    assert!(outcome.success().stdout.contains("\ny "));
}

#[test]
fn a_var_that_is_nan_only_through_another_is_left_to_that_ones_diagnostic() {
    let stderr = run_vars("x = \"normal(0, 1)\"\na = \"ln(x)\"\nb = \"a + 1\"\n").failure(2).stderr;
    assert!(stderr.starts_with("error: var `a` is NaN or infinite in "), "{stderr}");
    assert!(!stderr.contains("var `b`"), "{stderr}");
}

#[test]
fn per_trial_parameters_out_of_range_name_the_rule() {
    let stderr = run_vars("s = \"normal(0.5, 1)\"\nx = \"normal(10, s)\"\n").failure(2).stderr;
    assert!(stderr.contains(" --> model.toml:6:6\n"), "{stderr}");
    assert!(stderr.contains("= help: `normal(10, s)` gives NaN in trial "), "{stderr}");
    assert!(stderr.contains(": sd must be ≥ 0 (got -"), "{stderr}");
}

#[test]
fn model_structure_errors_name_the_key() {
    let outcome =
        Costsim::new().model("[model]\nnaem = \"x\"\n[vars]\nx = 1\n").args(&["check", "model.toml"]).run().failure(2);
    assert!(outcome.stderr.contains("error: unknown key `naem`\n --> model.toml:2:1"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("did you mean `name`?"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("error: [model] has no `name`"), "{}", outcome.stderr);
}

#[test]
fn unknown_output_and_bad_correlations_are_errors() {
    let text = "[model]\nname = \"t\"\noutputs = [\"totl\"]\n[vars]\na = \"1 to 2\"\nb = \"a * 2\"\ntotal = \"a + b\"\n\
                [[correlations]]\nvars = [\"a\", \"b\"]\nrank = 1.5\n";
    let stderr = Costsim::new().model(text).args(&["check", "model.toml"]).run().failure(2).stderr;
    assert!(stderr.contains("unknown output `totl`") && stderr.contains("did you mean `total`?"), "{stderr}");
    assert!(stderr.contains("var `b` is not a single distribution, so it cannot be correlated"), "{stderr}");
    assert!(stderr.contains("rank correlation 1.5 is outside [-1, 1]"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2() {
    let dir = Costsim::new().model(&model_with("x = \"1 to 2\"\n"));
    let stderr = dir.args(&["run", "model.toml", "--trials", "abc"]).run().failure(2).stderr;
    assert!(stderr.contains("`--trials abc` must be a whole number ≥ 1"), "{stderr}");
    let dir = Costsim::new().model(&model_with("x = \"1 to 2\"\n"));
    let stderr = dir.args(&["run", "model.toml", "--threads", "0"]).run().failure(2).stderr;
    assert!(stderr.contains("`--threads 0` must be between 1 and 1024"), "{stderr}");
    let stderr = Costsim::new().args(&["run", "missing.toml"]).run().failure(2).stderr;
    assert!(stderr.starts_with("error: cannot read model file `missing.toml`"), "{stderr}");
    let stderr = Costsim::new()
        .model(&model_with("x = \"1 to 2\"\n"))
        .args(&["run", "model.toml", "--scenario", "nope"])
        .run()
        .failure(2)
        .stderr;
    assert!(stderr.contains("unknown scenario `nope`; this model defines no scenarios"), "{stderr}");
}

#[test]
fn set_errors_point_into_the_option() {
    let dir = Costsim::new().model(&model_with("price = \"1 to 2\"\n"));
    let stderr = dir.args(&["run", "model.toml", "--set", "prise=3"]).run().failure(2).stderr;
    assert!(stderr.contains("cannot override `prise`: the model has no such var"), "{stderr}");
    assert!(stderr.contains("did you mean `price`?"), "{stderr}");
    let dir = Costsim::new().model(&model_with("price = \"1 to 2\"\n"));
    let stderr = dir.args(&["run", "model.toml", "--set", "price=2 *"]).run().failure(2).stderr;
    assert!(stderr.contains(" --> --set:1:10\n"), "{stderr}");
}

#[test]
fn every_problem_of_every_stage_is_reported_at_once() {
    // An arity error, two invalid parameter sets, a syntax error, an unknown name and a
    // cycle, in different vars: a var with a problem leaves out only the vars using it.
    let stderr = error_for(
        "a = \"triangular(40, 70)\"\nb = \"0.55 to 0.30\"\nc = \"normal(0.09, -1)\"\nd = \"2 * (3\"\n\
         e2 = \"bb + 1\"\nf = \"d + 1\"\ng = \"h\"\nh = \"g\"\nok = \"a + 1\"\n",
    );
    let expected = [
        ("error: `triangular` takes 3 arguments (min, mode, max), got 2 in var `a`", "model.toml:5:6"),
        ("error: invalid parameters for `a to b` in var `b`: `a to b` needs a < b (got 0.55 to 0.3)", "model.toml:6:6"),
        ("error: invalid parameters for `normal(...)` in var `c`: sd must be ≥ 0 (got -1)", "model.toml:7:6"),
        ("error: expected `)`, found the end of the expression in var `d`", "model.toml:8:12"),
        ("error: unknown name `bb` in var `e2`", "model.toml:9:7"),
        ("error: cycle between vars: g -> h -> g", "model.toml:11:1"),
    ];
    for (message, place) in expected {
        let at = stderr.find(message).unwrap_or_else(|| panic!("missing `{message}` in:\n{stderr}"));
        assert!(stderr[at..].lines().nth(1).unwrap().ends_with(place), "{message} at {place}:\n{stderr}");
    }
    assert_eq!(stderr.matches("error: ").count(), expected.len(), "nothing about f or ok:\n{stderr}");
}

#[test]
fn outputs_and_correlation_problems_point_at_their_own_lines() {
    let text = "[model]\nname = \"t\"\noutputs = []\n[vars]\na = \"1 to 2\"\nb = \"1 to 3\"\nc = \"1 to 4\"\n\
                [[correlations]]\nvars = [\"a\", \"b\"]\nrank = 1.5\n\
                [[correlations]]\nvars = [\"a\", \"c\"]\nmatrix = [[1, 0.5], [0.4, 1]]\n";
    let stderr = Costsim::new().model(text).args(&["check", "model.toml"]).run().failure(2).stderr;
    assert!(
        stderr.contains("error: `outputs` is empty, so there is nothing to report\n --> model.toml:3:11\n"),
        "{stderr}"
    );
    assert!(stderr.contains("error: rank correlation 1.5 is outside [-1, 1]\n  --> model.toml:10:8\n"), "{stderr}");
    assert!(
        stderr.contains("error: `matrix` is not symmetric for `c` and `a` (0.4 vs 0.5)\n  --> model.toml:13:22\n"),
        "{stderr}"
    );
}

#[test]
fn impossible_correlations_point_at_the_entry_that_breaks_them() {
    let text = "[model]\nname = \"t\"\n[vars]\na = \"1 to 2\"\nb = \"1 to 3\"\nc = \"1 to 4\"\n\
                [[correlations]]\nvars = [\"a\", \"b\"]\nrank = 0.9\n\
                [[correlations]]\nvars = [\"a\", \"c\"]\nrank = 0.9\n\
                [[correlations]]\nvars = [\"b\", \"c\"]\nrank = -0.9\n";
    let stderr = Costsim::new().model(text).args(&["check", "model.toml"]).run().failure(2).stderr;
    // The pair furthest outside what the other two allow is a–b, set by the first entry.
    assert!(stderr.starts_with("error: the rank correlations cannot hold together: `a`–`b` is 0.9"), "{stderr}");
    assert!(stderr.contains("\n --> model.toml:9:8\n"), "{stderr}");
}

#[test]
fn io_errors_name_the_real_path_and_never_a_temporary_file() {
    let outcome = Costsim::new()
        .model(&model_with("x = \"1 to 2\"\n"))
        .args(&["run", "model.toml", "--trials", "10", "-o", "missing/dir/out.json"])
        .run()
        .failure(2);
    assert!(
        outcome.stderr.starts_with(
            "error: cannot write the output to `missing/dir/out.json`: it cannot be created: directory missing/dir does not exist"
        ),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains(".costsim-"), "{}", outcome.stderr);
}

#[test]
fn what_a_spreadsheet_user_writes_gets_a_hint_to_write_it_our_way() {
    // Each case: the vars, the place (line:column) and words of the hint.
    for (vars, place, hint) in [
        ("x = \"triangle(1, 2, 3)\"\n", "model.toml:5:6", "did you mean `triangular`?"),
        ("x = \"20,000 to 80,000\"\n", "model.toml:5:8", "write 20000 or 20k, not 20,000"),
        ("x = \"10 to 20,000\"\n", "model.toml:5:14", "no thousands separators"),
        ("x = \"$0.09\"\n", "model.toml:5:6", "write the number alone (`0.09`, not `$0.09`)"),
        ("budget = 15k\n", "model.toml:5:10", "write an expression as a string: `budget = \"15k\"`"),
    ] {
        let stderr = error_for(vars);
        assert!(stderr.contains(place) && stderr.contains(hint), "{vars}: {place}, {hint} in:\n{stderr}");
    }
}

#[test]
fn correlating_a_constant_or_a_formula_gets_the_hint_that_fits() {
    let vars = "a = \"normal(0, 1)\"\nb = \"a * 2\"\nc = 5\n\n[[correlations]]\nvars = [\"a\", \"c\"]\nrank = 0.5\n\n\
                [[correlations]]\nvars = [\"a\", \"b\"]\nrank = 1.5\n";
    let stderr = error_for(vars);
    assert!(stderr.contains("var `c` is a constant, so it cannot be correlated"), "{stderr}");
    assert!(stderr.contains("`c` is the same in every trial: there is nothing to correlate"), "{stderr}");
    assert!(
        stderr.contains("var `b` is not a single distribution") && stderr.contains("correlate the inputs of `b`"),
        "{stderr}"
    );
    // The coefficient out of range is pointed at on its own line, not the table header.
    assert!(stderr.contains("rank correlation 1.5 is outside [-1, 1]\n  --> model.toml:15:8"), "{stderr}");
}
