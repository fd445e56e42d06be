//! A unit as a product of named units with integer powers (`USD/GPU/hour` is USD¹ GPU⁻¹
//! hour⁻¹), each named unit with its size in base units and its dimension; products,
//! quotients and powers, with the exact factor that converts between units of one
//! dimension.

use std::fmt;

/// A dimension: base dimensions with integer powers, sorted by name, none with power 0.
/// The bases are `s` (time), `m` (length), `J` (energy), `bit` (data), each currency
/// (`USD`, `EUR`, …, never converted into each other) and each count unit (`GPU`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Dimension(Vec<(String, i32)>);

impl Dimension {
    /// A base dimension.
    pub(crate) fn base(name: &str) -> Dimension {
        Dimension(vec![(name.to_string(), 1)])
    }

    /// The dimension of a product of quantities of `self` and `other`.
    pub(crate) fn times(&self, other: &Dimension) -> Dimension {
        let mut powers = self.0.clone();
        for (name, power) in &other.0 {
            match powers.iter_mut().find(|(n, _)| n == name) {
                Some((_, p)) => *p += power,
                None => powers.push((name.clone(), *power)),
            }
        }
        powers.retain(|(_, p)| *p != 0);
        powers.sort();
        Dimension(powers)
    }

    /// This dimension to the power `n`.
    pub(crate) fn pow(&self, n: i32) -> Dimension {
        let mut powers: Vec<(String, i32)> = self.0.iter().map(|(b, p)| (b.clone(), p * n)).collect();
        powers.retain(|(_, p)| *p != 0);
        Dimension(powers)
    }

    /// True for a dimensionless quantity.
    pub(crate) fn is_none(&self) -> bool {
        self.0.is_empty()
    }

    /// The base dimensions with their powers.
    pub(crate) fn powers(&self) -> &[(String, i32)] {
        &self.0
    }
}

/// The largest power a unit may be raised to (`m^16`), written or reached by `^`: sizes
/// stay far from overflow.
pub(crate) const MAX_POWER: i32 = 16;

/// A named unit (a symbol): `kW`, `hour`, `USD`, `GPU`, `%`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Symbol {
    /// As written (`hours`, `GPUs`).
    pub(crate) name: String,
    /// Its size in base units (`hour`: 3600 s; `kWh`: 3.6e6 J; `%`: 0.01).
    pub(crate) size: f64,
    /// Its dimension.
    pub(crate) dimension: Dimension,
}

/// A unit: named units with integer powers, in the order written; none is dimensionless.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Unit {
    terms: Vec<(Symbol, i32)>,
}

/// Snaps a conversion factor computed from unit sizes to the exact number it stands for:
/// `day/hour` is 24, not 23.999999999999996.
fn exact(factor: f64) -> f64 {
    let nearest = factor.round();
    if nearest != 0.0 && ((factor - nearest) / nearest).abs() < 1e-12 {
        return nearest;
    }
    let inverse = (1.0 / factor).round();
    if inverse != 0.0 && ((1.0 / factor - inverse) / inverse).abs() < 1e-12 { 1.0 / inverse } else { factor }
}

impl Unit {
    /// A named unit alone.
    pub(crate) fn named(named: Symbol) -> Unit {
        Unit { terms: vec![(named, 1)] }
    }

    /// The dimensionless unit `1`.
    pub(crate) fn one() -> Unit {
        Unit::default()
    }

    /// The unit's dimension.
    pub(crate) fn dimension(&self) -> Dimension {
        self.terms.iter().fold(Dimension::default(), |d, (n, p)| d.times(&n.dimension.pow(*p)))
    }

    /// Its size in base units.
    pub(crate) fn size(&self) -> f64 {
        self.terms.iter().map(|(n, p)| n.size.powi(*p)).product()
    }

    /// True for `1`, with no named unit.
    pub(crate) fn is_one(&self) -> bool {
        self.terms.is_empty()
    }

    /// The factor that converts a value in this unit into `other` (of the same dimension):
    /// `hour` into `day` is 1/24.
    pub(crate) fn factor_to(&self, other: &Unit) -> f64 {
        exact(self.size() / other.size())
    }

    /// `self · other`, simplified, and the factor its values take: named units of one
    /// dimension merge into the first of them (`USD/hour · day` is `USD` with factor 24),
    /// a pair of them that makes another one's dimension cancels it (`kW·hour/kWh` is 1),
    /// and dimensionless named units (`%`) become plain factors beside other units.
    pub(crate) fn times(&self, other: &Unit) -> (Unit, f64) {
        let mut terms = self.terms.clone();
        terms.extend(other.terms.iter().cloned());
        simplify(terms)
    }

    /// `self · other` as written: only the same named unit merges (`hour/day` stays
    /// `hour/day`, of size 1/24), so a declared unit keeps its size.
    pub(crate) fn joined(&self, other: &Unit) -> Unit {
        let mut terms = self.terms.clone();
        for (named, power) in &other.terms {
            match terms.iter_mut().find(|(n, _)| n.name == named.name) {
                Some((_, p)) => *p += power,
                None => terms.push((named.clone(), *power)),
            }
        }
        terms.retain(|(_, p)| *p != 0);
        Unit { terms }
    }

    /// `self / other`, as [`Unit::times`].
    pub(crate) fn over(&self, other: &Unit) -> (Unit, f64) {
        self.times(&other.pow(-1))
    }

    /// This unit to the power `n`.
    pub(crate) fn pow(&self, n: i32) -> Unit {
        let terms = self.terms.iter().filter(|_| n != 0).map(|(named, p)| (named.clone(), p * n)).collect();
        Unit { terms }
    }

    /// The square root, when every power is even.
    pub(crate) fn sqrt(&self) -> Option<Unit> {
        let halves = self.terms.iter().map(|(n, p)| (p % 2 == 0).then(|| (n.clone(), p / 2))).collect::<Option<_>>()?;
        Some(Unit { terms: halves })
    }
}

/// Most terms a unit may have for pairs in it to cancel a third.
const MAX_CANCEL_TERMS: usize = 8;

/// `terms` simplified (see [`Unit::times`]), with the factor values take.
fn simplify(terms: Vec<(Symbol, i32)>) -> (Unit, f64) {
    let mut factor = 1.0;
    let mut kept: Vec<(Symbol, i32)> = Vec::new();
    for (named, power) in terms {
        match kept.iter_mut().find(|(k, _)| k.dimension == named.dimension) {
            Some((k, p)) => {
                factor *= (named.size / k.size).powi(power);
                *p += power;
            }
            None => kept.push((named, power)),
        }
    }
    kept.retain(|(_, p)| *p != 0);
    // A pair that makes a third's dimension with the opposite power cancels it:
    // kW · hour / kWh. Only for a few terms (the search is cubic): cancelling changes how a
    // unit is written, not what a value means, since its size goes into the factor.
    'pairs: while kept.len() <= MAX_CANCEL_TERMS {
        for i in 0..kept.len() {
            for j in 0..kept.len() {
                for k in 0..kept.len() {
                    let distinct = i < j && k != i && k != j;
                    if !distinct || kept[i].1.signum() != kept[j].1.signum() || kept[k].1 != -kept[i].1.signum() {
                        continue;
                    }
                    let pair = kept[i].0.dimension.times(&kept[j].0.dimension);
                    if pair != kept[k].0.dimension || pair.is_none() {
                        continue;
                    }
                    let sign = kept[i].1.signum();
                    factor *= (kept[i].0.size * kept[j].0.size / kept[k].0.size).powi(sign);
                    for (index, delta) in [(i, -sign), (j, -sign), (k, sign)] {
                        kept[index].1 += delta;
                    }
                    kept.retain(|(_, p)| *p != 0);
                    continue 'pairs;
                }
            }
        }
        break;
    }
    // `%` beside other units is a plain factor; alone it stays a percentage.
    let dimensional = kept.iter().any(|(n, _)| !n.dimension.is_none());
    if dimensional || kept.iter().map(|(_, p)| p.abs()).sum::<i32>() > 1 {
        for (named, power) in kept.iter().filter(|(n, _)| n.dimension.is_none()) {
            factor *= named.size.powi(*power);
        }
        kept.retain(|(n, _)| !n.dimension.is_none());
    }
    (Unit { terms: kept }, exact(factor))
}

impl fmt::Display for Unit {
    /// `USD/GPU/hour`, `kW*hour`, `1/year`, `m^2`: parsed back as the same unit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let power = |f: &mut fmt::Formatter<'_>, name: &str, p: i32| match p {
            1 => write!(f, "{name}"),
            p => write!(f, "{name}^{p}"),
        };
        let above: Vec<_> = self.terms.iter().filter(|(_, p)| *p > 0).collect();
        if above.is_empty() {
            f.write_str("1")?;
        }
        for (i, (n, p)) in above.iter().enumerate() {
            if i > 0 {
                f.write_str("*")?;
            }
            power(f, &n.name, *p)?;
        }
        for (n, p) in self.terms.iter().filter(|(_, p)| *p < 0) {
            f.write_str("/")?;
            power(f, &n.name, -p)?;
        }
        Ok(())
    }
}
