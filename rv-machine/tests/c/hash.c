/* Hashing: SHA-256 (32-bit rotates and adds), FNV-1a 64, bitwise CRC-32, a 64-bit mixer. */
#include "rt.h"

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(u32 *h, const u8 *p) {
    u32 w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        u32 s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        u32 s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        u32 t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        u32 t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256(const u8 *msg, u64 len, u32 *h) {
    static const u32 init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    for (int i = 0; i < 8; i++) h[i] = init[i];
    u64 off = 0;
    for (; off + 64 <= len; off += 64) block(h, msg + off);
    u8 last[128];
    u64 rest = len - off;
    memset(last, 0, sizeof last);
    memcpy(last, msg + off, rest);
    last[rest] = 0x80;
    u64 total = rest + 9 <= 64 ? 64 : 128;
    u64 bits = len * 8;
    for (int i = 0; i < 8; i++) last[total - 1 - i] = (u8)(bits >> (8 * i));
    block(h, last);
    if (total == 128) block(h, last + 64);
}

static u64 fnv1a(const u8 *p, u64 n) {
    u64 h = 0xcbf29ce484222325UL;
    while (n--) { h ^= *p++; h *= 0x100000001b3UL; }
    return h;
}

static u32 crc32(const u8 *p, u64 n) {
    u32 c = 0xffffffff;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c;
}

static u64 mix(u64 x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdUL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53UL;
    return x ^ (x >> 33);
}

static u8 msg[5000];

int main(void) {
    u32 h[8];
    sha256((const u8 *)"abc", 3, h);
    int bad = h[0] != 0xba7816bf || h[7] != 0xf20015ad;
    for (int i = 0; i < 5000; i++) msg[i] = (u8)(i * 7 + (i >> 3));
    static const int lens[] = {0, 1, 55, 56, 63, 64, 65, 1000, 5000};
    for (int k = 0; k < 9; k++) {
        sha256(msg, lens[k], h);
        put_str("sha256 len "); put_dec(lens[k]); put_str(" = ");
        for (int i = 0; i < 8; i++) put_hex(h[i]);
        put_char('\n');
        put_kv("fnv1a", fnv1a(msg, lens[k]));
        put_kv("crc32", crc32(msg, lens[k]));
    }
    u64 acc = 0;
    for (u64 i = 0; i < 20000; i++) acc += mix(i ^ acc);
    put_kv("mix", acc);
    return bad ? 1 : (int)(acc & 0x3f) + 2;
}
