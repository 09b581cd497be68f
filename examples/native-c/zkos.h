/* zkos host ABI for native RV64IM contracts in C (docs/host-abi.md, docs/native.md).
 *
 * Every call is an `ecall` with the number in a7, arguments in a0..a5 and the result in
 * a0. Linux system calls: read(0, ...) reads the calldata, write(1, ...) appends to the
 * return data, write(2, ...) is debug output, exit(0) returns, exit(n != 0) reverts with
 * what was written. Every other host function by its number, pointers being addresses in
 * the program's memory. Build with
 *   riscv64-unknown-elf-gcc -march=rv64im -mabi=lp64 -O2 -nostdlib -static
 */
#ifndef ZKOS_H
#define ZKOS_H

/* Fixed-width types from the compiler (no C library needed: -nostdlib, no headers). */
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __INT64_TYPE__ int64_t;

#define ZK_READ 63
#define ZK_WRITE 64
#define ZK_EXIT 93
#define ZK_BRK 214
#define ZK_KECCAK256 1000
#define ZK_RETURNDATA_SIZE 10004
#define ZK_RETURNDATA_COPY 10005
#define ZK_STORAGE_LOAD 10010
#define ZK_STORAGE_STORE 10011
#define ZK_EMIT_LOG 10030
#define ZK_CALL 10040
#define ZK_STATIC_CALL 10043
#define ZK_CALLER 10061
#define ZK_CALL_VALUE 10063
#define ZK_SELF_BALANCE 10065
#define ZK_GAS_LEFT 10066

static inline long zk_ecall(long n, long a0, long a1, long a2, long a3, long a4, long a5) {
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    register long r4 __asm__("a4") = a4;
    register long r5 __asm__("a5") = a5;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7) : "memory");
    return r0;
}

static inline long zk_read(void *buf, long len) { return zk_ecall(ZK_READ, 0, (long)buf, len, 0, 0, 0); }
static inline long zk_write(const void *buf, long len) { return zk_ecall(ZK_WRITE, 1, (long)buf, len, 0, 0, 0); }
static inline long zk_debug(const void *buf, long len) { return zk_ecall(ZK_WRITE, 2, (long)buf, len, 0, 0, 0); }
static inline long zk_brk(void *addr) { return zk_ecall(ZK_BRK, (long)addr, 0, 0, 0, 0, 0); }
__attribute__((noreturn)) static inline void zk_exit(long code) {
    zk_ecall(ZK_EXIT, code, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}
static inline void zk_keccak256(const void *p, long len, void *out) {
    zk_ecall(ZK_KECCAK256, (long)p, len, (long)out, 0, 0, 0);
}
static inline void zk_storage_load(const void *key, void *out) {
    zk_ecall(ZK_STORAGE_LOAD, (long)key, (long)out, 0, 0, 0, 0);
}
static inline void zk_storage_store(const void *key, const void *value) {
    zk_ecall(ZK_STORAGE_STORE, (long)key, (long)value, 0, 0, 0, 0);
}
static inline void zk_emit_log(const void *topics, long count, const void *data, long len) {
    zk_ecall(ZK_EMIT_LOG, (long)topics, count, (long)data, len, 0, 0);
}
/* Returns the CallStatus: 0 success, 1 revert, 2 failure. */
static inline long zk_call(long gas, const void *addr, const void *value, const void *in, long len) {
    return zk_ecall(ZK_CALL, gas, (long)addr, (long)value, (long)in, len, 0);
}
static inline long zk_static_call(long gas, const void *addr, const void *in, long len) {
    return zk_ecall(ZK_STATIC_CALL, gas, (long)addr, (long)in, len, 0, 0);
}
static inline long zk_returndata_size(void) { return zk_ecall(ZK_RETURNDATA_SIZE, 0, 0, 0, 0, 0, 0); }
static inline void zk_returndata_copy(void *dest, long offset, long len) {
    zk_ecall(ZK_RETURNDATA_COPY, (long)dest, offset, len, 0, 0, 0);
}
static inline void zk_caller(void *out20) { zk_ecall(ZK_CALLER, (long)out20, 0, 0, 0, 0, 0); }
static inline void zk_call_value(void *out32) { zk_ecall(ZK_CALL_VALUE, (long)out32, 0, 0, 0, 0, 0); }
static inline void zk_self_balance(void *out32) { zk_ecall(ZK_SELF_BALANCE, (long)out32, 0, 0, 0, 0, 0); }
static inline long zk_gas_left(void) { return zk_ecall(ZK_GAS_LEFT, 0, 0, 0, 0, 0, 0); }

#endif
