//! `report`: a well-formed, self-contained HTML page whose numbers match the JSON, with
//! one drawn chart per output; rendered in headless Chromium where available (always in
//! CI, where `.ci/run` installs it).

use crate::util::{Costsim, chromium, headless, models_dir};

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

/// The fleet model's report and the JSON of the same run (20,000 trials).
fn report_and_run() -> (String, serde_json::Value) {
    let html = write_report(&Costsim::new());
    let json = Costsim::new().args(&["run", &fleet(), "--trials", "20000", "--format", "json"]).run().success().json();
    (html, json)
}

#[test]
fn html_is_well_formed_with_a_chart_per_output_and_the_json_numbers() {
    let (html, json) = report_and_run();
    let xml = html.replacen("<!DOCTYPE html>", "", 1);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed");
    assert!(!html.contains("<script") && !html.contains("src="), "self-contained: no scripts, no external resources");
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
            // The mean, then the percentiles the model asks for (p5, p50, p80, p95).
            _ => std::iter::once(&o["mean"])
                .chain(o["percentiles"].as_object().unwrap().values())
                .map(|v| v.as_f64().unwrap())
                .collect(),
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
        let label = chart.descendants().find(|n| class_has(n, "thresholdlabel")).expect("a threshold label");
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

/// True if `node`'s classes include `class`.
fn class_has(node: &roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class").is_some_and(|c| c.split(' ').any(|c| c == class))
}

/// What a script measures in `html` rendered by `browser`: "sizes", every chart's size
/// and its first drawn mark's (`WxHxwxh`), and "overlaps", every text of a chart whose box
/// meets another's or leaves the chart (`|`-separated).
fn probe(browser: &str, dir: &Costsim, html: &str) -> std::collections::HashMap<&'static str, String> {
    const SCRIPT: &str = r#"<script>
const charts = Array.from(document.querySelectorAll('svg.chart'));
document.body.setAttribute('data-sizes', charts.map(s => { const b = s.getBoundingClientRect(); const p = s.querySelector(':is(path, rect):not(.swatch)'); const q = p ? p.getBBox() : {width: 0, height: 0}; return [b.width, b.height, q.width, q.height].map(Math.round).join('x'); }).join(' '));
const bad = [];
for (const svg of charts) {
  const name = svg.querySelector('title').textContent;
  const view = svg.viewBox.baseVal;
  const boxes = Array.from(svg.querySelectorAll('text')).map(t => [t.textContent, t.getBBox()]);
  boxes.forEach(([s, b], i) => {
    if (b.x < -0.5 || b.y < -0.5 || b.x + b.width > view.width + 0.5 || b.y + b.height > view.height + 0.5) bad.push(name + ': "' + s + '" leaves the chart');
    for (const [u, c] of boxes.slice(i + 1)) {
      const w = Math.min(b.x + b.width, c.x + c.width) - Math.max(b.x, c.x);
      const h = Math.min(b.y + b.height, c.y + c.height) - Math.max(b.y, c.y);
      if (w > 0.5 && h > 0.5) bad.push(name + ': "' + s + '" overlaps "' + u + '"');
    }
    // Nor does a line of the plot (a percentile or threshold, a whisker) cross a text.
    for (const m of svg.querySelectorAll('line.mark, line.threshold, path.ci')) {
      const c = m.getBBox();
      const w = Math.min(b.x + b.width - 0.5, c.x + c.width) - Math.max(b.x + 0.5, c.x);
      const h = Math.min(b.y + b.height - 0.5, c.y + c.height) - Math.max(b.y + 0.5, c.y);
      if (w >= 0 && h >= 0) bad.push(name + ': "' + s + '" is crossed by a ' + m.getAttribute('class') + ' line');
    }
  });
}
document.body.setAttribute('data-overlaps', bad.join(' | '));
</script></body>"#;
    std::fs::write(dir.path("probe.html"), html.replace("</body>", SCRIPT)).unwrap();
    let out = headless(browser, &dir.path("profile"))
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(dir.path("probe.html"))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let attribute = |name: &str| {
        let value = dom.split(&format!("{name}=\"")).nth(1).and_then(|s| s.split('"').next());
        value.unwrap_or_else(|| panic!("the probe ran: {dom}")).replace("&quot;", "\"").replace("&amp;", "&")
    };
    [("sizes", attribute("data-sizes")), ("overlaps", attribute("data-overlaps"))].into_iter().collect()
}

#[test]
fn charts_are_drawn_in_a_real_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium on this machine (CI installs it)");
        return;
    };
    let dir = Costsim::new();
    let html = write_report(&dir);
    let measured = probe(browser, &dir, &html);
    let sizes = &measured["sizes"];
    let charts: Vec<Vec<u32>> = sizes.split(' ').map(|c| c.split('x').map(|n| n.parse().unwrap()).collect()).collect();
    assert!(charts.len() >= 12, "{sizes}");
    assert!(
        charts.iter().all(|c| c.iter().all(|&n| n > 0)),
        "every chart and its first mark (path or bar) have a size: {sizes}"
    );
    // No text of a chart overlaps another, is crossed by a line or is cut off, as the
    // browser lays them out: here, and in the report of every shipped model and of the
    // new user's two models (tests/fixtures).
    assert_eq!(measured["overlaps"], "", "texts that overlap");
    let fixtures = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"));
    let mut models: Vec<std::path::PathBuf> = [models_dir(), fixtures]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    models.sort();
    assert!(models.len() >= 10, "{models:?}");
    for model in models {
        let out = dir.path("other.html");
        Costsim::new()
            .args(&["report", model.to_str().unwrap(), "--trials", "5000", "-o", out.to_str().unwrap()])
            .run()
            .success();
        let other = probe(browser, &dir, &std::fs::read_to_string(&out).unwrap());
        assert_eq!(other["overlaps"], "", "texts that overlap in {}", model.display());
    }
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
        !html.contains("claimed_v3: distribution") && !html.contains("claimed_v3: tornado"),
        "constant output charted"
    );
    assert!(html.contains("<tr data-output=\"claimed_v3\">"), "but it is in the summary table");
}

/// The texts of `node`, concatenated.
fn text_of(node: &roxmltree::Node<'_, '_>) -> String {
    node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

/// The table rows of `table`, each as (first cell's text, the cells).
fn rows<'a, 'i>(table: &roxmltree::Node<'a, 'i>) -> Vec<(String, Vec<roxmltree::Node<'a, 'i>>)> {
    table
        .descendants()
        .filter(|n| n.has_tag_name("tr") && n.children().any(|c| c.has_tag_name("td")))
        .map(|row| {
            let cells: Vec<_> = row.children().filter(|c| c.has_tag_name("td")).collect();
            (text_of(&cells[0]), cells)
        })
        .collect()
}

/// A cell's exact value.
fn value(cell: &roxmltree::Node<'_, '_>) -> f64 {
    cell.attribute("data-value").expect("a number cell").parse().unwrap()
}

/// The nearest-rank `q`-quantile of sorted `values`.
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    sorted[((q * sorted.len() as f64).ceil() as usize).max(1) - 1]
}

#[test]
fn each_section_matches_the_run_the_samples_and_the_sensitivity_analysis() {
    let (html, json) = report_and_run();
    let xml = html.replacen("<!DOCTYPE html>", "", 1);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed");
    let section = |id: &str| doc.descendants().find(|n| n.attribute("id") == Some(id)).expect(id);
    let samples = Costsim::new()
        .args(&["samples", &fleet(), "--trials", "20000", "--vars", "capex,n_h100"])
        .run()
        .success()
        .stdout;
    let column = |k: usize| -> Vec<f64> {
        let mut v: Vec<f64> = samples.lines().skip(1).map(|l| l.split(',').nth(k).unwrap().parse().unwrap()).collect();
        v.sort_by(f64::total_cmp);
        v
    };

    // The full statistics of capex: every number the JSON has, with its interval.
    let capex = section("output-capex");
    let stats = capex.descendants().find(|n| n.attribute("class") == Some("statistics")).expect("statistics");
    let o = &json["outputs"]["capex"];
    let by_name: std::collections::HashMap<String, Vec<roxmltree::Node<'_, '_>>> = rows(&stats).into_iter().collect();
    for (name, want) in [("mean", &o["mean"]), ("std dev", &o["std"]), ("min", &o["min"]), ("max", &o["max"])] {
        assert_eq!(value(&by_name[name][1]), want.as_f64().unwrap(), "{name}");
    }
    let asked: Vec<&String> = o["percentiles"].as_object().unwrap().keys().collect();
    assert_eq!(asked, ["p5", "p50", "p80", "p95"], "the model's `percentiles`");
    for p in asked.iter().map(|p| p.as_str()) {
        assert_eq!(value(&by_name[p][1]), o["percentiles"][p].as_f64().unwrap(), "{p}");
        // The interval's ends are written with the digits that tell them apart.
        let interval = text_of(&by_name[p][2]);
        let (lo, hi) = interval.split_once(" to ").expect("lo to hi");
        assert_ne!(lo, hi, "{p}: {interval}");
    }
    let mean = text_of(&by_name["mean"][2]);
    assert!(mean.split_once(" to ").is_some_and(|(lo, hi)| lo != hi), "{mean}");

    // The histogram's bars are exact counts of the trials in each bin, as `samples` gives.
    let bars = capex.descendants().find(|n| n.attribute("data-counts").is_some()).expect("histogram counts");
    let (lo, hi): (f64, f64) =
        (bars.attribute("data-lo").unwrap().parse().unwrap(), bars.attribute("data-hi").unwrap().parse().unwrap());
    let counts: Vec<u64> = bars.attribute("data-counts").unwrap().split(' ').map(|c| c.parse().unwrap()).collect();
    let mut want = vec![0u64; counts.len()];
    for x in column(1).into_iter().filter(|x| (lo..=hi).contains(x)) {
        want[(((x - lo) / (hi - lo) * counts.len() as f64) as usize).min(counts.len() - 1)] += 1;
    }
    assert_eq!(counts, want);
    assert!(counts.iter().sum::<u64>() >= 19_700, "p0.5 to p99.5 holds about 99% of the trials");

    // The inputs table: an input's percentiles over the same trials, its source's address
    // a link.
    let inputs = section("inputs");
    let n_h100 = rows(&inputs).into_iter().find(|(name, _)| name == "n_h100").expect("n_h100's row").1;
    let sorted = column(2);
    for (k, q) in [(2, 0.05), (3, 0.5), (4, 0.95)] {
        assert_eq!(value(&n_h100[k]), nearest_rank(&sorted, q), "n_h100 p{}", q * 100.0);
    }
    let n_a100 = rows(&inputs).into_iter().find(|(name, _)| name == "n_a100").expect("n_a100's row").1;
    let link = n_a100[6].descendants().find(|n| n.has_tag_name("a")).expect("a link in the source");
    assert_eq!(link.attribute("href"), Some("https://semianalysis.com/2025/01/31/deepseek-debates/"));
    assert!(
        rows(&inputs).iter().all(|(name, _)| !json["outputs"].as_object().unwrap().contains_key(name)),
        "outputs are not inputs"
    );

    // The drivers are those of `costsim sensitivity` with the same --trials: Shapley
    // effects (inputs are correlated) to the digits shown, and no bar for an input that
    // does not feed capex.
    let sensitivity = Costsim::new()
        .args(&[
            "sensitivity",
            &fleet(),
            "--var",
            "capex",
            "--method",
            "shapley",
            "--trials",
            "20000",
            "--format",
            "json",
        ])
        .run()
        .success()
        .json();
    let shapley = capex.descendants().find(|n| n.attribute("class") == Some("chart shapley")).expect("shapley chart");
    let names: Vec<String> = shapley
        .descendants()
        .filter(|n| n.attribute("class") == Some("rowlabel"))
        .map(|n| n.last_child().unwrap().text().unwrap().to_string())
        .collect();
    let values: Vec<&str> = shapley.descendants().filter(|n| class_has(n, "value")).filter_map(|n| n.text()).collect();
    let factors = sensitivity["factors"].as_array().unwrap();
    assert_eq!(names.len(), factors.len());
    for ((name, shown), f) in names.iter().zip(&values).zip(factors) {
        assert_eq!(name, f["name"].as_str().unwrap());
        assert_eq!(*shown, format!("{:.3}", f["shapley"].as_f64().unwrap()), "{name}");
    }
    assert!(!names.iter().any(|n| n == "elec" || n == "share"), "inputs that do not feed capex: {names:?}");
    for kind in ["chart tornado", "chart spearman"] {
        assert!(capex.descendants().any(|n| n.attribute("class") == Some(kind)), "{kind}");
    }

    // The scenarios: a table beside each chart, the 0/1 output's as probabilities.
    let scenarios = section("scenarios");
    let tables = scenarios.descendants().filter(|n| n.has_tag_name("table")).count();
    let charts = scenarios.descendants().filter(|n| n.attribute("class") == Some("chart scenarios")).count();
    assert_eq!((tables, charts), (json["outputs"].as_object().unwrap().len(), tables));
    let probability = scenarios
        .descendants()
        .filter(|n| n.has_tag_name("table"))
        .find(|t| t.descendants().any(|c| c.has_tag_name("th") && c.text() == Some("capex_over_1_6b")))
        .expect("capex_over_1_6b's table");
    let base = rows(&probability).into_iter().find(|(name, _)| name == "base").unwrap().1;
    assert_eq!(value(&base[1]), json["outputs"]["capex_over_1_6b"]["mean"].as_f64().unwrap());
    assert!(text_of(&base[1]).starts_with("P = ") && text_of(&base[1]).ends_with(" pp"));
}
