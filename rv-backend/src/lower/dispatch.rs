//! The operator dispatch: every operator of the supported subset to its lowering.

use alloc::format;
use alloc::vec::Vec;

use wasmparser::Operator;

use super::bits::Unary;
use super::compact::{self, block_type_of, Op};
use super::memory::{Load, Store};
use super::ops::{Alu, DivOp, Rel, Wide, W};
use super::{Entry, FuncCompiler};
use crate::abi::Helper;
use crate::error::CompileError;

impl FuncCompiler<'_, '_> {
    pub(super) fn lower_op(&mut self, op: &Operator<'_>) -> Result<(), CompileError> {
        use Operator as O;
        use W::{W32, W64};
        let vm = self.m.vmctx();
        match *op {
            O::Unreachable => self.unreachable(),
            O::Nop => {}
            O::Block { blockty } => self.block(blockty)?,
            O::Loop { blockty } => self.loop_(blockty)?,
            O::If { blockty } => self.if_(blockty)?,
            O::Else => self.else_()?,
            O::End => self.end()?,
            O::Br { relative_depth } => self.br(relative_depth)?,
            O::BrIf { relative_depth } => self.br_if(relative_depth)?,
            O::BrTable { ref targets } => {
                let depths = targets.targets().collect::<Result<Vec<u32>, _>>();
                let depths = depths.map_err(|e| CompileError::from_parser(&e))?;
                self.br_table(&depths, targets.default())?
            }
            O::Return => self.return_()?,
            O::Call { function_index } => self.call(function_index)?,
            O::CallIndirect { type_index, table_index } => {
                if table_index != 0 {
                    return self.unsupported("several tables");
                }
                self.call_indirect(type_index)?;
            }
            O::Drop => {
                self.pop()?;
            }
            O::Select | O::TypedSelect { .. } => self.select()?,
            O::LocalGet { local_index } => self.local_get(local_index),
            O::LocalSet { local_index } => self.local_set(local_index, false)?,
            O::LocalTee { local_index } => self.local_set(local_index, true)?,
            O::GlobalGet { global_index } => {
                if Some(global_index) != self.m.gas_global || !self.gas_pattern(global_index) {
                    self.global_get(global_index);
                }
            }
            O::GlobalSet { global_index } => self.global_set(global_index)?,

            O::I32Load { memarg } => self.load(memarg.offset, Load::I32)?,
            O::I64Load { memarg } => self.load(memarg.offset, Load::I64)?,
            O::I32Load8S { memarg } | O::I64Load8S { memarg } => self.load(memarg.offset, Load::I8)?,
            O::I32Load8U { memarg } | O::I64Load8U { memarg } => self.load(memarg.offset, Load::U8)?,
            O::I32Load16S { memarg } | O::I64Load16S { memarg } => self.load(memarg.offset, Load::I16)?,
            O::I32Load16U { memarg } | O::I64Load16U { memarg } => self.load(memarg.offset, Load::U16)?,
            O::I64Load32S { memarg } => self.load(memarg.offset, Load::I32)?,
            O::I64Load32U { memarg } => self.load(memarg.offset, Load::U32)?,
            O::I32Store { memarg } | O::I64Store32 { memarg } => self.store(memarg.offset, Store::B4)?,
            O::I64Store { memarg } => self.store(memarg.offset, Store::B8)?,
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store(memarg.offset, Store::B1)?,
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => self.store(memarg.offset, Store::B2)?,
            O::MemorySize { .. } => self.memory_size(),
            O::MemoryGrow { .. } => self.memory_grow()?,

            O::I32Const { value } => self.push(Entry::Const(i64::from(value))),
            O::I64Const { value } => self.push(Entry::Const(value)),

            O::I32Eqz | O::I64Eqz | O::RefIsNull => self.eqz()?,
            O::I32Eq | O::I64Eq => self.compare(Rel::Eq)?,
            O::I32Ne | O::I64Ne => self.compare(Rel::Ne)?,
            O::I32LtS | O::I64LtS => self.compare(Rel::LtS)?,
            O::I32LtU | O::I64LtU => self.compare(Rel::LtU)?,
            O::I32GtS | O::I64GtS => self.compare(Rel::GtS)?,
            O::I32GtU | O::I64GtU => self.compare(Rel::GtU)?,
            O::I32LeS | O::I64LeS => self.compare(Rel::LeS)?,
            O::I32LeU | O::I64LeU => self.compare(Rel::LeU)?,
            O::I32GeS | O::I64GeS => self.compare(Rel::GeS)?,
            O::I32GeU | O::I64GeU => self.compare(Rel::GeU)?,

            O::I32Clz => self.unary(Unary::Clz, W32)?,
            O::I64Clz => self.unary(Unary::Clz, W64)?,
            O::I32Ctz => self.unary(Unary::Ctz, W32)?,
            O::I64Ctz => self.unary(Unary::Ctz, W64)?,
            O::I32Popcnt => self.unary(Unary::Popcnt, W32)?,
            O::I64Popcnt => self.unary(Unary::Popcnt, W64)?,

            O::I32Add => self.alu(Alu::Add, W32)?,
            O::I64Add => self.alu(Alu::Add, W64)?,
            O::I32Sub => self.alu(Alu::Sub, W32)?,
            O::I64Sub => self.alu(Alu::Sub, W64)?,
            O::I32Mul => self.alu(Alu::Mul, W32)?,
            O::I64Mul => self.alu(Alu::Mul, W64)?,
            O::I32And | O::I64And => self.alu(Alu::And, W64)?,
            O::I32Or | O::I64Or => self.alu(Alu::Or, W64)?,
            O::I32Xor | O::I64Xor => self.alu(Alu::Xor, W64)?,
            O::I32Shl => self.alu(Alu::Shl, W32)?,
            O::I64Shl => self.alu(Alu::Shl, W64)?,
            O::I32ShrS => self.alu(Alu::ShrS, W32)?,
            O::I64ShrS => self.alu(Alu::ShrS, W64)?,
            O::I32ShrU => self.alu(Alu::ShrU, W32)?,
            O::I64ShrU => self.alu(Alu::ShrU, W64)?,
            O::I32Rotl => self.rotate(true, W32)?,
            O::I64Rotl => self.rotate(true, W64)?,
            O::I32Rotr => self.rotate(false, W32)?,
            O::I64Rotr => self.rotate(false, W64)?,
            O::I32DivS => self.divrem(DivOp::DivS, W32)?,
            O::I64DivS => self.divrem(DivOp::DivS, W64)?,
            O::I32DivU => self.divrem(DivOp::DivU, W32)?,
            O::I64DivU => self.divrem(DivOp::DivU, W64)?,
            O::I32RemS => self.divrem(DivOp::RemS, W32)?,
            O::I64RemS => self.divrem(DivOp::RemS, W64)?,
            O::I32RemU => self.divrem(DivOp::RemU, W32)?,
            O::I64RemU => self.divrem(DivOp::RemU, W64)?,

            O::I64Add128 => self.wide(Wide::Add128)?,
            O::I64Sub128 => self.wide(Wide::Sub128)?,
            O::I64MulWideS => self.wide(Wide::MulS)?,
            O::I64MulWideU => self.wide(Wide::MulU)?,

            O::I32WrapI64 | O::I64Extend32S => self.unary(Unary::SignExtend32, W64)?,
            O::I64ExtendI32S => {}
            O::I64ExtendI32U => self.unary(Unary::ZeroExtend32, W64)?,
            O::I32Extend8S | O::I64Extend8S => self.unary(Unary::SignExtend8, W64)?,
            O::I32Extend16S | O::I64Extend16S => self.unary(Unary::SignExtend16, W64)?,

            O::MemoryInit { data_index, .. } => {
                self.bulk(Helper::MemoryInit, 3, 0, Some(vm.data_record(data_index)))?
            }
            O::DataDrop { data_index } => self.drop_segment(vm.data_record(data_index)),
            O::MemoryCopy { .. } => self.bulk(Helper::MemoryCopy, 3, 0, None)?,
            O::MemoryFill { .. } => self.bulk(Helper::MemoryFill, 3, 0, None)?,
            O::TableInit { elem_index, table } => {
                self.one_table(table)?;
                self.bulk(Helper::TableInit, 3, 0, Some(vm.elem_record(elem_index)))?
            }
            O::ElemDrop { elem_index } => self.drop_segment(vm.elem_record(elem_index)),
            O::TableCopy { dst_table, src_table } => {
                self.one_table(dst_table)?;
                self.one_table(src_table)?;
                self.bulk(Helper::TableCopy, 3, 0, None)?
            }
            O::TableFill { table } => {
                self.one_table(table)?;
                self.bulk(Helper::TableFill, 3, 0, None)?
            }
            O::TableGrow { table } => {
                self.one_table(table)?;
                self.bulk(Helper::TableGrow, 2, 1, None)?
            }
            O::TableGet { table } => {
                self.one_table(table)?;
                self.table_get()
            }
            O::TableSet { table } => {
                self.one_table(table)?;
                self.table_set()
            }
            O::TableSize { table } => {
                self.one_table(table)?;
                self.table_size()
            }
            O::RefNull { .. } => self.push(Entry::Const(0)),

            // Floats as bit patterns (Options::float_bits); other float operators trap below.
            O::F32Const { value } if self.m.float_bits => self.push(Entry::Const(i64::from(value.bits() as i32))),
            O::F64Const { value } if self.m.float_bits => self.push(Entry::Const(value.bits() as i64)),
            O::F32Load { memarg } if self.m.float_bits => self.load(memarg.offset, Load::I32)?,
            O::F64Load { memarg } if self.m.float_bits => self.load(memarg.offset, Load::I64)?,
            O::F32Store { memarg } if self.m.float_bits => self.store(memarg.offset, Store::B4)?,
            O::F64Store { memarg } if self.m.float_bits => self.store(memarg.offset, Store::B8)?,
            O::I32ReinterpretF32 | O::F32ReinterpretI32 | O::I64ReinterpretF64 | O::F64ReinterpretI64
                if self.m.float_bits => {}
            O::RefFunc { function_index } => self.ref_func(function_index),

            _ => {
                let name = format!("{op:?}");
                let name = name.split([' ', '{', '(']).next().unwrap_or("?");
                if self.m.float_bits && (name.contains("F32") || name.contains("F64")) {
                    let l = self.trap_label(crate::abi::TrapCode::FloatUnsupported);
                    self.asm.jump(l);
                    self.reachable = false;
                    return Ok(());
                }
                return self.unsupported(&format!("operator {name}"));
            }
        }
        Ok(())
    }

    /// [`Self::lower_op`] for the fast path's operators (the subset [`compact::decode`]
    /// reads), lowered the same way.
    pub(super) fn lower_compact(&mut self, op: Op) -> Result<(), CompileError> {
        use W::{W32, W64};
        match op.code {
            0x20 => self.local_get(op.index()),
            0x21 => self.local_set(op.index(), false)?,
            0x22 => self.local_set(op.index(), true)?,
            0x41 | 0x42 => self.push(Entry::Const(op.imm)),
            0x00 => self.unreachable(),
            0x01 => {}
            0x02 => self.block(block_type_of(op.imm))?,
            0x03 => self.loop_(block_type_of(op.imm))?,
            0x04 => self.if_(block_type_of(op.imm))?,
            0x05 => self.else_()?,
            0x0b => self.end()?,
            0x0c => self.br(op.index())?,
            0x0d => self.br_if(op.index())?,
            0x0e => {
                let mut depths = Vec::new();
                match self.ops.br_table_of(op, &mut depths) {
                    Some(default) => self.br_table(&depths, default)?,
                    None => return self.internal("br_table read differently the second time"),
                }
            }
            0x0f => self.return_()?,
            0x10 => self.call(op.index())?,
            0x11 => self.call_indirect(op.index())?,
            0x1a => {
                self.pop()?;
            }
            0x1b => self.select()?,
            0x23 => {
                let g = op.index();
                if Some(g) != self.m.gas_global || !self.gas_pattern(g) {
                    self.global_get(g);
                }
            }
            0x24 => self.global_set(op.index())?,
            0x28 | 0x34 => self.load(op.imm as u64, Load::I32)?,
            0x29 => self.load(op.imm as u64, Load::I64)?,
            0x2c | 0x30 => self.load(op.imm as u64, Load::I8)?,
            0x2d | 0x31 => self.load(op.imm as u64, Load::U8)?,
            0x2e | 0x32 => self.load(op.imm as u64, Load::I16)?,
            0x2f | 0x33 => self.load(op.imm as u64, Load::U16)?,
            0x35 => self.load(op.imm as u64, Load::U32)?,
            0x36 | 0x3e => self.store(op.imm as u64, Store::B4)?,
            0x37 => self.store(op.imm as u64, Store::B8)?,
            0x3a | 0x3c => self.store(op.imm as u64, Store::B1)?,
            0x3b | 0x3d => self.store(op.imm as u64, Store::B2)?,
            0x3f => self.memory_size(),
            0x40 => self.memory_grow()?,
            0x45 | 0x50 => self.eqz()?,
            0x46 | 0x51 => self.compare(Rel::Eq)?,
            0x47 | 0x52 => self.compare(Rel::Ne)?,
            0x48 | 0x53 => self.compare(Rel::LtS)?,
            0x49 | 0x54 => self.compare(Rel::LtU)?,
            0x4a | 0x55 => self.compare(Rel::GtS)?,
            0x4b | 0x56 => self.compare(Rel::GtU)?,
            0x4c | 0x57 => self.compare(Rel::LeS)?,
            0x4d | 0x58 => self.compare(Rel::LeU)?,
            0x4e | 0x59 => self.compare(Rel::GeS)?,
            0x4f | 0x5a => self.compare(Rel::GeU)?,
            0x67 => self.unary(Unary::Clz, W32)?,
            0x79 => self.unary(Unary::Clz, W64)?,
            0x68 => self.unary(Unary::Ctz, W32)?,
            0x7a => self.unary(Unary::Ctz, W64)?,
            0x69 => self.unary(Unary::Popcnt, W32)?,
            0x7b => self.unary(Unary::Popcnt, W64)?,
            0x6a => self.alu(Alu::Add, W32)?,
            0x7c => self.alu(Alu::Add, W64)?,
            0x6b => self.alu(Alu::Sub, W32)?,
            0x7d => self.alu(Alu::Sub, W64)?,
            0x6c => self.alu(Alu::Mul, W32)?,
            0x7e => self.alu(Alu::Mul, W64)?,
            0x71 | 0x83 => self.alu(Alu::And, W64)?,
            0x72 | 0x84 => self.alu(Alu::Or, W64)?,
            0x73 | 0x85 => self.alu(Alu::Xor, W64)?,
            0x74 => self.alu(Alu::Shl, W32)?,
            0x86 => self.alu(Alu::Shl, W64)?,
            0x75 => self.alu(Alu::ShrS, W32)?,
            0x87 => self.alu(Alu::ShrS, W64)?,
            0x76 => self.alu(Alu::ShrU, W32)?,
            0x88 => self.alu(Alu::ShrU, W64)?,
            0x77 => self.rotate(true, W32)?,
            0x89 => self.rotate(true, W64)?,
            0x78 => self.rotate(false, W32)?,
            0x8a => self.rotate(false, W64)?,
            0x6d => self.divrem(DivOp::DivS, W32)?,
            0x7f => self.divrem(DivOp::DivS, W64)?,
            0x6e => self.divrem(DivOp::DivU, W32)?,
            0x80 => self.divrem(DivOp::DivU, W64)?,
            0x6f => self.divrem(DivOp::RemS, W32)?,
            0x81 => self.divrem(DivOp::RemS, W64)?,
            0x70 => self.divrem(DivOp::RemU, W32)?,
            0x82 => self.divrem(DivOp::RemU, W64)?,
            0xa7 | 0xc4 => self.unary(Unary::SignExtend32, W64)?,
            0xac => {}
            0xad => self.unary(Unary::ZeroExtend32, W64)?,
            0xc0 | 0xc2 => self.unary(Unary::SignExtend8, W64)?,
            0xc1 | 0xc3 => self.unary(Unary::SignExtend16, W64)?,
            compact::MEMORY_COPY => self.bulk(Helper::MemoryCopy, 3, 0, None)?,
            compact::MEMORY_FILL => self.bulk(Helper::MemoryFill, 3, 0, None)?,
            compact::I64_ADD128 => self.wide(Wide::Add128)?,
            compact::I64_SUB128 => self.wide(Wide::Sub128)?,
            compact::I64_MUL_WIDE_S => self.wide(Wide::MulS)?,
            compact::I64_MUL_WIDE_U => self.wide(Wide::MulU)?,
            code => return self.internal(&format!("fast-path operator {code:#x}")),
        }
        Ok(())
    }

    fn one_table(&self, t: u32) -> Result<(), CompileError> {
        if t == 0 {
            Ok(())
        } else {
            self.unsupported("several tables")
        }
    }
}
