//! The helper functions of a lifted module: the Linux system calls (over the environment's
//! host functions and the shim's globals), the 64×64 high product, memory growth, the
//! `ecall` dispatcher for numbers not known at lift time, and the exports' entry stubs.

use alloc::vec::Vec;

use host_abi::functions::HostFn;
use wasm_encoder::{BlockType, Function, InstructionSink, MemArg, MemArgTarget, ValType};

use super::globals::{reg, BRK, CURSOR, OUT_LEN, OUT_START, REQUEST, RESUMED, START};
use super::host::{push_args, widen_result};
use super::{Funcs, Imports, Layout, Request};

/// `-EBADF`: what `read` and `write` return for a file descriptor they do not serve.
pub const EBADF: i64 = -9;

/// What the helpers need to know.
pub(crate) struct Cx<'a> {
    pub funcs: Funcs,
    pub imports: &'a Imports,
    pub layout: Layout,
}

impl Cx<'_> {
    pub fn import(&self, f: HostFn) -> u32 {
        self.imports.index(f)
    }
}

/// Pushes the linear address of the program address in `local` (an `i64`).
fn linear(s: &mut InstructionSink<'_>, local: u32, delta: i32) {
    s.local_get(local).i32_wrap_i64();
    if delta != 0 {
        s.i32_const(delta).i32_add();
    }
}

/// An export's stub, the driver of `run`: starts `run` at `pc`, and each time it returns
/// with a request serves it (`serve`) and resumes it.
pub fn start(cx: &Cx<'_>, pc: u64) -> Function {
    let mut f = Function::new([]);
    let s = &mut f.instructions();
    s.i64_const(pc as i64).global_set(START).i32_const(0).global_set(RESUMED);
    s.loop_(BlockType::Empty).call(cx.funcs.run).call(cx.funcs.serve).i32_const(1).global_set(RESUMED).br(0).end();
    s.end();
    f
}

/// `serve()`: what `run` returned for (the global `REQUEST`, a [`Request`]), on the
/// registers it left in the globals; a result goes to `a0`'s. `messages` are the body's
/// debug messages (passive data segments from `first_message` on).
pub fn serve(cx: &Cx<'_>, first_message: u32, messages: &[Vec<u8>]) -> Function {
    let a = |k: u32| reg(10 + k);
    let mut f = Function::new([]);
    let s = &mut f.instructions();
    let when = |s: &mut InstructionSink<'_>, r: Request| {
        s.global_get(REQUEST).i32_const(r.code()).i32_eq().if_(BlockType::Empty);
    };
    when(s, Request::Write);
    s.global_get(a(0)).global_get(a(1)).global_get(a(2)).call(cx.funcs.write).global_set(a(0)).return_().end();
    when(s, Request::Brk);
    s.global_get(a(0)).call(cx.funcs.brk).global_set(a(0)).return_().end();
    if let Some(ecall) = cx.funcs.ecall {
        when(s, Request::Ecall);
        for k in 0..6 {
            s.global_get(a(k));
        }
        s.global_get(a(7)).call(ecall).global_set(a(0)).return_().end();
    }
    for (k, m) in messages.iter().enumerate() {
        when(s, Request::Fail(k as u32));
        fail_with(s, cx, first_message + k as u32, m.len() as i32);
        s.end();
    }
    s.unreachable().end();
    f
}

/// Writes passive data segment `seg` (`len` bytes) to the debug output and traps: the
/// message is copied past the output buffer (the memory grown if needed).
fn fail_with(s: &mut InstructionSink<'_>, cx: &Cx<'_>, seg: u32, len: i32) {
    let end = |s: &mut InstructionSink<'_>| {
        s.global_get(OUT_START).global_get(OUT_LEN).i32_add();
    };
    end(s);
    s.i64_extend_i32_u().i64_const(i64::from(len)).i64_add().call(cx.funcs.grow);
    end(s);
    s.i32_const(0).i32_const(len).memory_init(0, seg);
    end(s);
    s.i32_const(len).call(cx.import(HostFn::DebugLog)).unreachable();
}

/// `grow(end)`: makes the linear memory at least `end` bytes, trapping if it cannot.
pub fn grow() -> Function {
    let mut f = Function::new([]);
    let s = &mut f.instructions();
    s.local_get(0).memory_size(0).i64_extend_i32_u().i64_const(16).i64_shl().i64_gt_u().if_(BlockType::Empty);
    s.local_get(0).i64_const(0xFFFF).i64_add().i64_const(16).i64_shr_u();
    s.memory_size(0).i64_extend_i32_u().i64_sub();
    // More pages than any memory may have: fail as memory.grow would.
    s.local_tee(0).i64_const(0x1_0000).i64_ge_u().if_(BlockType::Empty).unreachable().end();
    s.local_get(0).i32_wrap_i64().memory_grow(0).i32_const(-1).i32_eq().if_(BlockType::Empty).unreachable().end();
    s.end();
    s.end();
    f
}

/// `read(fd, buf, len)`: fd 0 reads the calldata sequentially (`calldata_copy` from the
/// cursor, at most what is left); other descriptors give `-EBADF`.
pub fn read(cx: &Cx<'_>) -> Function {
    let mut f = Function::new([(1, ValType::I64)]);
    read_inline(&mut f.instructions(), cx, [0, 1, 2, 3]);
    f.instructions().end();
    f
}

/// `read` on the `i64` locals `fd`, `buf`, `len` (`n` a scratch one), leaving its result.
pub fn read_inline(s: &mut InstructionSink<'_>, cx: &Cx<'_>, [fd, buf, len, n]: [u32; 4]) {
    s.local_get(fd).i64_eqz().if_(BlockType::Result(ValType::I64));
    // n = min(len, size - cursor), unsigned.
    s.call(cx.import(HostFn::CalldataSize)).i64_extend_i32_u().global_get(CURSOR).i64_sub().local_set(n);
    s.local_get(len).local_get(n).local_get(len).local_get(n).i64_lt_u().select().local_set(n);
    linear(s, buf, cx.layout.delta32());
    s.global_get(CURSOR).i32_wrap_i64().local_get(n).i32_wrap_i64().call(cx.import(HostFn::CalldataCopy));
    s.global_get(CURSOR).local_get(n).i64_add().global_set(CURSOR);
    s.local_get(n).else_().i64_const(EBADF).end();
}

/// `write(fd, buf, len)`: fd 1 appends to the output buffer (charged as the `write` row of
/// the host-function table, 3 + 3 per word, through `charge_gas`), fd 2 is `debug_log`;
/// other descriptors give `-EBADF`.
pub fn write(cx: &Cx<'_>) -> Function {
    let (fd, buf, len) = (0, 1, 2);
    let delta = cx.layout.delta32();
    let mut f = Function::new([]);
    f.instructions().local_get(fd).i64_const(2).i64_eq().if_(BlockType::Empty);
    linear(&mut f.instructions(), buf, delta);
    f.instructions().local_get(len).i32_wrap_i64().call(cx.import(HostFn::DebugLog)).local_get(len).return_().end();
    f.instructions().local_get(fd).i64_const(1).i64_ne().if_(BlockType::Empty).i64_const(EBADF).return_().end();
    f.instructions().local_get(len).i64_const(0xFFFF_FFFF).i64_gt_u().if_(BlockType::Empty).unreachable().end();
    f.instructions()
        .local_get(len)
        .i64_const(31)
        .i64_add()
        .i64_const(5)
        .i64_shr_u()
        .i64_const(3)
        .i64_mul()
        .i64_const(3)
        .i64_add()
        .call(cx.import(HostFn::ChargeGas));
    f.instructions()
        .global_get(OUT_START)
        .i64_extend_i32_u()
        .global_get(OUT_LEN)
        .i64_extend_i32_u()
        .i64_add()
        .local_get(len)
        .i64_add()
        .call(cx.funcs.grow);
    f.instructions().global_get(OUT_START).global_get(OUT_LEN).i32_add();
    linear(&mut f.instructions(), buf, delta);
    f.instructions().local_get(len).i32_wrap_i64().memory_copy(0, 0);
    f.instructions().global_get(OUT_LEN).local_get(len).i32_wrap_i64().i32_add().global_set(OUT_LEN);
    f.instructions().local_get(len).end();
    f
}

/// `exit(code)`: 0 finishes with the output buffer, anything else reverts with it.
pub fn exit(cx: &Cx<'_>) -> Function {
    let mut f = Function::new([]);
    exit_inline(&mut f.instructions(), cx, 0);
    f.instructions().end();
    f
}

/// `exit` with the code in `i64` local `code` (ends the call).
pub fn exit_inline(s: &mut InstructionSink<'_>, cx: &Cx<'_>, code: u32) {
    s.local_get(code).i64_eqz().if_(BlockType::Empty);
    s.global_get(OUT_START).global_get(OUT_LEN).call(cx.import(HostFn::Finish)).unreachable();
    s.end();
    s.global_get(OUT_START).global_get(OUT_LEN).call(cx.import(HostFn::Revert)).unreachable();
}

/// `brk(addr)`: below the initial break (0 included) or above the largest one it returns
/// the current break; otherwise it moves the break, moving the output buffer up if the heap
/// reaches it (and zeroing what the buffer leaves to the heap).
pub fn brk(cx: &Cx<'_>) -> Function {
    let (addr, lin, new_out) = (0, 1, 2);
    let l = cx.layout;
    let mut f = Function::new([(2, ValType::I64)]);
    let s = &mut f.instructions();
    s.local_get(addr).i64_const(l.brk as i64).i64_lt_u();
    s.local_get(addr).i64_const(l.brk_max as i64).i64_gt_u().i32_or();
    s.if_(BlockType::Empty).global_get(BRK).return_().end();
    s.local_get(addr).i64_const(l.delta).i64_add().local_tee(lin);
    s.global_get(OUT_START).i64_extend_i32_u().i64_gt_u().if_(BlockType::Empty);
    {
        s.local_get(lin).i64_const(7).i64_add().i64_const(-8).i64_and().local_tee(new_out);
        s.global_get(OUT_LEN).i64_extend_i32_u().i64_add().call(cx.funcs.grow);
        s.local_get(new_out).i32_wrap_i64().global_get(OUT_START).global_get(OUT_LEN).memory_copy(0, 0);
        // Zero the part of the old buffer below the new one: it is heap now.
        s.global_get(OUT_START).i32_const(0);
        s.global_get(OUT_LEN).i64_extend_i32_u();
        s.local_get(new_out).global_get(OUT_START).i64_extend_i32_u().i64_sub();
        s.global_get(OUT_LEN).i64_extend_i32_u();
        s.local_get(new_out).global_get(OUT_START).i64_extend_i32_u().i64_sub();
        s.i64_lt_u().select().i32_wrap_i64().memory_fill(0);
        s.local_get(new_out).i32_wrap_i64().global_set(OUT_START);
    }
    s.end();
    s.local_get(addr).global_set(BRK).local_get(addr).end();
    f
}

/// `ecall(a0, …, a5, a7)`: the system call or host function numbered `a7`, for `ecall`s
/// whose number the lifter could not know; an unknown number traps.
pub fn ecall(cx: &Cx<'_>) -> Function {
    let a7 = 6;
    let mut f = Function::new([]);
    let linux = [(63, cx.funcs.read, 3), (64, cx.funcs.write, 3), (214, cx.funcs.brk, 1)];
    for (n, func, args) in linux {
        let s = &mut f.instructions();
        s.local_get(a7).i64_const(n).i64_eq().if_(BlockType::Empty);
        for k in 0..args {
            s.local_get(k);
        }
        s.call(func).return_().end();
    }
    f.instructions().local_get(a7).i64_const(93).i64_eq().if_(BlockType::Empty);
    f.instructions().local_get(0).call(cx.funcs.exit).unreachable().end();
    for &h in cx.imports.all() {
        let s = &mut f.instructions();
        s.local_get(a7).i64_const(i64::from(h.number())).i64_eq().if_(BlockType::Empty);
        push_args(s, h, |k| (k < 6).then_some(k as u32), cx.layout.delta32());
        s.call(cx.import(h));
        if h.terminates() {
            s.unreachable();
        } else {
            if !widen_result(s, h) {
                s.local_get(0);
            }
            s.return_();
        }
        s.end();
    }
    f.instructions().unreachable().end();
    f
}

/// Memory access immediates: alignment 1 (RV64 allows misaligned accesses), `offset`.
pub fn memarg(offset: u64) -> MemArg {
    MemArg { offset, align: 0, target: MemArgTarget::Memory(0), ordering: None }
}
