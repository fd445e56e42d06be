//! `report`: a well-formed, self-contained HTML page whose numbers match the JSON, with
//! one drawn chart per output; rendered in headless Chromium where available (always in
//! CI, where `.ci/run` installs it).

use std::path::Path;
use std::process::Command;

use crate::util::{Costsim, models_dir};

fn fleet() -> String {
    models_dir().join("deepseek_fleet_tco.toml").to_str().unwrap().to_string()
}

fn write_report(dir: &Costsim) -> String {
    let model = fleet();
    Costsim::new()
        .args(&["report", &model, "--trials", "20000", "-o", dir.path("r.html").to_str().unwrap()])
        .run()
        .success();
    std::fs::read_to_string(dir.path("r.html")).unwrap()
}

#[test]
fn html_is_well_formed_with_a_chart_per_output_and_the_json_numbers() {
    let dir = Costsim::new();
    let html = write_report(&dir);
    let xml = html.replacen("<!DOCTYPE html>", "", 1);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed");
    assert!(!html.contains("<script") && !html.contains("src="), "self-contained: no scripts, no external resources");
    let json = Costsim::new().args(&["run", &fleet(), "--trials", "20000", "--format", "json"]).run().success().json();
    let outputs = json["outputs"].as_object().unwrap();
    let histograms: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("svg") && n.attribute("class") == Some("chart histogram"))
        .collect();
    let probabilities = doc.descendants().filter(|n| n.attribute("class") == Some("chart probability")).count();
    assert_eq!(probabilities, 1, "capex_over_1_6b is drawn as a probability");
    assert_eq!(histograms.len() + probabilities, outputs.len());
    for svg in &histograms {
        let path = svg.descendants().find(|n| n.has_tag_name("path")).expect("bars");
        assert!(path.attribute("d").is_some_and(|d| d.len() > 20), "non-empty path");
    }
    let cdfs = doc.descendants().filter(|n| n.attribute("class") == Some("chart cdf")).count();
    assert_eq!(cdfs + probabilities, outputs.len());
    assert!(doc.descendants().any(|n| n.attribute("class") == Some("chart tornado")));
    assert!(doc.descendants().any(|n| n.attribute("class") == Some("chart scenarios")));
    for row in doc.descendants().filter(|n| n.has_tag_name("tr") && n.attribute("data-output").is_some()) {
        let name = row.attribute("data-output").unwrap();
        let values: Vec<f64> =
            row.children().filter_map(|c| c.attribute("data-value")).map(|v| v.parse().unwrap()).collect();
        let o = &outputs[name];
        let want: Vec<f64> = match name {
            // A probability: its mean only, written P ± pp; no percentiles of 0s and 1s.
            "capex_over_1_6b" => {
                let text: String = row.descendants().filter_map(|n| n.text()).collect();
                assert!(text.contains("P = ") && text.ends_with(" pp"), "{text}");
                vec![o["mean"].as_f64().unwrap()]
            }
            _ => [&o["mean"], &o["percentiles"]["p5"], &o["percentiles"]["p50"], &o["percentiles"]["p95"]]
                .map(|v| v.as_f64().unwrap())
                .to_vec(),
        };
        assert_eq!(values, want, "{name}");
    }
    // `capex_over_1_6b = "capex > 1.6B"` draws its threshold on capex's histogram and CDF,
    // with the probability the table gives.
    let row = doc.descendants().find(|n| n.attribute("data-output") == Some("capex_over_1_6b")).expect("its row");
    let cell: String = row.descendants().filter_map(|n| n.text()).collect();
    let p = cell.split("P = ").nth(1).and_then(|rest| rest.split(" ±").next()).expect("P = …% ± … pp");
    for kind in ["chart histogram", "chart cdf"] {
        let chart = doc
            .descendants()
            .find(|n| {
                n.attribute("class") == Some(kind)
                    && n.descendants().any(|t| {
                        t.text() == Some("capex: distribution") || t.text() == Some("capex: cumulative probability")
                    })
            })
            .expect("capex's chart");
        let label =
            chart.descendants().find(|n| n.attribute("class") == Some("thresholdlabel")).expect("a threshold label");
        assert_eq!(label.text(), Some(format!("P(capex > $1.6B) = {p}").as_str()), "{kind}");
        assert!(chart.descendants().any(|n| n.attribute("class") == Some("threshold")), "{kind}: the line");
    }
    // The description is Markdown: `attributed_v3r1` in backticks is code.
    assert!(doc.descendants().any(|n| n.has_tag_name("code") && n.text() == Some("attributed_v3r1")));
    assert!(html.contains("model sha256 <code>") && html.contains(json["model"]["sha256"].as_str().unwrap()));
}

#[test]
fn markdown_writes_the_charts_beside_it() {
    let dir = Costsim::new();
    let md = dir.path("report.md");
    Costsim::new()
        .args(&["report", &fleet(), "--trials", "5000", "--format", "markdown", "-o", md.to_str().unwrap()])
        .run()
        .success();
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("![report-capex-histogram.svg](report-capex-histogram.svg)"), "{text}");
    let svg = std::fs::read_to_string(dir.path("report-capex-histogram.svg")).unwrap();
    assert!(svg.starts_with("<svg") && roxmltree::Document::parse(&svg).is_ok());
}

/// Chromium, if installed; in CI it must be.
fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| Path::new(p).exists());
    if found.is_none() && std::env::var_os("CI").is_some() {
        panic!("CI must install chromium for the browser test (see .ci/run)");
    }
    found
}

fn headless(browser: &str, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
    ]);
    command.args(["--disable-component-update", "--disable-sync", "--hide-scrollbars"]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn charts_are_drawn_in_a_real_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium on this machine (CI installs it)");
        return;
    };
    let dir = Costsim::new();
    let html = write_report(&dir);
    // Measure every chart's rendered size with a script added to a copy of the page.
    let probe = html.replace(
        "</body>",
        "<script>document.body.setAttribute('data-sizes', Array.from(document.querySelectorAll('svg.chart')).map(s => { const b = s.getBoundingClientRect(); const p = s.querySelector('path'); const q = p ? p.getBBox() : {width: 0, height: 0}; return [b.width, b.height, q.width, q.height].map(Math.round).join('x'); }).join(' '));</script></body>",
    );
    std::fs::write(dir.path("probe.html"), probe).unwrap();
    let out = headless(browser, &dir.path("profile"))
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(dir.path("probe.html"))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let sizes = dom.split("data-sizes=\"").nth(1).and_then(|s| s.split('"').next()).expect("the probe ran");
    let charts: Vec<Vec<u32>> = sizes.split(' ').map(|c| c.split('x').map(|n| n.parse().unwrap()).collect()).collect();
    assert!(charts.len() >= 12, "{sizes}");
    assert!(charts.iter().all(|c| c.iter().all(|&n| n > 0)), "every chart and its first path have a size: {sizes}");
    // And a screenshot is not blank: many distinct colours.
    let shot = dir.path("shot.png");
    headless(browser, &dir.path("profile2"))
        .args(["--window-size=1280,2400", &format!("--screenshot={}", shot.display())])
        .arg(dir.path("r.html"))
        .output()
        .expect("chromium runs");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).expect("screenshot written")));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let pixels = &buf[..info.buffer_size()];
    let mut colours: Vec<&[u8]> = pixels.chunks(info.color_type.samples()).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 50, "{} distinct colours", colours.len());
}

#[test]
fn constant_outputs_get_no_charts() {
    let dir = Costsim::new();
    let model = models_dir().join("deepseek_final_run.toml");
    let out = dir.path("r.html");
    Costsim::new()
        .args(&["report", model.to_str().unwrap(), "--trials", "5000", "-o", out.to_str().unwrap()])
        .run()
        .success();
    let html = std::fs::read_to_string(out).unwrap();
    assert!(html.contains("<title>cost: distribution</title>"));
    assert!(
        !html.contains("claimed_v3: distribution") && !html.contains("claimed_v3: what drives it"),
        "constant output charted"
    );
    assert!(html.contains("<tr data-output=\"claimed_v3\">"), "but it is in the summary table");
}
