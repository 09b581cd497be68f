//! Word conversion, memory expansion, and host-call sequences.

use super::f::{m64, Fb};
use crate::codegen::asm::bswap64;
use crate::codegen::ctx::{Ctx, G_MSIZE};
use crate::codegen::helpers::Helper;
use crate::codegen::layout::{MAX_EVM_MEMORY, MEM_BASE, OUT};
use host_abi::functions::HostFn;
use wasm_encoder::{BlockType, Function, ValType};

/// `store_be(addr, l0, l1, l2, l3)`: writes the value as a big-endian word at `addr`.
pub fn store_be(_: &Ctx) -> Function {
    let mut f = Fb::new(5);
    let t = f.local(ValType::I64);
    for k in 0..4u32 {
        f.i().local_get(0).local_get(1 + k);
        bswap64(&mut f.i(), t, crate::codegen::asm::Masks::Const);
        f.i().i64_store(m64(24 - 8 * k));
    }
    f.finish()
}

/// `expand(end)`: grows EVM memory to cover `[0, end)` (`end` > msize), charging
/// 3·w + w²/512 for the new size minus the old, and growing the linear memory.
pub fn expand(_: &Ctx) -> Function {
    let mut f = Fb::new(1);
    let [w, ow] = f.i64s::<2>();
    let [pages] = f.i32s::<1>();
    f.i().local_get(0).i64_const(MAX_EVM_MEMORY as i64).i64_gt_u().if_(BlockType::Empty).unreachable().end();
    f.i().local_get(0).i64_const(31).i64_add().i64_const(5).i64_shr_u().local_set(w);
    f.i().global_get(G_MSIZE).i64_const(5).i64_shr_u().local_set(ow);
    f.charge(|f| {
        f.i().local_get(w).local_get(ow).i64_sub().i64_const(3).i64_mul();
        f.i().local_get(w).local_get(w).i64_mul().i64_const(9).i64_shr_u().i64_add();
        f.i().local_get(ow).local_get(ow).i64_mul().i64_const(9).i64_shr_u().i64_sub();
    });
    f.i().local_get(w).i64_const(5).i64_shl().global_set(G_MSIZE);
    f.i().global_get(G_MSIZE).i64_const(i64::from(MEM_BASE) + 0xffff).i64_add();
    f.i().i64_const(16).i64_shr_u().i32_wrap_i64().memory_size(0).i32_sub().local_tee(pages);
    f.i().i32_const(0).i32_gt_s().if_(BlockType::Empty);
    f.i().local_get(pages).memory_grow(0).i32_const(-1).i32_eq().if_(BlockType::Empty).unreachable().end();
    f.i().end();
    f.finish()
}

/// `mem_range(o0..o3, s0..s3) -> offset`: checks an EVM memory range whose size is only
/// known at run time and expands memory over it. Size 0 returns 0 and touches nothing; an
/// offset or size that does not fit 32 bits is out of gas.
pub fn mem_range(ctx: &Ctx) -> Function {
    let mut f = Fb::new(8);
    f.i().local_get(4).local_get(5).i64_or().local_get(6).i64_or().local_get(7).i64_or().i64_eqz();
    f.i().if_(BlockType::Empty).i32_const(0).return_().end();
    f.i().local_get(4).local_get(0).i64_or().i64_const(32).i64_shr_u();
    for p in [1, 2, 3, 5, 6, 7] {
        f.i().local_get(p).i64_or();
    }
    f.i().i64_eqz().i32_eqz().if_(BlockType::Empty).unreachable().end();
    f.i().local_get(0).local_get(4).i64_add().global_get(G_MSIZE).i64_gt_u().if_(BlockType::Empty);
    f.i().local_get(0).local_get(4).i64_add().call(ctx.helper(Helper::Expand));
    f.i().end();
    f.i().local_get(0).i32_wrap_i64();
    f.finish()
}

/// `calldataload(o0..o3)`: writes the 32 bytes of calldata at the offset to OUT, zero past
/// the end. CALLDATALOAD costs 3 (charged by the block); `calldata_copy` of 32 bytes charges
/// 6, which is credited first.
pub fn calldataload(ctx: &Ctx) -> Function {
    let mut f = Fb::new(4);
    f.i().local_get(1).local_get(2).i64_or().local_get(3).i64_or().i64_const(0).i64_ne();
    f.i().local_get(0).i64_const(i64::from(u32::MAX - 32)).i64_gt_u().i32_or();
    f.i().if_(BlockType::Empty);
    for k in 0..4 {
        f.i().i32_const(0).i64_const(0).i64_store(m64(OUT + 8 * k));
    }
    f.i().return_().end();
    f.credit(6);
    f.i().i32_const(OUT as i32).local_get(0).i32_wrap_i64().i32_const(32);
    f.i().call(ctx.host(HostFn::CalldataCopy));
    f.finish()
}

/// `return_copy(out, out_len)`: after a call, copies `min(out_len, returndata_size)` bytes of
/// return data to EVM memory at `out` (already expanded). The host's charges for the two
/// calls are credited first: the copy is part of the CALL, which costs nothing for it.
pub fn return_copy(ctx: &Ctx) -> Function {
    let mut f = Fb::new(2);
    let n = f.local(ValType::I32);
    f.i().local_get(1).i32_eqz().if_(BlockType::Empty).return_().end();
    f.credit(2);
    f.i().call(ctx.host(HostFn::ReturndataSize)).local_tee(n);
    f.i().local_get(1).local_get(n).local_get(1).i32_lt_u().select().local_tee(n);
    f.i().i32_eqz().if_(BlockType::Empty).return_().end();
    f.i().global_get(crate::codegen::ctx::G_GAS);
    f.i().local_get(n).i64_extend_i32_u().i64_const(31).i64_add().i64_const(5).i64_shr_u();
    f.i().i64_const(3).i64_mul().i64_const(3).i64_add().i64_add().global_set(crate::codegen::ctx::G_GAS);
    f.i().local_get(0).i32_const(MEM_BASE as i32).i32_add().i32_const(0).local_get(n);
    f.i().call(ctx.host(HostFn::ReturndataCopy));
    f.finish()
}
