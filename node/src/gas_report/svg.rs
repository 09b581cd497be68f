//! Control-flow graphs drawn as inline SVG: blocks top to bottom in code order, forward
//! jumps on the right, back edges (loops) on the left in red, loop bodies shaded, blocks
//! where a bound fails outlined in red.

use std::fmt::Write as _;

use super::model::Graph;

const X: i64 = 150;
const W: i64 = 190;
const H: i64 = 22;
const ROW: i64 = 32;
const TOP: i64 = 16;

/// Escapes text for HTML and SVG.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn y(i: usize) -> i64 {
    TOP + i64::try_from(i).unwrap_or(i64::MAX / 64) * ROW
}

/// The SVG of a graph (empty if it is not drawn).
pub fn draw(g: &Graph) -> String {
    if g.omitted.is_some() || g.nodes.is_empty() {
        return String::new();
    }
    let n = g.nodes.len();
    let height = y(n) + 8;
    let width = X + W + 180;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" font-size="11">"#
    );
    s.push_str(
        r##"<defs><marker id="a" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker><marker id="r" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#c0392b"/></marker></defs>"##,
    );
    // Loop bodies, outer first (wider), shaded; red when unbounded.
    let mut loops: Vec<&super::model::GLoop> = g.loops.iter().collect();
    loops.sort_by_key(|l| (l.first, std::cmp::Reverse(l.last)));
    for (k, l) in loops.iter().enumerate() {
        let depth = loops[..k].iter().filter(|o| o.first <= l.first && o.last >= l.last).count();
        let inset = 8 * i64::try_from(depth).unwrap_or(0);
        let (fill, stroke) = if l.bounded { ("#eaf2fb", "#7fa7d6") } else { ("#fdecea", "#c0392b") };
        let top = y(l.first) - 5;
        let h = y(l.last) - y(l.first) + H + 10;
        let _ = write!(
            s,
            r#"<rect x="{}" y="{top}" width="{}" height="{h}" rx="6" fill="{fill}" stroke="{stroke}" stroke-dasharray="4 2"><title>{}</title></rect>"#,
            X - 40 + inset,
            W + 80 - 2 * inset,
            esc(&l.label)
        );
    }
    // Edges.
    for &(from, to, back) in &g.edges {
        let (y1, y2) = (y(from) + H / 2, y(to) + H / 2);
        if to == from + 1 && !back {
            let _ = write!(
                s,
                r##"<line x1="{cx}" y1="{}" x2="{cx}" y2="{}" stroke="#555" marker-end="url(#a)"/>"##,
                y(from) + H,
                y(to),
                cx = X + W / 2
            );
        } else if back || to <= from {
            // Backward: on the left; red for a loop's back edge, grey for a jump to a lower
            // address that closes no cycle (an EVM internal function returning).
            let span = i64::try_from(from.abs_diff(to)).unwrap_or(0);
            let bend = X - 20 - (span * 3).min(100);
            let (color, marker) = if back { ("#c0392b", "r") } else { ("#999", "a") };
            let _ = write!(
                s,
                r##"<path d="M{X},{y1} C{bend},{y1} {bend},{y2} {X},{y2}" fill="none" stroke="{color}" stroke-width="1.3" marker-end="url(#{marker})"/>"##
            );
        } else {
            let span = i64::try_from(to - from).unwrap_or(0);
            let right = X + W;
            let bend = right + 20 + (span * 3).min(140);
            let _ = write!(
                s,
                r##"<path d="M{right},{y1} C{bend},{y1} {bend},{y2} {right},{y2}" fill="none" stroke="#555" marker-end="url(#a)"/>"##
            );
        }
    }
    // Nodes.
    for (i, node) in g.nodes.iter().enumerate() {
        let (fill, stroke, sw) = if node.unbounded {
            ("#f9d6d2", "#c0392b", 2)
        } else if node.exit {
            ("#e3f4e1", "#3c8d3c", 1)
        } else if node.in_loop {
            ("#d6e6f7", "#4a78b0", 1)
        } else {
            ("#f2f2f2", "#777", 1)
        };
        let _ = write!(
            s,
            r#"<rect x="{X}" y="{}" width="{W}" height="{H}" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>"#,
            y(i)
        );
        let mut label = node.label.clone();
        if !node.cost.is_empty() {
            let _ = write!(label, "  gas {}", node.cost);
        }
        if node.host {
            label.push_str("  host");
        }
        let _ = write!(s, r#"<text x="{}" y="{}">{}</text>"#, X + 6, y(i) + 15, esc(&label));
    }
    s.push_str("</svg>");
    s
}
