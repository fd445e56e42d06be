//! Programs made from a compiled one without compiling the model again: reporting other
//! vars (its slots laid out again from its [`Layout`]), with some factors pinned at
//! values, or with the copula's factors in another order. Each keeps its layout in step,
//! so that any of them can be laid out again in turn.

use std::sync::Arc;

use super::alloc::{self, LaidOut};
use super::program::{Layout, Op, OpOrigin, Program};

impl Program {
    /// This program reporting the vars `vars` (indices into [`Program::vars`], in that
    /// order; a series reports each period) instead of its outputs: the same ops, laid
    /// out again.
    pub(crate) fn reporting(&self, vars: &[usize]) -> Program {
        self.laid_out(Arc::clone(&self.layout), alloc::lay_out(&self.layout, vars))
    }

    /// This program with its ops, and its layout's, rewritten by `rewrite` (which keeps
    /// every slot's meaning, so the allocation still holds).
    fn rewritten(&self, rewrite: impl Fn(&[Op], &[OpOrigin]) -> (Vec<Op>, Vec<OpOrigin>)) -> Program {
        let (ops, origins) = rewrite(&self.ops, &self.origins);
        let (layout_ops, layout_origins) = rewrite(&self.layout.ops, &self.layout.origins);
        let layout = Layout {
            ops: layout_ops,
            origins: layout_origins,
            n_virtual: self.layout.n_virtual,
            values: Arc::clone(&self.layout.values),
        };
        let laid = LaidOut { ops, origins, n_slots: self.n_slots, outputs: self.outputs.clone() };
        self.laid_out(Arc::new(layout), laid)
    }

    /// This program's model data with `layout` and the ops `laid` out from it.
    fn laid_out(&self, layout: Arc<Layout>, laid: LaidOut) -> Program {
        Program {
            sampling: self.sampling,
            correlation: self.correlation.clone(),
            layout,
            ops: laid.ops,
            origins: laid.origins,
            n_slots: laid.n_slots,
            vars: self.vars.clone(),
            factors: self.factors.clone(),
            outputs: laid.outputs,
            periods: self.periods.clone(),
            lints: self.lints.clone(),
            percentiles: self.percentiles.clone(),
        }
    }

    /// This program with the factors `pins` (indices into [`Program::factors`]) fixed at
    /// the given values: their own ops are dropped and their column filled with the value
    /// where it would have been checked. No recompiling; a tornado evaluates one trial of
    /// it per bar.
    pub(crate) fn pinned(&self, pins: &[(usize, f64)]) -> Program {
        let pin = |var: u32, period: Option<u32>| {
            pins.iter()
                .find(|&&(f, _)| self.factors[f].var == var && self.factors[f].period == period)
                .map(|&(_, value)| value)
        };
        self.rewritten(|ops, origins| {
            let mut kept = (Vec::new(), Vec::new());
            for (op, origin) in ops.iter().zip(origins) {
                let op = match op {
                    Op::Check { slot, var, period } => match pin(*var, *period) {
                        Some(value) => Op::Fill { value, dst: *slot },
                        None => op.clone(),
                    },
                    Op::Quantile { .. } => op.clone(),
                    _ if origin.var.and_then(|v| pin(v, origin.period)).is_some() => continue,
                    _ => op.clone(),
                };
                kept.0.push(op);
                kept.1.push(*origin);
            }
            kept
        })
    }

    /// This program with the copula's Cholesky factor taken in another order: the
    /// correlated factors listed in `first` (indices into [`Program::factors`]) lead, in
    /// that order, and the others follow in their present order. The inputs' joint
    /// distribution is unchanged; what changes is which independent normal drives which
    /// input. In the new order an input depends only on its own stream and those of the
    /// inputs before it, so redrawing the streams of a tail of the order while keeping the
    /// rest draws the tail exactly from its conditional distribution given the head.
    pub(crate) fn with_copula_order(&self, first: &[usize]) -> Program {
        let Some((factors, matrix)) = self.copula() else {
            return self.clone();
        };
        let rank = |f: &usize| first.iter().position(|g| g == f).unwrap_or(first.len());
        let mut order: Vec<usize> = (0..factors.len()).collect();
        order.sort_by_key(|&i| rank(&factors[i]));
        let permuted: Vec<Vec<f64>> = order.iter().map(|&i| order.iter().map(|&j| matrix[i][j]).collect()).collect();
        let cholesky = crate::correlation::cholesky(&permuted).expect("a reordering of a valid correlation matrix");
        self.rewritten(|ops, origins| {
            let mut ops = ops.to_vec();
            for op in &mut ops {
                if let Op::Quantile { correlated, cholesky: factor, .. } = op
                    && !correlated.is_empty()
                {
                    *correlated = order.iter().map(|&i| correlated[i]).collect();
                    *factor = cholesky.clone();
                }
            }
            (ops, origins.to_vec())
        })
    }
}
