/* alu: every RV64IM computational instruction, for the lifter's differential test
 * (tests/tests/native.rs runs this ELF directly on rv-machine and lifted on both engines and
 * compares the outputs).
 *
 * Calldata: pairs of 64-bit little-endian words (a, b). Output, per pair, the 64-bit results
 * of each instruction below on (a, b) in order, little-endian. Each instruction is written
 * in inline assembly so that the exact encoding is tested, edge cases included (division by
 * zero, INT_MIN / -1, shift amounts past the width, sign extension of word forms and loads).
 */
#include "zkos.h"

static uint64_t in[512];
static uint64_t out[64];
static uint8_t scratch[16];

#define R(op) \
    do { uint64_t r; __asm__ volatile(op " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); out[n++] = r; } while (0)
#define I(op, imm) \
    do { uint64_t r; __asm__ volatile(op " %0, %1, " #imm : "=r"(r) : "r"(a)); out[n++] = r; } while (0)
#define L(op, off) \
    do { uint64_t r; __asm__ volatile(op " %0, " #off "(%1)" : "=r"(r) : "r"(scratch)); out[n++] = r; } while (0)

__attribute__((noinline)) static int one(uint64_t a, uint64_t b) {
    int n = 0;
    R("add"); R("sub"); R("sll"); R("slt"); R("sltu"); R("xor"); R("srl"); R("sra"); R("or"); R("and");
    R("mul"); R("mulh"); R("mulhsu"); R("mulhu"); R("div"); R("divu"); R("rem"); R("remu");
    R("addw"); R("subw"); R("sllw"); R("srlw"); R("sraw");
    R("mulw"); R("divw"); R("divuw"); R("remw"); R("remuw");
    I("addi", -2048); I("slti", -1); I("sltiu", -1); I("xori", -1); I("ori", 0x555); I("andi", 0x7f0);
    I("slli", 63); I("srli", 33); I("srai", 1);
    I("addiw", 2047); I("slliw", 31); I("srliw", 7); I("sraiw", 31);
    /* Loads of every width and sign at every offset of a stored pair. */
    __asm__ volatile("sd %0, 0(%2)\n sd %1, 8(%2)" : : "r"(a), "r"(b), "r"(scratch) : "memory");
    L("lb", 7); L("lbu", 7); L("lh", 6); L("lhu", 6); L("lw", 4); L("lwu", 4); L("ld", 0);
    L("lh", 7); L("lw", 5); L("ld", 3);
    /* Negative offsets from a pointer past the pair. */
    { uint64_t r; __asm__ volatile("ld %0, -8(%1)" : "=r"(r) : "r"(scratch + 16)); out[n++] = r; }
    { uint64_t r; __asm__ volatile("lw %0, -13(%1)" : "=r"(r) : "r"(scratch + 16)); out[n++] = r; }
    __asm__ volatile("sb %1, 1(%0)\n sh %1, 9(%0)\n sw %1, 11(%0)" : : "r"(scratch), "r"(b) : "memory");
    L("ld", 0); L("ld", 8);
    /* Branches, taken or not. */
    out[n++] = (a == b) | (a != b) << 1 | ((int64_t)a < (int64_t)b) << 2 | ((int64_t)a >= (int64_t)b) << 3 |
               (a < b) << 4 | (a >= b) << 5;
    return n;
}

void _start(void) {
    long len = zk_read(in, sizeof in);
    for (long i = 0; i + 16 <= len; i += 16) {
        int n = one(in[i / 8], in[i / 8 + 1]);
        zk_write(out, 8 * n);
    }
    zk_exit(0);
}
