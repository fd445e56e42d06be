//! Partial states of sharded runs: what `--shard K/M` writes and `costsim merge` reads.
//! For `run` and `compare` they hold the columns' accumulators; for `sensitivity`, the
//! Sobol and Shapley estimators' batch sums ([`crate::sensitivity::MethodSums`]).
//!
//! A run's chunks are split into M contiguous ranges ([`crate::engine::shard_chunks`]);
//! shard K simulates its range and saves its accumulators with everything that decides
//! the result (the [`ShardKey`]). Every accumulator merges exactly — moments in a fixed tree
//! over the chunks, sketches and counts by addition, order statistics by window
//! intersection — so the shards' states, merged in any grouping, give the bytes a single
//! machine would have printed.
//!
//! The encoding is JSON (docs/scale-out.md): `format` and `format_version`, the `key`,
//! the shard indices `covered`, the `state`, and a SHA-256 `checksum` of the key and the
//! indices (as serialised) and the state's text, so that a file truncated or altered in
//! any way is refused.
//! Numbers are written in the shortest form that reads back exactly; infinite window
//! bounds as the strings `"inf"` and `"-inf"`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::compile::Sampling;
use crate::diagnostic::MAX_TRIALS;
use crate::engine::{AccumulatorParts, Accumulators, MAX_SHARDS, NonFinite, shard_trials};
use crate::error::{Error, Result};
use crate::sensitivity::{Method, MethodSums, Sums, TornadoKind};
use crate::simulation::Achieved;
use crate::stats::order::ExactParts;
use crate::stats::tree::{ChunkTree, Node};
use crate::stats::{ExactQuantiles, Extremes, Moments, Percentiles, QuantileSketch, SketchParts};

/// The `format` field of every partial state.
pub(crate) const FORMAT: &str = "costsim partial state";
/// The version of the encoding; a change to it is a change to docs/scale-out.md.
pub(crate) const FORMAT_VERSION: u32 = 3;
/// The largest partial state file read (1 GiB); one of 1.25·10⁸ trials of the fleet
/// model is some 25 MB.
pub(crate) const MAX_PARTIAL_BYTES: u64 = 1 << 30;

/// The command that ran a shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// `costsim run`.
    Run,
    /// `costsim compare`.
    Compare,
    /// `costsim sensitivity`.
    Sensitivity,
}

/// Everything that decides a sharded run's result: all its shards have the same key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShardKey {
    /// The command.
    pub command: Command,
    /// The costsim version that ran the shard.
    pub costsim_version: String,
    /// `[model] name`.
    pub model_name: String,
    /// The model file, as given on the command line.
    pub model_file: String,
    /// SHA-256 of the model file.
    pub model_sha256: String,
    /// Seed.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// Sampling method.
    #[serde(with = "named")]
    pub sampling: Sampling,
    /// `run --scenario`.
    pub scenario: Option<String>,
    /// `compare`'s scenarios, in order.
    pub scenarios: Vec<String>,
    /// `--set` overrides, in order.
    pub overrides: Vec<String>,
    /// `--query` outputs, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queries: Vec<String>,
    /// `--repair-correlations`.
    pub repair_correlations: bool,
    /// The data files the model's vars were fitted to, each `FILE SHA256`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
    /// The percentiles reported (in percent), when not the defaults: `--percentiles`,
    /// else the model's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub percentiles: Vec<f64>,
    /// `compare --var`'s outputs, in order (empty: every output).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
    /// M, the number of shards.
    pub shards: u64,
    /// `sensitivity`'s own options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<SensitivityKey>,
}

impl ShardKey {
    /// The percentiles the run reports (`None` in [`Settings`](crate::study::Settings)
    /// terms when they are the defaults).
    ///
    /// # Errors
    /// A list no run reports.
    pub(crate) fn percentiles(&self) -> std::result::Result<Percentiles, String> {
        match self.percentiles.is_empty() {
            true => Ok(Percentiles::default()),
            false => Percentiles::new(self.percentiles.clone()),
        }
    }
}

/// What a `sensitivity` asks for beyond its run's settings: its request, and the part
/// of a sharded run's key that decides the analyses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivityKey {
    /// `--var`, in order (empty: every output).
    pub vars: Vec<String>,
    /// `--method` (`null`: every method that fits).
    #[serde(with = "named::optional")]
    pub method: Option<Method>,
    /// `--tornado`, if given.
    #[serde(with = "named::optional")]
    pub tornado: Option<TornadoKind>,
    /// `--tornado-range`: the swing tornado's low and high percentiles, as fractions
    /// (0 < low < high < 1).
    pub tornado_range: (f64, f64),
    /// True if `--trials` was given (else each method's default sample size).
    pub trials_given: bool,
}

/// What the shards accumulated.
#[derive(Debug)]
pub(crate) enum Accumulated {
    /// `run` and `compare`: the columns' accumulators, and the achieved rank correlations
    /// from the shard that ran chunk 0.
    Accumulators(Accumulators, Option<Vec<Achieved>>),
    /// `sensitivity`: the Sobol and Shapley sums per output and method.
    Sums(Vec<MethodSums>),
}

impl Accumulated {
    /// The shares `parts` (of the same run, no chunk in common; at least one) in one.
    ///
    /// # Errors
    /// [`Error::Unfit`] if they were written by different commands or for different
    /// columns.
    fn join(parts: Vec<Accumulated>) -> Result<Accumulated> {
        let unfit = || Error::Unfit {
            reason: "the partial states do not fit together: were they written by different commands?".into(),
        };
        let mut parts = parts.into_iter();
        match parts.next().ok_or_else(unfit)? {
            Accumulated::Accumulators(first, correlations) => {
                let (mut shares, mut correlations) = (vec![first], correlations);
                for next in parts {
                    let Accumulated::Accumulators(simulated, c) = next else { return Err(unfit()) };
                    shares.push(simulated);
                    correlations = correlations.or(c);
                }
                Ok(Accumulated::Accumulators(Accumulators::join(shares)?, correlations))
            }
            Accumulated::Sums(mut merged) => {
                for next in parts {
                    let Accumulated::Sums(streams) = next else { return Err(unfit()) };
                    if streams.len() != merged.len() {
                        return Err(unfit());
                    }
                    for (mine, theirs) in merged.iter_mut().zip(streams) {
                        if mine.output != theirs.output || mine.method != theirs.method {
                            return Err(unfit());
                        }
                        let tree = std::mem::take(&mut mine.tree);
                        mine.tree = tree.merge(theirs.tree, &Sums::combine).ok_or_else(unfit)?;
                    }
                }
                Ok(Accumulated::Sums(merged))
            }
        }
    }
}

impl ShardKey {
    /// The first field in which `other` differs: (name, this value, other value).
    pub(crate) fn difference(&self, other: &ShardKey) -> Option<(String, String, String)> {
        let (mine, theirs) = (serde_json::to_value(self).ok()?, serde_json::to_value(other).ok()?);
        let (serde_json::Value::Object(mine), serde_json::Value::Object(theirs)) = (mine, theirs) else { return None };
        // A field left out (a default) in one key is compared as absent.
        let shown = |v: Option<&serde_json::Value>| v.map_or_else(|| "(the default)".to_string(), ToString::to_string);
        let mut keys = mine.keys().chain(theirs.keys().filter(|k| !mine.contains_key(*k)));
        keys.find(|k| mine.get(*k) != theirs.get(*k)).map(|k| (k.clone(), shown(mine.get(k)), shown(theirs.get(k))))
    }
}

/// One or more shards' share of a run.
#[derive(Debug)]
pub(crate) struct Partial {
    /// What decides the result.
    pub key: ShardKey,
    /// The shard indices included, ascending.
    pub covered: Vec<u64>,
    /// The accumulators.
    pub accumulated: Accumulated,
}

/// Pushes a merged group onto the binary counter `stack` of (level, state): while the top
/// has the same level, the two are joined into one of the next level.
fn carry(stack: &mut Vec<(u32, Accumulated)>, group: Accumulated) -> Result<()> {
    let mut top = (0, group);
    while let Some((level, _)) = stack.last()
        && *level == top.0
    {
        let (level, below) = stack.pop().expect("just seen");
        top = (level + 1, Accumulated::join(vec![below, top.1])?);
    }
    stack.push(top);
    Ok(())
}

/// Partial states joined at once by [`Partial::merge`] before the binary counter takes
/// over: enough to narrow the windows early, few enough to hold.
const JOINED_AT_ONCE: usize = 16;

impl Partial {
    /// All `partials` (each with the name of its file, for messages), shares of one run
    /// with no shard in common, in one. They are merged as they come, so memory holds the
    /// merged state and the next one, not all of them.
    ///
    /// # Errors
    /// The first error `partials` yields; [`Error::DifferentRuns`] naming the field in
    /// which two runs differ; [`Error::ShardTwice`]; [`Error::Unfit`] if there is none.
    pub(crate) fn merge(partials: impl IntoIterator<Item = Result<(String, Partial)>>) -> Result<Partial> {
        let mut partials = partials.into_iter();
        let none = || Error::Unfit { reason: "no partial state to merge".into() };
        let (first_name, first) = partials.next().ok_or_else(none)??;
        // Which file gave each shard: O(log n) per shard.
        let mut owners: BTreeMap<u64, String> = BTreeMap::new();
        let mut own = |partial: &Partial, name: &str| match partial.covered.iter().find(|k| owners.contains_key(k)) {
            Some(&k) => Err(Error::ShardTwice {
                shard: k,
                shards: partial.key.shards,
                first: owners[&k].clone(),
                second: name.to_string(),
            }),
            None => {
                owners.extend(partial.covered.iter().map(|&k| (k, name.to_string())));
                Ok(())
            }
        };
        own(&first, &first_name)?;
        let Partial { key, accumulated, .. } = first;
        // Merged like a binary counter of groups of JOINED_AT_ONCE states: a merged state
        // of 2^j groups is joined only with another of 2^j, so each state takes part in
        // O(log n) joins, and memory holds O(log n) merged states (each no larger than its
        // parts), the group being read and the state just read. Joining a group at once
        // narrows the order statistics' windows to the intersection of the group's.
        let mut stack: Vec<(u32, Accumulated)> = Vec::new();
        let mut group = vec![accumulated];
        for next in partials {
            let (name, partial) = next?;
            if let Some((field, a, b)) = key.difference(&partial.key) {
                return Err(Error::DifferentRuns { first: first_name, second: name, field, value: a, other: b });
            }
            own(&partial, &name)?;
            group.push(partial.accumulated);
            if group.len() == JOINED_AT_ONCE {
                carry(&mut stack, Accumulated::join(std::mem::take(&mut group))?)?;
            }
        }
        if !group.is_empty() {
            carry(&mut stack, Accumulated::join(group)?)?;
        }
        let merged = Accumulated::join(stack.into_iter().map(|(_, a)| a).collect())?;
        Ok(Partial { key, covered: owners.into_keys().collect(), accumulated: merged })
    }

    /// The shards of the run not included, ascending.
    pub(crate) fn missing(&self) -> Vec<u64> {
        (0..self.key.shards).filter(|k| self.covered.binary_search(k).is_err()).collect()
    }

    /// The partial state as a file's bytes.
    pub(crate) fn encode(self) -> Vec<u8> {
        let state = match self.accumulated {
            Accumulated::Accumulators(simulated, correlations) => {
                serde_json::value::to_raw_value(&State::from(simulated.into_parts(), correlations))
            }
            Accumulated::Sums(streams) => serde_json::value::to_raw_value(&SumsState::from(streams)),
        }
        .expect("plain data serialises");
        let checksum = checksum(&self.key, &self.covered, &state);
        let file = File {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            key: self.key,
            covered: self.covered,
            state,
            checksum,
        };
        let mut bytes = serde_json::to_vec(&file).expect("plain data serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a partial state from `bytes` (of the file `name`, for messages).
    ///
    /// # Errors
    /// [`Error::BadPartial`] for anything that is not an intact partial state of this
    /// version of costsim, saying which.
    pub(crate) fn decode(name: &str, bytes: &[u8]) -> Result<Partial> {
        let refuse = |reason: String| Error::BadPartial { file: name.to_string(), reason };
        // The header first, skipping the rest, so that another version's file is named as
        // such rather than as a corrupt one.
        let probe: Probe = serde_json::from_slice(bytes)
            .map_err(|e| refuse(format!("not a costsim partial state: the file is truncated or is not JSON ({e})")))?;
        if probe.format.as_deref() != Some(FORMAT) {
            return Err(refuse("not a costsim partial state (write one with `--shard K/M -o FILE`)".into()));
        }
        if probe.format_version != Some(u64::from(FORMAT_VERSION)) {
            let version = probe.format_version.map_or("none".to_string(), |v| v.to_string());
            return Err(refuse(format!(
                "partial state format version {version}, but this costsim reads version {FORMAT_VERSION}"
            )));
        }
        let written_by = probe.key.and_then(|k| k.costsim_version).unwrap_or_else(|| "?".into());
        if written_by != env!("CARGO_PKG_VERSION") {
            return Err(refuse(format!(
                "written by costsim {written_by}, but this is costsim {}: merge with the version that ran the shards",
                env!("CARGO_PKG_VERSION")
            )));
        }
        let file: File = serde_json::from_slice(bytes).map_err(|e| refuse(format!("corrupt partial state ({e})")))?;
        if checksum(&file.key, &file.covered, &file.state) != file.checksum {
            return Err(refuse("corrupt partial state: its checksum does not match its contents".into()));
        }
        let corrupt = |e: serde_json::Error| refuse(format!("corrupt partial state ({e})"));
        let bad = |what: &str| refuse(format!("corrupt partial state: {what}"));
        let key = &file.key;
        if !(1..=MAX_TRIALS).contains(&key.trials) {
            return Err(bad(&format!("its run has {} trials, not 1 to {MAX_TRIALS}", key.trials)));
        }
        if !(1..=MAX_SHARDS).contains(&key.shards) {
            return Err(bad(&format!("its run has {} shards, not 1 to {MAX_SHARDS}", key.shards)));
        }
        let covered_ok = file.covered.windows(2).all(|w| w[0] < w[1])
            && file.covered.iter().all(|&k| k < key.shards)
            && !file.covered.is_empty();
        if !covered_ok {
            return Err(bad("its shard numbers are not ascending shards of its run"));
        }
        if (key.command == Command::Sensitivity) != key.sensitivity.is_some() {
            return Err(bad("its key's sensitivity options do not fit its command"));
        }
        if let Some((low, high)) = key.sensitivity.as_ref().map(|s| s.tornado_range)
            && !(0.0 < low && low < high && high < 1.0)
        {
            return Err(bad(&format!("its tornado range {low}, {high} is not two fractions 0 < low < high < 1")));
        }
        let percentiles =
            key.percentiles().map_err(|e| bad(&format!("its percentiles are not a list a run reports ({e})")))?;
        let inconsistent = || bad("its accumulators are inconsistent");
        let accumulated = match key.sensitivity {
            Some(_) => {
                let state: SumsState = serde_json::from_str(file.state.get()).map_err(corrupt)?;
                Accumulated::Sums(state.into_streams().ok_or_else(inconsistent)?)
            }
            None => {
                let state: State = serde_json::from_str(file.state.get()).map_err(corrupt)?;
                let expected: u64 = file.covered.iter().map(|&k| shard_trials(key.trials, k, key.shards)).sum();
                if state.trials != expected {
                    return Err(bad(&format!(
                        "it holds {} trials, but its shards of a run of {} trials have {expected}",
                        state.trials, key.trials
                    )));
                }
                let (parts, correlations) = state.into_parts(percentiles.computed()).ok_or_else(inconsistent)?;
                Accumulated::Accumulators(Accumulators::from_parts(parts).ok_or_else(inconsistent)?, correlations)
            }
        };
        Ok(Partial { key: file.key, covered: file.covered, accumulated })
    }
}

/// SHA-256 (hex) of the key and the shard indices as serialised, then the state's text.
fn checksum(key: &ShardKey, covered: &[u64], state: &RawValue) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(&(key, covered)).expect("plain data serialises"));
    hasher.update(state.get().as_bytes());
    crate::source::hex(&hasher.finalize())
}

/// A partial state file.
#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    format_version: u32,
    key: ShardKey,
    covered: Vec<u64>,
    state: Box<RawValue>,
    checksum: String,
}

/// The fields of a file that say what it is, the rest skipped.
#[derive(Deserialize)]
struct Probe {
    format: Option<String>,
    format_version: Option<u64>,
    key: Option<ProbeKey>,
}

#[derive(Deserialize)]
struct ProbeKey {
    costsim_version: Option<String>,
}

/// The accumulators.
#[derive(Serialize, Deserialize)]
struct State {
    trials: u64,
    columns: Vec<Column>,
    nonfinite: Vec<Counts>,
    correlations: Option<Vec<Correlation>>,
}

/// One column's accumulators.
#[derive(Serialize, Deserialize)]
struct Column {
    /// Chunk-tree nodes: (first chunk, level, n, [mean, m2, m3, scale, min, max]).
    moments: Vec<(u64, u32, u64, [F; 6])>,
    sketch: Sketch,
    exact: Exact,
    /// The largest values, descending, and the smallest, ascending.
    top: Vec<F>,
    bottom: Vec<F>,
    positive: u64,
}

#[derive(Serialize, Deserialize)]
struct Sketch {
    /// Values map to the histograms' integers as |x|·2^shift.
    shift: i32,
    zeros: u64,
    negative: Vec<(u64, u64)>,
    positive: Vec<(u64, u64)>,
    exact: Option<Vec<(F, u64)>>,
}

#[derive(Serialize, Deserialize)]
struct Exact {
    planned: u64,
    next_narrowing: u64,
    lows: Vec<F>,
    highs: Vec<F>,
    gaps: Vec<u64>,
    runs: Vec<(F, u64)>,
}

#[derive(Serialize, Deserialize)]
struct Counts {
    counts: Vec<u64>,
    first_chunk: Vec<Option<u64>>,
}

#[derive(Serialize, Deserialize)]
struct Correlation {
    vars: [String; 2],
    requested: F,
    used: F,
    achieved: F,
    trials: u64,
}

impl State {
    fn from(parts: AccumulatorParts, correlations: Option<Vec<Achieved>>) -> State {
        let columns = parts
            .moments
            .into_iter()
            .zip(parts.sketches)
            .zip(parts.exact)
            .zip(parts.extremes)
            .zip(parts.positive)
            .map(|((((nodes, sketch), mut exact), extremes), positive)| Column {
                moments: nodes
                    .into_iter()
                    .map(|node| {
                        let (n, values) = node.value.to_parts();
                        (node.start, node.level, n, values.map(F))
                    })
                    .collect(),
                sketch: Sketch::from(sketch.to_parts()),
                exact: Exact::from(exact.to_parts()),
                top: extremes.top().iter().copied().map(F).collect(),
                bottom: extremes.bottom().iter().copied().map(F).collect(),
                positive,
            })
            .collect();
        let nonfinite = parts
            .nonfinite
            .iter()
            .map(|n| {
                let (counts, first_chunk) = n.to_parts();
                Counts { counts, first_chunk }
            })
            .collect();
        let correlations = correlations.map(|all| {
            all.into_iter()
                .map(|c| Correlation {
                    vars: c.pair,
                    requested: F(c.requested),
                    used: F(c.used),
                    achieved: F(c.achieved),
                    trials: c.trials,
                })
                .collect()
        });
        State { trials: parts.trials, columns, nonfinite, correlations }
    }

    fn into_parts(self, levels: Arc<[f64]>) -> Option<(AccumulatorParts, Option<Vec<Achieved>>)> {
        let mut parts = AccumulatorParts {
            trials: self.trials,
            moments: Vec::new(),
            sketches: Vec::new(),
            exact: Vec::new(),
            extremes: Vec::new(),
            positive: Vec::new(),
            nonfinite: Vec::new(),
        };
        for column in self.columns {
            let nodes = column
                .moments
                .into_iter()
                .map(|(start, level, n, values)| {
                    Some(Node { start, level, value: Moments::from_parts(n, values.map(|f| f.0))? })
                })
                .collect::<Option<Vec<_>>>()?;
            parts.moments.push(nodes);
            parts.sketches.push(QuantileSketch::from_parts(column.sketch.into())?);
            parts.exact.push(ExactQuantiles::from_parts(levels.clone(), column.exact.into())?);
            let floats = |xs: Vec<F>| xs.into_iter().map(|f| f.0).collect();
            parts.extremes.push(Extremes::from_parts(floats(column.top), floats(column.bottom), self.trials)?);
            parts.positive.push(column.positive);
        }
        for counts in self.nonfinite {
            parts.nonfinite.push(NonFinite::from_parts(counts.counts, counts.first_chunk)?);
        }
        let correlations = self.correlations.map(|all| {
            all.into_iter()
                .map(|c| Achieved {
                    pair: c.vars,
                    requested: c.requested.0,
                    used: c.used.0,
                    achieved: c.achieved.0,
                    trials: c.trials,
                })
                .collect()
        });
        Some((parts, correlations))
    }
}

/// A sharded `sensitivity`'s sums.
#[derive(Serialize, Deserialize)]
struct SumsState {
    streams: Vec<MethodSumsState>,
}

/// One output's and method's sums.
#[derive(Serialize, Deserialize)]
struct MethodSumsState {
    output: String,
    #[serde(with = "named")]
    method: Method,
    nodes: Vec<SumsNode>,
}

/// A chunk-tree node of sums: (first batch, level, batches, Σx, upper triangle of Σxxᵀ).
type SumsNode = (u64, u32, u64, Vec<F>, Vec<F>);

impl SumsState {
    fn from(streams: Vec<MethodSums>) -> SumsState {
        let streams = streams
            .into_iter()
            .map(|s| MethodSumsState {
                output: s.output,
                method: s.method,
                nodes: s
                    .tree
                    .nodes()
                    .iter()
                    .map(|node| {
                        let (batches, sum, products) = node.value.parts();
                        let floats = |xs: &[f64]| xs.iter().copied().map(F).collect();
                        (node.start, node.level, batches, floats(sum), floats(products))
                    })
                    .collect(),
            })
            .collect();
        SumsState { streams }
    }

    fn into_streams(self) -> Option<Vec<MethodSums>> {
        self.streams
            .into_iter()
            .map(|s| {
                let method = match s.method {
                    Method::Sobol | Method::Shapley => s.method,
                    Method::Tornado | Method::Spearman => return None,
                };
                let nodes = s
                    .nodes
                    .into_iter()
                    .map(|(start, level, batches, sum, products)| {
                        // Sums are finite in every run (a non-finite value stops it).
                        let floats = |xs: Vec<F>| {
                            xs.into_iter().map(|f| f.0.is_finite().then_some(f.0)).collect::<Option<Vec<f64>>>()
                        };
                        Some(Node { start, level, value: Sums::from_parts(batches, floats(sum)?, floats(products)?)? })
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(MethodSums { output: s.output, method, tree: ChunkTree::from_nodes(nodes)? })
            })
            .collect()
    }
}

impl From<SketchParts> for Sketch {
    fn from(p: SketchParts) -> Sketch {
        Sketch {
            shift: p.shift,
            zeros: p.zeros,
            negative: p.negative,
            positive: p.positive,
            exact: p.exact.map(|e| e.into_iter().map(|(x, c)| (F(x), c)).collect()),
        }
    }
}

impl From<Sketch> for SketchParts {
    fn from(s: Sketch) -> SketchParts {
        SketchParts {
            shift: s.shift,
            zeros: s.zeros,
            negative: s.negative,
            positive: s.positive,
            exact: s.exact.map(|e| e.into_iter().map(|(x, c)| (x.0, c)).collect()),
        }
    }
}

impl From<ExactParts> for Exact {
    fn from(p: ExactParts) -> Exact {
        Exact {
            planned: p.planned,
            next_narrowing: p.next_narrowing,
            lows: p.lows.into_iter().map(F).collect(),
            highs: p.highs.into_iter().map(F).collect(),
            gaps: p.gaps,
            runs: p.runs.into_iter().map(|(x, c)| (F(x), c)).collect(),
        }
    }
}

impl From<Exact> for ExactParts {
    fn from(e: Exact) -> ExactParts {
        ExactParts {
            planned: e.planned,
            next_narrowing: e.next_narrowing,
            lows: e.lows.into_iter().map(|f| f.0).collect(),
            highs: e.highs.into_iter().map(|f| f.0).collect(),
            gaps: e.gaps,
            runs: e.runs.into_iter().map(|(x, c)| (x.0, c)).collect(),
        }
    }
}

/// The library's enums in a partial state, by the names the command line uses; an
/// unknown name is refused (`serde(with = "named")`, or `named::optional` for an
/// `Option`, written `null` when absent).
mod named {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::compile::Sampling;
    use crate::sensitivity::{Method, TornadoKind};

    /// An enum written as one of its names.
    pub(super) trait Named: Sized + Copy + 'static {
        /// Every value.
        const ALL: &'static [Self];
        /// The value's name.
        fn name(self) -> &'static str;
    }

    impl Named for Sampling {
        const ALL: &'static [Self] = &[Sampling::Mc, Sampling::Lhs, Sampling::Qmc];
        fn name(self) -> &'static str {
            Sampling::name(self)
        }
    }

    impl Named for Method {
        const ALL: &'static [Self] = &[Method::Tornado, Method::Spearman, Method::Sobol, Method::Shapley];
        fn name(self) -> &'static str {
            Method::name(self)
        }
    }

    impl Named for TornadoKind {
        const ALL: &'static [Self] = &[TornadoKind::Swing, TornadoKind::Conditional];
        fn name(self) -> &'static str {
            TornadoKind::name(self)
        }
    }

    pub(super) fn serialize<T: Named, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.name())
    }

    pub(super) fn deserialize<'de, T: Named, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        let text = String::deserialize(deserializer)?;
        T::ALL.iter().copied().find(|v| v.name() == text).ok_or_else(|| {
            let names: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
            serde::de::Error::custom(format!("unknown value `{text}`, expected one of {}", names.join(", ")))
        })
    }

    pub(super) mod optional {
        use serde::{Deserializer, Serializer};

        use super::Named;

        pub(in super::super) fn serialize<T: Named, S: Serializer>(
            value: &Option<T>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => serializer.serialize_some(v.name()),
                None => serializer.serialize_none(),
            }
        }

        pub(in super::super) fn deserialize<'de, T: Named, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<T>, D::Error> {
            #[derive(serde::Deserialize)]
            struct Wrapped<T: Named>(#[serde(with = "super")] T);
            let wrapped: Option<Wrapped<T>> = serde::Deserialize::deserialize(deserializer)?;
            Ok(wrapped.map(|Wrapped(v)| v))
        }
    }
}

/// A double written exactly: a JSON number when finite, else `"inf"`, `"-inf"` or `"nan"`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct F(f64);

impl Serialize for F {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            x if x.is_finite() => serializer.serialize_f64(x),
            x if x.is_nan() => serializer.serialize_str("nan"),
            x if x > 0.0 => serializer.serialize_str("inf"),
            _ => serializer.serialize_str("-inf"),
        }
    }
}

impl<'de> Deserialize<'de> for F {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<F, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(f64),
            Text(String),
        }
        match Either::deserialize(deserializer)? {
            Either::Number(x) => Ok(F(x)),
            Either::Text(t) => match t.as_str() {
                "inf" => Ok(F(f64::INFINITY)),
                "-inf" => Ok(F(f64::NEG_INFINITY)),
                "nan" => Ok(F(f64::NAN)),
                other => Err(serde::de::Error::custom(format!("`{other}` is not a number"))),
            },
        }
    }
}
