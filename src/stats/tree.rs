//! A fold of per-chunk results in a fixed binary tree over the chunk indices, so that
//! any split of the chunks into contiguous ranges, folded apart (on other machines) and
//! then joined, gives the same bits as one fold of every chunk in order.
//!
//! The tree's nodes are the aligned blocks of chunks: a node of level k covers chunks
//! [j·2^k, (j + 1)·2^k). Two sibling nodes are combined (left ⊕ right) as soon as both
//! are known; a fold of chunks 0..n leaves the blocks of n's binary expansion, which are
//! combined left to right at the end. A range that starts or ends off an alignment keeps
//! the blocks it could not complete, and [`ChunkTree::append`] completes them when the
//! neighbouring range arrives, with exactly the combinations a single fold would have
//! made. Pairwise folding is also more accurate than a running sum: the rounding error of
//! a mean grows with log n instead of n.

/// A node: the combined value of chunks `start .. start + 2^level`.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<T> {
    /// The first chunk covered.
    pub start: u64,
    /// The node covers 2^level chunks.
    pub level: u32,
    /// Their combined value.
    pub value: T,
}

impl<T> Node<T> {
    /// One past the last chunk covered.
    pub fn end(&self) -> u64 {
        self.start + (1 << self.level)
    }
}

/// Per-chunk values of some chunks, folded in the fixed tree (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChunkTree<T> {
    nodes: Vec<Node<T>>,
}

impl<T> Default for ChunkTree<T> {
    fn default() -> ChunkTree<T> {
        ChunkTree { nodes: Vec::new() }
    }
}

impl<T: Clone> ChunkTree<T> {
    /// A tree of the given nodes (as read back from [`ChunkTree::nodes`]), or `None` if
    /// they are not aligned blocks in increasing, non-overlapping order.
    pub(crate) fn from_nodes(nodes: Vec<Node<T>>) -> Option<ChunkTree<T>> {
        let aligned = nodes.iter().all(|n| n.level < 63 && n.start % (1 << n.level) == 0);
        let ordered = nodes.windows(2).all(|w| w[0].end() <= w[1].start);
        (aligned && ordered).then_some(ChunkTree { nodes })
    }

    /// The nodes not yet combined, in chunk order.
    pub(crate) fn nodes(&self) -> &[Node<T>] {
        &self.nodes
    }

    /// One past the last chunk covered (0 when empty).
    pub(crate) fn end(&self) -> u64 {
        self.nodes.last().map_or(0, Node::end)
    }

    /// Adds chunk `chunk`'s value; `chunk` must come after every chunk already added.
    pub(crate) fn push(&mut self, chunk: u64, value: T, combine: &impl Fn(&mut T, &T)) {
        self.add(Node { start: chunk, level: 0, value }, combine);
    }

    fn add(&mut self, node: Node<T>, combine: &impl Fn(&mut T, &T)) {
        debug_assert!(node.start >= self.end(), "chunks are added in order");
        self.nodes.push(node);
        while let [.., left, right] = &mut self.nodes[..] {
            let siblings =
                left.level == right.level && right.start == left.end() && left.start % (1 << (left.level + 1)) == 0;
            if !siblings {
                break;
            }
            combine(&mut left.value, &right.value);
            left.level += 1;
            self.nodes.pop();
        }
    }

    /// The chunks of both trees in one (they may interleave, as the shards of two partial
    /// merges do), or `None` if they share a chunk.
    pub(crate) fn merge(self, other: ChunkTree<T>, combine: &impl Fn(&mut T, &T)) -> Option<ChunkTree<T>> {
        let mut nodes = self.nodes;
        nodes.extend(other.nodes);
        nodes.sort_by_key(|n| n.start);
        if nodes.windows(2).any(|w| w[0].end() > w[1].start) {
            return None;
        }
        let mut merged = ChunkTree::default();
        nodes.into_iter().for_each(|node| merged.add(node, combine));
        Some(merged)
    }

    /// Every chunk's value combined, the remaining blocks left to right (`None` when
    /// empty).
    pub(crate) fn fold(&self, combine: &impl Fn(&mut T, &T)) -> Option<T> {
        let (first, rest) = self.nodes.split_first()?;
        let mut value = first.value.clone();
        rest.iter().for_each(|node| combine(&mut value, &node.value));
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A combination that records its order: equal strings mean equal folds.
    fn join(a: &mut String, b: &String) {
        *a = format!("({a} {b})");
    }

    fn tree(chunks: std::ops::Range<u64>) -> ChunkTree<String> {
        let mut tree = ChunkTree::default();
        chunks.for_each(|c| tree.push(c, c.to_string(), &join));
        tree
    }

    #[test]
    fn any_split_into_ranges_folds_like_one_pass() {
        for n in [1, 2, 3, 7, 8, 13, 64, 100] {
            let whole = tree(0..n).fold(&join);
            for cuts in [vec![1], vec![n / 2], vec![3, 5], vec![1, 2, n - 1]] {
                let mut bounds: Vec<u64> = std::iter::once(0).chain(cuts).chain([n]).filter(|&c| c <= n).collect();
                bounds.sort_unstable();
                bounds.dedup();
                let parts: Vec<ChunkTree<String>> = bounds.windows(2).map(|w| tree(w[0]..w[1])).collect();
                // Merged left to right, and as a tree of merges (the last two first).
                let merge = |a: ChunkTree<String>, b: ChunkTree<String>| a.merge(b, &join).unwrap();
                let joined = parts.iter().cloned().fold(ChunkTree::default(), merge);
                assert_eq!(joined.fold(&join), whole, "n {n}, bounds {bounds:?}");
                if let [a, b, c, ..] = &parts[..] {
                    let left = merge(a.clone(), merge(b.clone(), c.clone()));
                    let left = parts[3..].iter().cloned().fold(left, merge);
                    assert_eq!(left.fold(&join), whole, "n {n}, bounds {bounds:?}");
                }
            }
        }
        // 8 chunks fold as a balanced tree; 3 as the blocks [0, 2) and [2, 3).
        assert_eq!(tree(0..8).fold(&join).unwrap(), "(((0 1) (2 3)) ((4 5) (6 7)))");
        assert_eq!(tree(0..3).fold(&join).unwrap(), "((0 1) 2)");
    }

    #[test]
    fn interleaved_partial_merges_fold_like_one_pass() {
        // Shards 0..6 of 23 chunks, merged as {0, 2, 4} and {1, 3, 5}, then together.
        let bounds = [0, 4, 7, 12, 16, 20, 23];
        let shard = |k: usize| tree(bounds[k]..bounds[k + 1]);
        let even = shard(0).merge(shard(2), &join).unwrap().merge(shard(4), &join).unwrap();
        let odd = shard(5).merge(shard(1), &join).unwrap().merge(shard(3), &join).unwrap();
        let all = odd.merge(even, &join).unwrap();
        assert_eq!(all, tree(0..23));
        assert_eq!(all.fold(&join), tree(0..23).fold(&join));
        assert_eq!(shard(1).merge(shard(1), &join), None, "a shard given twice");
    }

    #[test]
    fn nodes_read_back_only_when_they_are_a_tree() {
        let nodes = tree(3..11).nodes().to_vec();
        assert_eq!(ChunkTree::from_nodes(nodes.clone()), Some(tree(3..11)));
        let mut misaligned = nodes.clone();
        misaligned[1].start += 1;
        assert_eq!(ChunkTree::from_nodes(misaligned), None);
        let reversed: Vec<_> = nodes.into_iter().rev().collect();
        assert_eq!(ChunkTree::from_nodes(reversed), None);
    }
}
