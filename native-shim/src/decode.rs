//! The RV64IM decoder of the shim: rv-machine's instruction table (the one decoder of the
//! project), with a rejection that says what an undecodable word is and where.

use alloc::format;

use rv_machine::isa::Inst;

use crate::error::{Rule, ShimError};

/// What kind of encoding a word outside RV64IM is.
pub fn classify(word: u32) -> &'static str {
    if word == 0 {
        return "the all-zero word (an illegal instruction)";
    }
    if word & 3 != 3 {
        return "a compressed instruction (C extension)";
    }
    match word & 0x7F {
        0x07 | 0x27 | 0x43 | 0x47 | 0x4B | 0x4F | 0x53 => "a floating-point instruction (F/D extension)",
        0x2F => "an atomic instruction (A extension)",
        0x73 => "a CSR or privileged instruction",
        0x0F => "a fence.i or unknown fence (Zifencei)",
        0x57 => "a vector instruction (V extension)",
        _ => "an unknown encoding",
    }
}

/// `unimp` (`csrrw x0, cycle, x0`): the canonical illegal instruction, which LLVM emits for
/// `llvm.trap` (Rust's and clang's traps after a call that cannot return, aborts).
pub const UNIMP: u32 = 0xC000_1073;
/// `ebreak`, which the lifted code runs as a trap.
const EBREAK: u32 = 0x0010_0073;

/// Decodes the word at `addr`, or names why it is not an RV64IM instruction. [`UNIMP`] is
/// taken as `ebreak`: both only trap.
pub fn decode_at(word: u32, addr: u64) -> Result<Inst, ShimError> {
    let word = if word == UNIMP { EBREAK } else { word };
    rv_machine::isa::decode(word).ok_or_else(|| {
        let m = format!("word {word:#010x} is {}, not RV64IM", classify(word));
        ShimError::at_address(Rule::Instruction, addr, m)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn rejections_say_what_the_word_is() {
        // c.addi a0, 1 (compressed), fadd.s, amoadd.w, csrr a0, cycle
        for (word, what) in [
            (0x0505_0505, "compressed"),
            (0x00B5_7553, "floating-point"),
            (0x00B5_202F, "atomic"),
            (0xC000_2573, "CSR"),
            (0, "all-zero"),
        ] {
            let e = decode_at(word, 0x1_0100).unwrap_err();
            assert_eq!(e.rule(), Rule::Instruction);
            assert!(e.to_string().contains(what), "{e}");
            assert!(e.to_string().ends_with("at address 0x10100"), "{e}");
        }
        assert!(decode_at(0x0015_0513, 0).is_ok()); // addi a0, a0, 1
                                                    // unimp traps as ebreak does; other CSR accesses of the cycle counter are rejected.
        assert_eq!(decode_at(UNIMP, 0).unwrap(), decode_at(EBREAK, 0).unwrap());
        assert!(decode_at(0xC000_2073, 0).is_err()); // csrrs x0, cycle, x0
    }
}
