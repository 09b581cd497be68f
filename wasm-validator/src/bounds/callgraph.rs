//! The call graph and its strongly connected components (Tarjan), callees first.

use alloc::vec;
use alloc::vec::Vec;

/// Strongly connected components of a graph with nodes `0..n` and `succs`, in reverse
/// topological order (every component after the components it reaches), and whether each
/// is cyclic (more than one node, or a node that reaches itself directly).
pub fn sccs(n: usize, succs: &[Vec<usize>]) -> Vec<(Vec<usize>, bool)> {
    const NONE: usize = usize::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut next = 0usize;
    // Iterative DFS: (node, next successor position).
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != NONE {
            continue;
        }
        work.push((root, 0));
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = work.last_mut() {
            let vs = succs.get(v).map_or(&[][..], Vec::as_slice);
            if let Some(&w) = vs.get(*pos) {
                *pos += 1;
                if w >= n {
                    continue;
                }
                if index[w] == NONE {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                let cyclic = comp.len() > 1 || succs.get(v).is_some_and(|s| s.contains(&v));
                comp.sort_unstable();
                out.push((comp, cyclic));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_callees_first() {
        // 0 -> 1 -> 2 -> 1, 0 -> 3, 3 -> 3
        let g = vec![vec![1, 3], vec![2], vec![1], vec![3]];
        let c = sccs(4, &g);
        let pos = |x: usize| c.iter().position(|(comp, _)| comp.contains(&x)).unwrap();
        assert!(pos(1) < pos(0) && pos(3) < pos(0));
        assert_eq!(pos(1), pos(2));
        assert!(c[pos(1)].1 && c[pos(3)].1 && !c[pos(0)].1);
    }
}
