//! `check`: lists vars, factors, outputs and scenarios without simulating.

use crate::util::Costsim;

#[test]
fn lists_what_the_model_contains() {
    let text = "[model]\nname = \"Demo\"\n[vars]\nn = \"pert(1, 2, 3)\"\nk = { value = \"4\", unit = \"USD\" }\n\
                y = \"n * k\"\n[scenarios.high]\ndescription = \"More\"\nn = \"5\"\n";
    let out = Costsim::new().model(text).args(&["check", "model.toml"]).run().success().stdout;
    assert!(out.starts_with("model: Demo\nsha256: "), "{out}");
    assert!(out.contains("  n  random         pert(1, 2, 3)\n"), "{out}");
    assert!(out.contains("  k  constant = $4  4 [USD]\n"), "{out}");
    assert!(out.contains("  y  derived        n * k\n"), "{out}");
    assert!(out.contains("random factors (1): n\noutputs (1): y\n"), "{out}");
    assert!(out.contains("  high — More (overrides n)\n"), "{out}");
    assert!(out.ends_with("ok\n"), "{out}");
}

#[test]
fn checks_every_scenario() {
    let text = "[model]\nname = \"Demo\"\n[vars]\nn = \"pert(1, 2, 3)\"\n[scenarios.bad]\nn = \"pert(3, 2, 1)\"\n";
    let stderr = Costsim::new().model(text).args(&["check", "model.toml"]).run().failure(2).stderr;
    assert!(stderr.contains("invalid parameters for `pert(...)` in var `n`"), "{stderr}");
    assert!(stderr.contains("model.toml:6:6"), "{stderr}");
}
