/* Integer math: sieve, gcd, modular exponentiation, 128-bit products, integer roots,
 * division of every sign combination, and the M extension's edge cases via inline asm. */
#include "rt.h"

static u64 gcd(u64 a, u64 b) { while (b) { u64 t = a % b; a = b; b = t; } return a; }

static u64 powmod(u64 b, u64 e, u64 m) {
    u64 r = 1 % m;
    b %= m;
    while (e) { if (e & 1) r = r * b % m; b = b * b % m; e >>= 1; }
    return r;
}

static u64 isqrt(u64 n) {
    if (n < 2) return n;
    u64 x = n, y = (x + 1) / 2;
    while (y < x) { x = y; y = (x + n / x) / 2; }
    return x;
}

static u8 composite[200001];

#define RR(op, a, b) ({ long r_; __asm__(op " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b)); r_; })

int main(void) {
    int primes = 0;
    for (long i = 2; i <= 200000; i++) {
        if (composite[i]) continue;
        primes++;
        for (long j = i * i; j <= 200000; j += i) composite[j] = 1;
    }
    put_str("primes = "); put_dec(primes); put_char('\n');

    u64 g = 0;
    for (u64 i = 1; i < 3000; i++) g += gcd(i * 7919, (i * i + 13) % 100003 + 1);
    put_kv("gcd sum", g);

    u64 p = 0;
    for (u64 i = 2; i < 400; i++) p = p * 131 + powmod(i, 0xFFFFFFFBUL - i, 4294967291UL);
    put_kv("powmod", p);

    unsigned __int128 acc = 1;
    __int128 sacc = -1;
    for (u64 i = 1; i < 200; i++) {
        acc = acc * (0x9E3779B97F4A7C15UL ^ i) + i;
        sacc = sacc * (__int128)(i64)(0x9E3779B97F4A7C15UL * i) - (i64)i;
    }
    put_kv("u128 hi", (u64)(acc >> 64)); put_kv("u128 lo", (u64)acc);
    put_kv("i128 hi", (u64)(sacc >> 64)); put_kv("i128 lo", (u64)sacc);

    u64 r = 0;
    for (u64 n = 1; n < 5000000000UL; n = n * 3 + 1) r = r * 17 + isqrt(n);
    put_kv("isqrt", r);

    static const i64 vals[] = {0, 1, -1, 7, -7, 3, -3, 1000000007, -1000000007,
                               0x7fffffffffffffffL, -0x7fffffffffffffffL - 1, 0x80000000L, -0x80000000L};
    u64 d = 0;
    for (int i = 0; i < 13; i++) {
        for (int j = 0; j < 13; j++) {
            i64 a = vals[i], b = vals[j];
            /* The hardware's answers, including division by zero and overflow. */
            d = d * 3 + (u64)RR("div", a, b) + (u64)RR("rem", a, b) * 5;
            d = d * 3 + (u64)RR("divu", a, b) + (u64)RR("remu", a, b) * 7;
            d = d * 3 + (u64)RR("divw", a, b) + (u64)RR("remw", a, b) * 11;
            d = d * 3 + (u64)RR("divuw", a, b) + (u64)RR("remuw", a, b) * 13;
            d = d * 3 + (u64)RR("mulh", a, b) + (u64)RR("mulhsu", a, b) * 17 + (u64)RR("mulhu", a, b);
            d = d * 3 + (u64)RR("mulw", a, b) + (u64)RR("sraw", a, b) + (u64)RR("srlw", a, b);
            if (b != 0 && !(a == -0x7fffffffffffffffL - 1 && b == -1)) d += (u64)(a / b) ^ (u64)(a % b);
        }
    }
    put_kv("division table", d);

    int steps_max = 0;
    for (u64 n = 1; n < 30000; n++) {
        u64 x = n; int s = 0;
        while (x != 1) { x = x & 1 ? 3 * x + 1 : x / 2; s++; }
        if (s > steps_max) steps_max = s;
    }
    put_str("collatz max steps = "); put_dec(steps_max); put_char('\n');
    return primes & 0xff;
}
