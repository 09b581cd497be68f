/* counter: a storage counter as a native RV64IM contract in C (zkos example).
 *
 * Storage: slot 0 holds the count as a uint256 word.
 * Constructor (`deploy`): calldata abi.encode(uint256 initial) sets the count; empty sets 0;
 * any other length reverts.
 *
 * | signature                      | selector   | effect / output                                  |
 * |--------------------------------|------------|--------------------------------------------------|
 * | increment()                    | 0xd09de08a | count += 1, log Incremented(caller, count); none |
 * | get()                          | 0x6d4ce63c | abi.encode(count)                                |
 * | sum(uint256 n)                 | 0x188b85b4 | 1 + 2 + ... + n (a loop), as uint256             |
 * | pick(uint256 k)                | 0x7701ea4a | a switch over k applied to 1000 + k (jump table) |
 * | apply(uint256 k, uint256 x)    | 0x30ac324b | ops[k % 4](x) through function pointers          |
 * | heap(uint256 n)                | 0x1c01f292 | fills n bytes got from brk, returns their sum    |
 * | fail()                         | 0xa9cc4718 | reverts with the bytes "native says no"          |
 * | forward(address t, bytes d)    | 0x6fadcf72 | call(t, d): its return data, or its revert data  |
 * | staticForward(address t, bytes)| 0x5febf445 | the same through static_call                     |
 *
 * Anything else, or a call with value, reverts with empty data.
 */
#include "zkos.h"

typedef struct { uint8_t b[32]; } word;

static uint8_t input[2048];
static long input_len;
static const word SLOT0;

void *memset(void *d, int c, unsigned long n) {
    volatile uint8_t *p = d;
    while (n--) *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n) {
    volatile uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}

__attribute__((noreturn)) static void revert_empty(void) { zk_exit(1); }

__attribute__((noreturn)) static void return_word(const word *w) {
    zk_write(w, 32);
    zk_exit(0);
}

static uint64_t arg_u64(int index) {
    const uint8_t *p = input + 4 + 32 * index;
    if (input_len < 4 + 32 * (index + 1)) revert_empty();
    for (int i = 0; i < 24; i++)
        if (p[i]) revert_empty();
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = (v << 8) | p[i];
    return v;
}

static void word_from_u64(word *w, uint64_t v) {
    memset(w, 0, 32);
    for (int i = 31; i >= 24; i--, v >>= 8) w->b[i] = (uint8_t)v;
}

/* w += 1 over 256 bits; returns the carry out. */
static int word_inc(word *w) {
    for (int i = 31; i >= 0; i--)
        if (++w->b[i] != 0) return 0;
    return 1;
}

static void increment(void) {
    word count;
    zk_storage_load(&SLOT0, &count);
    if (word_inc(&count)) revert_empty();
    zk_storage_store(&SLOT0, &count);
    static const uint8_t topic0[32] = {0x38, 0xac, 0x78, 0x9e, 0xd4, 0x45, 0x72, 0x70, 0x17, 0x65, 0x27,
                                       0x7c, 0x4d, 0x09, 0x70, 0xf2, 0xdb, 0x1c, 0x1a, 0x57, 0x1e, 0xd3,
                                       0x9e, 0x84, 0x35, 0x80, 0x95, 0xae, 0x4e, 0xaa, 0x54, 0x20};
    word topics[2];
    memcpy(&topics[0], topic0, 32);
    memset(&topics[1], 0, 32);
    zk_caller(&topics[1].b[12]);
    zk_emit_log(topics, 2, &count, 32);
    zk_exit(0);
}

/* A switch gcc lowers to a jump table (an indirect jump through .rodata). */
__attribute__((noinline)) static uint64_t pick(uint64_t k, uint64_t x) {
    switch (k) {
    case 0: return x + 11;
    case 1: return x * 23;
    case 2: return x ^ 0x5555;
    case 3: return x << 4;
    case 4: return x - 59;
    case 5: return x / 61;
    case 6: return x | 0x79;
    case 7: return ~x;
    default: return 0;
    }
}

static uint64_t op_double(uint64_t x) { return 2 * x; }
static uint64_t op_square(uint64_t x) { return x * x; }
static uint64_t op_div7(uint64_t x) { return x / 7; }
static uint64_t op_neg(uint64_t x) { return -x; }
static uint64_t (*const OPS[4])(uint64_t) = {op_double, op_square, op_div7, op_neg};

static void forward(int is_static) {
    /* selector, address word, offset word (64), length word, bytes */
    uint64_t len = arg_u64(2);
    if (arg_u64(1) != 64 || input_len < 4 + 96 + (long)len) revert_empty();
    const uint8_t *target = input + 4 + 12;
    long gas = zk_gas_left();
    word zero;
    memset(&zero, 0, 32);
    long status = is_static ? zk_static_call(gas, target, input + 4 + 96, len)
                            : zk_call(gas, target, &zero, input + 4 + 96, len);
    long n = zk_returndata_size();
    uint8_t *out = (uint8_t *)zk_brk(0);
    if (zk_brk(out + n) != (long)(out + n)) revert_empty();
    zk_returndata_copy(out, 0, n);
    zk_write(out, n);
    zk_exit(status == 0 ? 0 : 1);
}

static void non_payable(void) {
    word v;
    zk_call_value(&v);
    for (int i = 0; i < 32; i++)
        if (v.b[i]) revert_empty();
}

void _start(void) {
    input_len = zk_read(input, sizeof input);
    if (input_len < 4) revert_empty();
    non_payable();
    uint32_t sel = (uint32_t)input[0] << 24 | (uint32_t)input[1] << 16 | (uint32_t)input[2] << 8 | input[3];
    word w;
    switch (sel) {
    case 0xd09de08a:
        increment();
    case 0x6d4ce63c:
        zk_storage_load(&SLOT0, &w);
        return_word(&w);
    case 0x188b85b4: {
        uint64_t n = arg_u64(0), s = 0;
        for (uint64_t i = 1; i <= n; i++) s += i;
        word_from_u64(&w, s);
        return_word(&w);
    }
    case 0x7701ea4a:
        word_from_u64(&w, pick(arg_u64(0), 1000 + arg_u64(0)));
        return_word(&w);
    case 0x30ac324b:
        word_from_u64(&w, OPS[arg_u64(0) % 4](arg_u64(1)));
        return_word(&w);
    case 0x1c01f292: {
        uint64_t n = arg_u64(0), s = 0;
        volatile uint8_t *p = (uint8_t *)zk_brk(0);
        if (zk_brk((void *)(p + n)) != (long)(p + n)) revert_empty();
        for (uint64_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 7);
        for (uint64_t i = 0; i < n; i++) s += p[i];
        word_from_u64(&w, s);
        return_word(&w);
    }
    case 0xa9cc4718:
        zk_write("native says no", 14);
        zk_exit(1);
    case 0x6fadcf72:
        forward(0);
    case 0x5febf445:
        forward(1);
    default:
        revert_empty();
    }
}

/* The constructor: abi.encode(uint256 initial), or nothing. */
void deploy(void) {
    input_len = zk_read(input, sizeof input);
    non_payable();
    word w;
    memset(&w, 0, 32);
    if (input_len == 32)
        memcpy(&w, input, 32);
    else if (input_len != 0)
        revert_empty();
    zk_storage_store(&SLOT0, &w);
    zk_exit(0);
}
