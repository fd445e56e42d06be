//! Slot allocation: maps the lowering's one-slot-per-value numbering onto few columns.
//!
//! A value's column is released after the last op that reads it (unless it is pinned,
//! e.g. an output) and reused by later ops, most recently released first so the column
//! is still in cache. An op's destination is allocated before its inputs are released,
//! so no op ever writes a column it reads.

use super::program::{Layout, Op, OpOrigin, Operand, Output, Value};

/// A program's ops with their slots allocated, and its outputs.
pub(super) struct LaidOut {
    /// The ops, over physical slots.
    pub(super) ops: Vec<Op>,
    /// Where each op comes from.
    pub(super) origins: Vec<OpOrigin>,
    /// Number of physical slots.
    pub(super) n_slots: usize,
    /// The reported values, with their slots.
    pub(super) outputs: Vec<Output>,
}

/// `layout`'s ops reporting the vars `reported` (indices into the model's vars; a series
/// reports each period): a constant output gets a column filled with its value, and every
/// output's column is kept to the end.
pub(super) fn lay_out(layout: &Layout, reported: &[usize]) -> LaidOut {
    let (mut ops, mut origins, mut n_virtual) = (layout.ops.clone(), layout.origins.clone(), layout.n_virtual);
    let mut outputs = Vec::new();
    let mut pinned = Vec::new();
    for &v in reported {
        let (value, boolean) = &layout.values[v];
        let periods: Vec<(Option<u32>, Operand)> = match value.as_ref().expect("a compiled var") {
            Value::One(o) => vec![(None, *o)],
            Value::Series(s) => s.iter().enumerate().map(|(k, o)| (Some(k as u32), *o)).collect(),
        };
        for (period, operand) in periods {
            let slot = match operand {
                Operand::Slot(s) => s,
                Operand::Const(value) => {
                    n_virtual += 1;
                    ops.push(Op::Fill { value, dst: n_virtual - 1 });
                    origins.push(OpOrigin { var: None, period: None, span: None });
                    n_virtual - 1
                }
            };
            outputs.push(Output { var: v as u32, period, slot, boolean: *boolean });
            pinned.push(slot);
        }
    }
    let (n_slots, physical) = allocate(&mut ops, n_virtual as usize, &pinned);
    outputs.iter_mut().zip(physical).for_each(|(o, slot)| o.slot = slot);
    LaidOut { ops, origins, n_slots, outputs }
}

/// Renumbers the slots of `ops` in place; returns the number of physical slots and the
/// physical slot of each of the `pinned` virtual slots.
pub(super) fn allocate(ops: &mut [Op], n_virtual: usize, pinned: &[u32]) -> (usize, Vec<u32>) {
    let mut last_use = vec![None; n_virtual];
    for (i, op) in ops.iter_mut().enumerate() {
        op.for_each_slot(|s, _| last_use[*s as usize] = Some(i));
    }
    for &p in pinned {
        last_use[p as usize] = Some(usize::MAX);
    }
    let mut physical = vec![u32::MAX; n_virtual];
    let mut free: Vec<u32> = Vec::new();
    let mut n_physical = 0u32;
    for (i, op) in ops.iter_mut().enumerate() {
        let mut released = Vec::new();
        op.for_each_slot(|s, is_dst| {
            let virtual_slot = *s as usize;
            if is_dst {
                let slot = free.pop().unwrap_or_else(|| {
                    n_physical += 1;
                    n_physical - 1
                });
                physical[virtual_slot] = slot;
                if last_use[virtual_slot] == Some(i) {
                    released.push(slot);
                }
            } else if last_use[virtual_slot] == Some(i) {
                released.push(physical[virtual_slot]);
            }
            *s = physical[virtual_slot];
        });
        released.sort_unstable();
        released.dedup();
        free.extend(released);
    }
    let pinned = pinned.iter().map(|&p| physical[p as usize]).collect();
    (n_physical as usize, pinned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::program::{Operand, Unary};

    fn neg(a: u32, dst: u32) -> Op {
        Op::Unary { f: Unary::Neg, a: Operand::Slot(a), dst }
    }

    #[test]
    fn reuses_released_columns_and_never_aliases_an_input() {
        // v0 = fill; v1 = -v0; v2 = -v1; v3 = -v2 (pinned)
        let mut ops = vec![Op::Fill { value: 1.0, dst: 0 }, neg(0, 1), neg(1, 2), neg(2, 3)];
        let (n, pinned) = allocate(&mut ops, 4, &[3]);
        assert_eq!(n, 2);
        for op in &mut ops {
            let mut slots = Vec::new();
            op.for_each_slot(|s, is_dst| slots.push((*s, is_dst)));
            let dst = slots.iter().find(|(_, d)| *d).map(|(s, _)| *s);
            assert!(slots.iter().filter(|(_, d)| !d).all(|(s, _)| Some(*s) != dst));
        }
        let Op::Unary { dst, .. } = ops[3] else { panic!() };
        assert_eq!(pinned, vec![dst]);
    }
}
