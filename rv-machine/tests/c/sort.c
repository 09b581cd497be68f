/* Sorting: quicksort of i64, insertion sort of u32, heapsort of i16, merge sort of u8. */
#include "rt.h"

static u64 seed = 0x2545F4914F6CDD1DUL;
static u64 rnd(void) {
    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
    return seed;
}

static void quicksort(i64 *a, long lo, long hi) {
    while (lo < hi) {
        i64 pivot = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { i64 t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else { quicksort(a, i, hi); hi = j; }
    }
}

static void insertion(u32 *a, int n) {
    for (int i = 1; i < n; i++) {
        u32 v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static void sift(short *a, int start, int end) {
    int root = start;
    while (2 * root + 1 <= end) {
        int child = 2 * root + 1;
        if (child + 1 <= end && a[child] < a[child + 1]) child++;
        if (a[root] < a[child]) { short t = a[root]; a[root] = a[child]; a[child] = t; root = child; }
        else return;
    }
}

static void heapsort(short *a, int n) {
    for (int s = (n - 2) / 2; s >= 0; s--) sift(a, s, n - 1);
    for (int end = n - 1; end > 0; end--) {
        short t = a[0]; a[0] = a[end]; a[end] = t;
        sift(a, 0, end - 1);
    }
}

static u8 tmp8[3000];
static void mergesort(u8 *a, int n) {
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp8[k++] = a[i] <= a[j] ? a[i++] : a[j++];
            while (i < mid) tmp8[k++] = a[i++];
            while (j < hi) tmp8[k++] = a[j++];
        }
        memcpy(a, tmp8, n);
    }
}

static i64 big[20000];
static u32 mid[800];
static short small[5000];
static u8 bytes[3000];

int main(void) {
    int bad = 0;
    for (int i = 0; i < 20000; i++) big[i] = (i64)rnd() >> (rnd() & 63);
    quicksort(big, 0, 19999);
    u64 sum = 0;
    for (int i = 0; i < 20000; i++) {
        if (i && big[i - 1] > big[i]) bad++;
        sum = sum * 31 + (u64)big[i];
    }
    put_kv("i64 checksum", sum);
    put_kv("i64 min", (u64)big[0]);
    put_kv("i64 max", (u64)big[19999]);

    for (int i = 0; i < 800; i++) mid[i] = (u32)(rnd() >> 17);
    insertion(mid, 800);
    sum = 0;
    for (int i = 0; i < 800; i++) { if (i && mid[i - 1] > mid[i]) bad++; sum += (u64)mid[i] * i; }
    put_kv("u32 checksum", sum);

    for (int i = 0; i < 5000; i++) small[i] = (short)rnd();
    heapsort(small, 5000);
    sum = 0;
    for (int i = 0; i < 5000; i++) { if (i && small[i - 1] > small[i]) bad++; sum ^= (u64)(i64)small[i] << (i & 31); }
    put_kv("i16 checksum", sum);
    put_str("i16 median = "); put_dec(small[2500]); put_char('\n');

    for (int i = 0; i < 3000; i++) bytes[i] = (u8)(rnd() >> 56);
    mergesort(bytes, 3000);
    sum = 0;
    for (int i = 0; i < 3000; i++) { if (i && bytes[i - 1] > bytes[i]) bad++; sum = sum * 7 + bytes[i]; }
    put_kv("u8 checksum", sum);
    put_str("unsorted pairs = "); put_dec(bad); put_char('\n');
    return bad ? 1 : (int)(sum & 0x7f);
}
