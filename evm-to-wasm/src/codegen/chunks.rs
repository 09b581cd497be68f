//! Chunks: large code is split into functions of consecutive labelled segments, so that
//! nesting depth and function size stay within host-abi's limits. A chunk is entered at a
//! `dest` (pc + 1 of a labelled JUMPDEST, 0 at the start) and returns the `dest` outside it
//! that execution continues at; the `call` function dispatches `dest` to the chunk holding it.

use super::asm::{Asm, Label};
use super::layout::{L_BP, L_DEST, STACK_BIAS, STACK_TOP};
use crate::analysis::Analysis;
use alloc::vec::Vec;
use core::ops::Range;
use wasm_encoder::{Function, ValType};

/// A part of the code compiled to one function: consecutive labelled segments.
#[derive(Clone, Debug)]
pub struct Chunk {
    /// Its labels: a range of indices into [`Analysis::labels`].
    pub labels: Range<usize>,
    /// Its blocks: a range of indices into [`Analysis::blocks`].
    pub blocks: Range<usize>,
    /// Whether it is the only chunk (then it is `call` itself, type `[] -> []`); otherwise its
    /// type is `(bp, dest) -> (bp, dest)`, it is entered at `dest` and returns the `dest`
    /// outside it that execution continues at.
    pub alone: bool,
}

/// Splits the labelled segments into chunks of at most `max_labels` labels and about
/// `budget` bytes of EVM code (a segment is never split).
pub fn chunks(an: &Analysis, budget: usize, max_labels: usize) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    let (mut first_label, mut first_block, mut bytes) = (0usize, 0usize, 0usize);
    let mut label = 0usize;
    for (i, b) in an.blocks.iter().enumerate() {
        if an.labels.get(label) == Some(&b.start) {
            let full = label - first_label >= max_labels || bytes >= budget;
            if full && i > first_block {
                out.push(Chunk { labels: first_label..label, blocks: first_block..i, alone: false });
                first_label = label;
                first_block = i;
                bytes = 0;
            }
            label += 1;
        }
        bytes += (b.end - b.start) as usize;
    }
    out.push(Chunk { labels: first_label..an.labels.len(), blocks: first_block..an.blocks.len(), alone: false });
    if out.len() == 1 {
        out[0].alone = true;
    }
    out
}

/// The `call` function of a chunked module: dispatches `dest` (pc + 1, 0 at the start) to
/// the chunk holding that pc until a chunk halts. `chunk_fns` are the chunks' indices.
pub fn dispatcher(an: &Analysis, chunks: &[Chunk], chunk_fns: &[u32]) -> Function {
    let mut a = Asm::new(chunks.len());
    a.i().i32_const((STACK_TOP - STACK_BIAS) as i32).local_set(L_BP);
    a.block(Some(Label::Trap));
    a.loop_(Some(Label::Dispatch));
    for k in (0..chunks.len()).rev() {
        a.block(Some(Label::Seg(k as u32)));
    }
    // dest 0 → chunk 0; dest pc + 1 → the chunk whose blocks hold pc.
    let mut table = Vec::with_capacity(an.code_len as usize + 1);
    table.push(a.depth_of(Label::Seg(0)));
    let mut k = 0usize;
    for pc in 0..an.code_len {
        while k + 1 < chunks.len() && an.blocks[chunks[k + 1].blocks.start].start <= pc {
            k += 1;
        }
        table.push(a.depth_of(Label::Seg(k as u32)));
    }
    let trap = a.depth_of(Label::Trap);
    a.i().local_get(L_DEST).br_table(table, trap);
    for f in chunk_fns {
        a.end();
        a.i().local_get(L_BP).local_get(L_DEST).call(*f).local_set(L_DEST).local_set(L_BP);
        a.br(Label::Dispatch);
    }
    a.end();
    a.end();
    a.i().unreachable().end();
    let mut f = Function::new([(2, ValType::I32)]);
    f.raw(a.buf);
    f
}
