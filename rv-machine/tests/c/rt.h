/* A tiny freestanding runtime for the differential C programs: Linux riscv64 syscalls
 * (write = 64, exit = 93), buffered output, the mem* functions GCC may call, and _start. */
typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long size_t;

static long sys3(long n, long a, long b, long c) {
    register long a7 __asm__("a7") = n;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
    return a0;
}

static char out_buf[512];
static size_t out_len;

static void flush(void) {
    if (out_len) sys3(64, 1, (long)out_buf, (long)out_len);
    out_len = 0;
}

static void put_char(char c) {
    if (out_len == sizeof out_buf) flush();
    out_buf[out_len++] = c;
}

static void put_str(const char *s) {
    while (*s) put_char(*s++);
}

static void put_hex(u64 v) {
    put_str("0x");
    for (int i = 60; i >= 0; i -= 4) put_char("0123456789abcdef"[(v >> i) & 15]);
}

static void put_dec(i64 v) {
    char tmp[24];
    int n = 0;
    u64 u = v < 0 ? -(u64)v : (u64)v;
    do { tmp[n++] = '0' + u % 10; u /= 10; } while (u);
    if (v < 0) put_char('-');
    while (n) put_char(tmp[--n]);
}

static void put_kv(const char *k, u64 v) {
    put_str(k);
    put_str(" = ");
    put_hex(v);
    put_char('\n');
}

#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *memset(void *d, int c, size_t n) {
    u8 *p = d;
    while (n--) *p++ = (u8)c;
    return d;
}

NO_LIBCALL void *memcpy(void *d, const void *s, size_t n) {
    u8 *p = d;
    const u8 *q = s;
    while (n--) *p++ = *q++;
    return d;
}

NO_LIBCALL void *memmove(void *d, const void *s, size_t n) {
    u8 *p = d;
    const u8 *q = s;
    if (p < q) { while (n--) *p++ = *q++; }
    else { p += n; q += n; while (n--) *--p = *--q; }
    return d;
}

NO_LIBCALL int memcmp(const void *a, const void *b, size_t n) {
    const u8 *p = a, *q = b;
    for (; n; n--, p++, q++) if (*p != *q) return *p - *q;
    return 0;
}

int main(void);

void start_c(void) {
    int code = main();
    flush();
    sys3(93, code, 0, 0);
    for (;;) {}
}

__asm__(".pushsection .text._start,\"ax\",@progbits\n"
        ".globl _start\n"
        "_start:\n"
        ".option push\n"
        ".option norelax\n"
        "  la gp, __global_pointer$\n"
        ".option pop\n"
        "  andi sp, sp, -16\n"
        "  call start_c\n"
        ".popsection\n");
