//! Units: conversions against hand computation, and a catalogue of the classic unit
//! mistakes of cost models, each refused before a trial runs with the var, both units, a
//! fix and its place in the file.

use costsim::{Model, Simulation};
use proptest::prelude::*;

/// A model of `vars` (TOML lines of `[vars]`) with `outputs`.
fn model(vars: &str, outputs: &[&str]) -> String {
    let outputs: Vec<String> = outputs.iter().map(|o| format!("\"{o}\"")).collect();
    format!("[model]\nname = \"units\"\noutputs = [{}]\nperiods = 3\n[vars]\n{vars}\n", outputs.join(", "))
}

/// The first trial's value of each output of a model whose outputs are all fixed.
fn values(vars: &str, outputs: &[&str]) -> Vec<f64> {
    let model = Model::parse("units.toml", model(vars, outputs)).unwrap();
    Simulation::new(model).unwrap_or_else(|e| panic!("{e}")).first_trial().unwrap()
}

/// The error a model of `vars` gets: it must be one, before any trial.
fn refusal(vars: &str, outputs: &[&str]) -> String {
    let model = Model::parse("units.toml", model(vars, outputs)).unwrap();
    match Simulation::new(model) {
        Ok(_) => panic!("accepted:\n{vars}"),
        Err(e) => e.to_string(),
    }
}

fn close(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-12 * want.abs(), "{got} ≠ {want}");
}

#[test]
fn conversions_match_hand_computation() {
    // 2 USD/hour × 3 day = 2 × 3 × 24 = 144 USD.
    let v = values(
        "rate = { value = \"2\", unit = \"USD/hour\" }\ndur = { value = \"3\", unit = \"day\" }\n\
         total = { value = \"rate * dur\", unit = \"USD\" }",
        &["total"],
    );
    close(v[0], 144.0);
    // 1.5 kW × 10 hour × 0.1 USD/kWh = 1.5 USD; 2 MW in the same formula is 2,000 USD.
    for (power, want) in [("1.5\", unit = \"kW", 1.5), ("2\", unit = \"MW", 2000.0)] {
        let v = values(
            &format!(
                "power = {{ value = \"{power}\" }}\nhours = {{ value = \"10\", unit = \"hour\" }}\n\
                 price = {{ value = \"0.1\", unit = \"USD/kWh\" }}\n\
                 cost = {{ value = \"power * hours * price\", unit = \"USD\" }}"
            ),
            &["cost"],
        );
        close(v[0], want);
    }
    // USD/GPU × GPU is USD, with no factor; a plural count is the same count.
    let v = values(
        "price = { value = \"30k\", unit = \"USD/GPU\" }\nn = { value = \"2k\", unit = \"GPUs\" }\n\
         capex = { value = \"price * n\", unit = \"USD\" }",
        &["capex"],
    );
    close(v[0], 60e6);
    // Like quantities add after converting: 5 hour + 1 day = 29 hour; a year is 365.25
    // days and a month a twelfth of it.
    let v = values(
        "a = { value = \"5\", unit = \"hour\" }\nb = { value = \"1\", unit = \"day\" }\n\
         sum = { value = \"a + b\", unit = \"hour\" }\ny = { value = \"1\", unit = \"year\" }\n\
         y_hours = { value = \"y\", unit = \"hours\" }\nm_hours = { value = \"y / 12\", unit = \"h\" }",
        &["sum", "y_hours", "m_hours"],
    );
    close(v[0], 29.0);
    close(v[1], 8766.0);
    close(v[2], 730.5);
    // Data: 2 TB at 0.02 USD/(GB*month) for a year is 2,000 × 0.02 × 12 = 480 USD.
    let v = values(
        "tb = { value = \"2\", unit = \"TB\" }\nprice = { value = \"0.02\", unit = \"USD/(GB*month)\" }\n\
         span = { value = \"1\", unit = \"year\" }\nbill = { value = \"tb * price * span\", unit = \"USD\" }\n\
         gib = { value = \"1\", unit = \"GiB\" }\nbytes = { value = \"gib\", unit = \"B\" }",
        &["bill", "bytes"],
    );
    close(v[0], 480.0);
    close(v[1], 1_073_741_824.0);
    // A bare number beside a quantity takes its unit (`cost + 50k`, `x > 1.6B`); in `*` it
    // is a plain factor. An undeclared var gets the formula's unit, and `%` is a fraction.
    let v = values(
        "cost = { value = \"100k\", unit = \"USD\" }\nshare = { value = \"25%\", unit = \"%\" }\n\
         more = \"cost + 50k\"\nover = \"more > 120k\"\npart = { value = \"more * share\", unit = \"USD\" }",
        &["more", "over", "part"],
    );
    assert_eq!(v, [150e3, 1.0, 37.5e3]);
}

#[test]
fn distributions_take_the_unit_of_their_parameters_and_convert_as_distributions() {
    // A duration in days read in hours: the normal's mean and sd are scaled, so the var is
    // still a distribution (and may be correlated).
    let text = model(
        "days = { value = \"normal(2, 0.1)\", unit = \"day\" }\nhours = { value = \"days\", unit = \"hour\" }\n\
         other = \"uniform(0, 1)\"\nalso = { value = \"normal(2, 0.1)\", unit = \"day\" }\n\
         in_hours = { value = \"also\", unit = \"hour\" }\n\
         [[correlations]]\nvars = [\"also\", \"other\"]\nrank = 0.5",
        &["days", "hours", "in_hours"],
    );
    let model = Model::parse("units.toml", text).unwrap();
    let v = Simulation::new(model).unwrap().first_trial().unwrap();
    close(v[1], v[0] * 24.0);
    assert!((v[2] / 24.0 - 2.0).abs() < 1.0, "{v:?}");
}

#[test]
fn a_model_without_units_is_unchanged() {
    let v = values("a = \"2\"\nb = \"3 * a\"\nc = \"b + 50k\"", &["c"]);
    assert_eq!(v, [50_006.0]);
}

/// Each classic mistake: vars, the outputs, and what the error must say (the var, both
/// units, the fix), with the line it must point at.
const MISTAKES: &[(&str, &str, &[&str], usize)] = &[
    // 1. A rate used as a total.
    (
        "rate = { value = \"2\", unit = \"USD/hour\" }\ntotal = { value = \"rate\", unit = \"USD\" }",
        "total",
        &["`total` is declared in USD but its formula gives USD/hour, a rate", "multiply by a duration such as hours"],
        7,
    ),
    // 2. kW where kWh was meant.
    (
        "power = { value = \"5\", unit = \"kW\" }\nenergy = { value = \"power\", unit = \"kWh\" }",
        "energy",
        &["`energy` is declared in kWh but its formula gives kW", "multiply by a duration"],
        7,
    ),
    // 3. A per-server price used per GPU.
    (
        "price = { value = \"300k\", unit = \"USD/server\" }\ngpus = { value = \"2k\", unit = \"GPU\" }\n\
         capex = { value = \"price * gpus\", unit = \"USD\" }",
        "capex",
        &["`capex` is declared in USD but its formula gives USD*GPU/server", "a factor in server/GPU"],
        8,
    ),
    // 4. Two currencies added.
    (
        "a = { value = \"2\", unit = \"USD\" }\nb = { value = \"3\", unit = \"EUR\" }\nc = \"a + b\"",
        "c",
        &["`+` mixes USD and EUR in var `c`", "exchange rate var with unit `USD/EUR`"],
        8,
    ),
    // 5. A total plus a rate.
    (
        "a = { value = \"2\", unit = \"USD\" }\nb = { value = \"3\", unit = \"USD/hour\" }\nc = \"a + b\"",
        "c",
        &["`+` mixes USD and USD/hour in var `c`", "multiply the USD/hour side by a duration"],
        8,
    ),
    // 6. Money compared with energy.
    (
        "cost = { value = \"2\", unit = \"USD\" }\nenergy = { value = \"3\", unit = \"kWh\" }\nover = \"cost > energy\"",
        "over",
        &["`>` mixes USD and kWh in var `over`"],
        8,
    ),
    // 7. The log of a price.
    (
        "price = { value = \"2\", unit = \"USD\" }\nx = \"ln(price)\"",
        "x",
        &["ln(...) needs a plain number, but gets USD in var `x`", "divide by a quantity in USD"],
        7,
    ),
    // 8. exp of a duration.
    ("d = { value = \"2\", unit = \"day\" }\nx = \"exp(d)\"", "x", &["exp(...) needs a plain number, but gets day"], 7),
    // 9. A price raised to a varying power.
    (
        "p = { value = \"2\", unit = \"USD\" }\ng = \"uniform(1, 2)\"\nx = \"p ^ g\"",
        "x",
        &["a quantity raised to a power other than a whole number from -16 to 16 needs a plain number, but gets USD"],
        8,
    ),
    // 10. The square root of a length.
    (
        "l = { value = \"2\", unit = \"m\" }\nx = \"sqrt(l)\"",
        "x",
        &["`sqrt` of a unit that is not a square", "gets m"],
        7,
    ),
    // 11. A misspelt unit.
    ("h = { value = \"2\", unit = \"huor\" }", "h", &["unknown unit `huor`", "did you mean `hour`?"], 6),
    // 12. A unit in the wrong case.
    ("en = { value = \"2\", unit = \"kwh\" }", "en", &["unknown unit `kwh`", "did you mean `kWh`?"], 6),
    // 13. A hyphen for a product.
    ("gh = { value = \"2\", unit = \"GPU-hours\" }", "gh", &["`-` in a unit", "write `GPU*hour`"], 6),
    // 14. A quotient with nothing below.
    ("x = { value = \"2\", unit = \"USD/\" }", "x", &["a unit is missing at the end"], 6),
    // 15. A number inside a unit.
    ("x = { value = \"2\", unit = \"1000 USD\" }", "x", &["a number in a unit", "put the number in the value"], 6),
    // 16. A power that is no whole number.
    ("x = { value = \"2\", unit = \"m^x\" }", "x", &["a unit's power must be a whole number"], 6),
    // 17. The smaller of two currencies.
    (
        "a = { value = \"2\", unit = \"USD\" }\nb = { value = \"3\", unit = \"GBP\" }\nc = \"min(a, b)\"",
        "c",
        &["`min(...)` mixes USD and GBP in var `c`"],
        8,
    ),
    // 18. Branches of an `if` in different units.
    (
        "a = { value = \"2\", unit = \"USD\" }\nb = { value = \"3\", unit = \"kWh\" }\nc = \"if(a > 1, a, b)\"",
        "c",
        &["`if(...)` mixes USD and kWh in var `c`"],
        8,
    ),
    // 19. A normal whose sd is in another dimension than its mean.
    (
        "m = { value = \"2\", unit = \"USD\" }\ns = { value = \"1\", unit = \"hour\" }\nx = \"normal(m, s)\"",
        "x",
        &["`normal(...)` mixes USD and hour in var `x`"],
        8,
    ),
    // 20. A range between a price and a count.
    (
        "lo = { value = \"2\", unit = \"USD\" }\nhi = { value = \"3\", unit = \"GPU\" }\nx = \"lo to hi\"",
        "x",
        &["`to` mixes USD and GPU in var `x`"],
        8,
    ),
    // 21. A discount rate with a unit.
    (
        "r = { value = \"0.05\", unit = \"USD\" }\ncash = { value = \"[1, 2, 3]\", unit = \"USD\" }\nv = \"npv(r, cash)\"",
        "v",
        &["the rate of `npv` needs a plain number, but gets USD in var `v`"],
        8,
    ),
    // 22. Servers counted where GPUs were meant.
    (
        "price = { value = \"30k\", unit = \"USD/GPU\" }\nn = { value = \"250\", unit = \"server\" }\n\
         capex = { value = \"price * n\", unit = \"USD\" }",
        "capex",
        &["`capex` is declared in USD but its formula gives USD*server/GPU"],
        8,
    ),
    // 23. A yearly power bill declared as a total.
    (
        "kw = { value = \"100\", unit = \"kW\" }\nprice = { value = \"0.1\", unit = \"USD/kWh\" }\n\
         bill = { value = \"kw * price\", unit = \"USD\" }",
        "bill",
        &["`bill` is declared in USD but its formula gives", "a rate", "multiply by a duration such as hours"],
        8,
    ),
    // 24. A total spread over time declared as a total.
    (
        "capex = { value = \"1B\", unit = \"USD\" }\nlife = { value = \"4\", unit = \"year\" }\n\
         yearly = { value = \"capex / life\", unit = \"USD\" }",
        "yearly",
        &["`yearly` is declared in USD but its formula gives USD/year, a rate"],
        8,
    ),
    // 25. Bandwidth confused with data.
    (
        "rate = { value = \"10\", unit = \"Gbit/s\" }\nmoved = { value = \"rate\", unit = \"TB\" }",
        "moved",
        &["`moved` is declared in TB but its formula gives Gbit/s", "multiply by a duration"],
        7,
    ),
];

#[test]
fn classic_unit_mistakes_are_refused_with_the_var_both_units_a_fix_and_the_place() {
    assert!(MISTAKES.len() >= 20);
    for (vars, output, expected, line) in MISTAKES {
        let message = refusal(vars, &[output]);
        for want in *expected {
            assert!(message.contains(want), "`{want}` is not in:\n{message}");
        }
        assert!(message.contains(&format!("units.toml:{line}:")), "not at line {line}:\n{message}");
        assert!(message.contains("help:"), "no fix:\n{message}");
    }
}

#[test]
fn every_unit_problem_is_reported_at_once() {
    let message = refusal(
        "a = { value = \"2\", unit = \"huor\" }\nb = { value = \"2\", unit = \"USD\" }\n\
         c = { value = \"b\", unit = \"kWh\" }\nd = \"b + c\"",
        &["a", "d"],
    );
    assert!(message.contains("unknown unit `huor`"), "{message}");
    assert!(message.contains("`c` is declared in kWh"), "{message}");
    assert!(message.contains("`+` mixes USD and kWh"), "{message}");
    // A unit longer than any unit is refused before its names are looked up.
    let long = "GPU*".repeat(100_000) + "GPU";
    let message = refusal(&format!("x = {{ value = \"2\", unit = \"{long}\" }}"), &["x"]);
    assert!(message.contains("a unit too long") && message.contains("at most 200 bytes"), "{}", &message[..300]);
}

/// The warnings of a model of `vars`: it runs, and each lint names the var, the place and
/// a fix.
fn warnings(vars: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("costsim-units-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lints.toml");
    std::fs::write(&path, model(vars, &["total"])).unwrap();
    let settings = costsim::study::Settings { trials: Some(1000), ..Default::default() };
    let setup = costsim::study::Setup::load(&path, settings, None).unwrap();
    let warnings = setup.warnings().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    warnings
}

#[test]
fn lints_name_likely_mistakes_units_cannot_see_without_refusing_the_model() {
    let found = warnings(
        "price = { value = \"normal(2.5, 1.5)\", unit = \"USD/hour\" }\nrange = { value = \"2-3\", unit = \"USD\" }\n\
         months = { value = \"6\", unit = \"month\" }\nhours = { value = \"months * 730\", unit = \"hour\" }\n\
         share = { value = \"60\", unit = \"%\" }\ntotal = { value = \"price * hours * share + range\", unit = \"USD\" }",
    );
    let expected: [(&str, &str, &str); 4] = [
        // Φ(−2.5/1.5) = 4.78%.
        ("`price` is in USD/hour but its distribution is negative in 4.78% of trials", ":6:", "`lo to hi`"),
        ("`2-3` subtracts two numbers (-1) in var `range`", ":7:", "did you mean `2 to 3`?"),
        ("`730` looks like a hand-written conversion in var `hours`", ":9:", "×730.5"),
        ("`share` is in % but its value is 60", ":10:", "write `60%`"),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (warning, (what, place, fix)) in found.iter().zip(expected) {
        assert!(warning.starts_with("warning: "), "{warning}");
        for want in [what, place, fix] {
            assert!(warning.contains(want), "`{want}` is not in:\n{warning}");
        }
    }
    // None on a sound model: a subtraction with a negative result written as one, a
    // literal that is no conversion, a price that cannot go negative.
    let none = warnings(
        "price = { value = \"2 to 3\", unit = \"USD/hour\" }\nhours = { value = \"24 * 7\", unit = \"hour\" }\n\
         total = { value = \"price * hours - 5\", unit = \"USD\" }",
    );
    assert!(none.is_empty(), "{none:#?}");
}

/// A family: its units (name, size in base units) and its dimension (base powers).
type Family = (&'static [(&'static str, f64)], &'static [(&'static str, i32)]);

/// Families of units of one dimension each: (name, size in base units), and the
/// dimension as base powers. The reference below converts by these sizes alone.
const FAMILIES: &[Family] = &[
    (
        &[
            ("s", 1.0),
            ("min", 60.0),
            ("hour", 3600.0),
            ("day", 86_400.0),
            ("week", 604_800.0),
            ("month", 2_629_800.0),
            ("year", 31_557_600.0),
        ],
        &[("s", 1)],
    ),
    (&[("J", 1.0), ("kJ", 1e3), ("Wh", 3600.0), ("kWh", 3.6e6), ("MWh", 3.6e9)], &[("J", 1)]),
    (&[("W", 1.0), ("kW", 1e3), ("MW", 1e6)], &[("J", 1), ("s", -1)]),
    (&[("USD", 1.0)], &[("USD", 1)]),
    (&[("bit", 1.0), ("B", 8.0), ("kB", 8e3), ("GB", 8e9), ("GiB", 8.0 * 1_073_741_824.0)], &[("bit", 1)]),
    (&[("GPU", 1.0), ("GPUs", 1.0)], &[("GPU", 1)]),
];

/// A formula over vars `v0`…`v3`: sums, products, quotients, and scaling by a number.
#[derive(Clone, Debug)]
enum Formula {
    Var(usize),
    Add(Box<Formula>, Box<Formula>),
    Mul(Box<Formula>, Box<Formula>),
    Div(Box<Formula>, Box<Formula>),
    Scale(Box<Formula>, u32),
}

type Dims = std::collections::BTreeMap<&'static str, i32>;

fn dims_of(family: usize) -> Dims {
    FAMILIES[family].1.iter().map(|&(b, p)| (b, p)).collect()
}

fn combine(a: &Dims, b: &Dims, sign: i32) -> Dims {
    let mut out = a.clone();
    for (base, p) in b {
        *out.entry(base).or_insert(0) += sign * p;
    }
    out.retain(|_, p| *p != 0);
    out
}

impl Formula {
    fn text(&self) -> String {
        match self {
            Formula::Var(i) => format!("v{i}"),
            Formula::Add(a, b) => format!("({} + {})", a.text(), b.text()),
            Formula::Mul(a, b) => format!("({} * {})", a.text(), b.text()),
            Formula::Div(a, b) => format!("({} / {})", a.text(), b.text()),
            Formula::Scale(a, n) => format!("({} * {n})", a.text()),
        }
    }

    /// The value in base units and the dimension, computed independently of costsim from
    /// each var's (value, unit size, family); `None` where dimensions differ in a sum.
    fn reference(&self, vars: &[(f64, f64, usize)]) -> Option<(f64, Dims)> {
        Some(match self {
            Formula::Var(i) => (vars[*i].0 * vars[*i].1, dims_of(vars[*i].2)),
            Formula::Add(a, b) => {
                let ((x, da), (y, db)) = (a.reference(vars)?, b.reference(vars)?);
                if da != db {
                    return None;
                }
                (x + y, da)
            }
            Formula::Mul(a, b) => {
                let ((x, da), (y, db)) = (a.reference(vars)?, b.reference(vars)?);
                (x * y, combine(&da, &db, 1))
            }
            Formula::Div(a, b) => {
                let ((x, da), (y, db)) = (a.reference(vars)?, b.reference(vars)?);
                (x / y, combine(&da, &db, -1))
            }
            Formula::Scale(a, n) => {
                let (x, d) = a.reference(vars)?;
                (x * f64::from(*n), d)
            }
        })
    }
}

/// A unit of dimension `dims` written from the units of [`FAMILIES`] whose dimension is
/// one base (`kWh^2/hour`), with its size; `pick` chooses among each base's units.
fn unit_of(dims: &Dims, pick: usize) -> (String, f64) {
    let (mut above, mut below, mut size) = (Vec::new(), Vec::new(), 1.0);
    for (k, (base, p)) in dims.iter().enumerate() {
        let family = FAMILIES.iter().find(|(_, d)| *d == [(*base, 1)]).expect("a family per base");
        let (name, unit_size) = family.0[(pick + k) % family.0.len()];
        size *= unit_size.powi(*p);
        let term = if p.abs() == 1 { name.to_string() } else { format!("{name}^{}", p.abs()) };
        if *p > 0 { above.push(term) } else { below.push(format!("/{term}")) }
    }
    let above = if above.is_empty() { "1".to_string() } else { above.join("*") };
    (format!("{above}{}", below.concat()), size)
}

fn formula() -> impl Strategy<Value = Formula> {
    (0..4usize).prop_map(Formula::Var).prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Formula::Add(Box::new(a), Box::new(b))),
            3 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Formula::Mul(Box::new(a), Box::new(b))),
            3 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Formula::Div(Box::new(a), Box::new(b))),
            2 => (inner, 2..50u32).prop_map(|(a, n)| Formula::Scale(Box::new(a), n)),
        ]
    })
}

/// Random unit-annotated formulas either type-check and then give what converting every
/// var to base units by hand gives, or are refused with a diagnostic when (and only when)
/// the hand computation finds a sum of different dimensions or a result of another
/// dimension than declared; never a panic. A good share of the cases must convert, so
/// that the values are tested, not only the refusals.
#[test]
fn unit_annotated_formulas_convert_as_by_hand_or_are_refused() {
    let accepted = std::cell::Cell::new(0u32);
    let cases = 800;
    let strategy = (
        prop::collection::vec((0..FAMILIES.len(), 0..7usize, 1..40u32), 4),
        (0..FAMILIES.len(), 0..7usize),
        formula(),
        (any::<bool>(), 0..7usize),
    );
    // A fixed seed: the same cases in every run.
    let config = ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() };
    let rng = proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha);
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(config, rng);
    let result = runner.run(&strategy, |(units, declared, formula, (derived, pick))| {
        let vars: Vec<(f64, f64, usize, &str)> = units
            .iter()
            .map(|&(family, unit, value)| {
                let (name, size) = FAMILIES[family].0[unit % FAMILIES[family].0.len()];
                (f64::from(value) / 4.0, size, family, name)
            })
            .collect();
        let reference: Vec<(f64, f64, usize)> = vars.iter().map(|&(v, s, f, _)| (v, s, f)).collect();
        let computed = formula.reference(&reference);
        // Half the cases declare a unit of the formula's dimension (when its sums agree),
        // written from single-base units; the others one of a random family.
        let (out_name, out_size, out_dims) = match (&computed, derived) {
            (Some((_, dims)), true) => {
                let (name, size) = unit_of(dims, pick);
                (name, size, dims.clone())
            }
            _ => {
                let (family, unit) = declared;
                let (name, size) = FAMILIES[family].0[unit % FAMILIES[family].0.len()];
                (name.to_string(), size, dims_of(family))
            }
        };
        let mut text: String = vars
            .iter()
            .enumerate()
            .map(|(i, (value, _, _, unit))| format!("v{i} = {{ value = \"{value}\", unit = \"{unit}\" }}\n"))
            .collect();
        text.push_str(&format!("y = {{ value = \"{}\", unit = \"{out_name}\" }}", formula.text()));
        let expected = computed.filter(|(_, d)| *d == out_dims);
        let model = Model::parse("units.toml", model(&text, &["y"])).expect("parses");
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Simulation::new(model).map(|s| s.first_trial().expect("runs")[0])
        }));
        let outcome = outcome.map_err(|_| TestCaseError::fail(format!("panic on:\n{text}")))?;
        match (outcome, expected) {
            (Ok(got), Some((base, _))) => {
                accepted.set(accepted.get() + 1);
                let want = base / out_size;
                prop_assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} ≠ {want} for\n{text}");
            }
            (Err(e), None) => {
                let message = e.to_string();
                prop_assert!(message.starts_with("error: ") && message.contains("units.toml:"), "{message}");
            }
            (Ok(got), None) => prop_assert!(false, "accepted ({got}) but dimensions differ:\n{text}"),
            (Err(e), Some(_)) => prop_assert!(false, "refused but dimensions agree:\n{text}\n{e}"),
        }
        Ok(())
    });
    result.unwrap();
    assert!(accepted.get() >= cases / 4, "only {} of {cases} cases converted", accepted.get());
}

#[test]
fn a_discount_rate_per_unit_of_time_is_read_per_year_where_the_periods_are_years() {
    let text = |rate: &str, periods: &str| {
        format!(
            "[model]\nname = \"npv\"\noutputs = [\"v\"]\nperiods = {periods}\n[vars]\nrate = {rate}\n\
             cash = {{ value = \"[100, 100, 100]\", unit = \"USD\" }}\nv = {{ value = \"npv(rate, cash)\", unit = \"USD\" }}\n"
        )
    };
    let years = "[\"2025\", \"2026\", \"2027\"]";
    let value = |rate: &str| {
        let model = Model::parse("npv.toml", text(rate, years)).unwrap();
        Simulation::new(model).unwrap_or_else(|e| panic!("{e}")).first_trial().unwrap()[0]
    };
    // 0.5% a month is 6% a year; as a plain rate, 6% a period.
    let by_hand: f64 = (1..=3).map(|k| 100.0 / 1.06f64.powi(k)).sum();
    close(value("{ value = \"0.5%\", unit = \"%/month\" }"), by_hand);
    close(value("{ value = \"6%\", unit = \"1/year\" }"), by_hand);
    close(value("{ value = \"6%\", unit = \"%\" }"), by_hand);
    close(value("\"0.06\""), by_hand);
    // Periods that are not years have no length: a rate per time is refused.
    let model = Model::parse("npv.toml", text("{ value = \"6%\", unit = \"1/year\" }", "3")).unwrap();
    let Err(error) = Simulation::new(model) else { panic!("accepted a rate per year with periods 1, 2, 3") };
    let message = error.to_string();
    assert!(
        message.contains("the rate of `npv` (a rate per unit of time only where the periods are years"),
        "{message}"
    );
}
