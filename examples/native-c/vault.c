/* A payable native contract in C (docs/native.md): value sent with deposit() stays in the
 * contract, which keeps the total of the deposits in storage slot 0; every other function
 * refuses value (reverts with "not payable"), as Solidity's non-payable functions do.
 *
 * | function     | selector   | what it does                                               |
 * |--------------|------------|------------------------------------------------------------|
 * | deposit()    | 0xd0e30db0 | payable: adds the value to slot 0; returns (value, balance) |
 * | balance()    | 0xb69ef8a8 | returns the contract's balance                              |
 * | withdraw()   | 0x3ccfd60b | sends the whole balance to the caller; reverts if that fails |
 */
#include "zkos.h"

typedef struct { uint8_t b[32]; } word;

static uint8_t input[64];
static const word SLOT0;

__attribute__((noreturn)) static void revert_with(const char *msg, long len) {
    zk_write(msg, len);
    zk_exit(1);
}

static int is_zero(const word *w) {
    for (int i = 0; i < 32; i++)
        if (w->b[i]) return 0;
    return 1;
}

/* acc += x, big-endian, modulo 2^256 (the balance of a chain never gets there). */
static void add_word(word *acc, const word *x) {
    unsigned carry = 0;
    for (int i = 31; i >= 0; i--) {
        unsigned s = (unsigned)acc->b[i] + x->b[i] + carry;
        acc->b[i] = (uint8_t)s;
        carry = s >> 8;
    }
}

void _start(void) {
    if (zk_read(input, sizeof input) < 4) revert_with("no selector", 11);
    uint32_t sel = (uint32_t)input[0] << 24 | (uint32_t)input[1] << 16 | (uint32_t)input[2] << 8 | input[3];
    word value, balance;
    zk_call_value(&value);
    if (sel == 0xd0e30db0) {
        word total;
        zk_storage_load(&SLOT0, &total);
        add_word(&total, &value);
        zk_storage_store(&SLOT0, &total);
        zk_self_balance(&balance);
        zk_write(&value, 32);
        zk_write(&balance, 32);
        zk_exit(0);
    }
    if (!is_zero(&value)) revert_with("not payable", 11);
    zk_self_balance(&balance);
    if (sel == 0xb69ef8a8) {
        zk_write(&balance, 32);
        zk_exit(0);
    }
    if (sel == 0x3ccfd60b) {
        uint8_t caller[20];
        zk_caller(caller);
        if (zk_call(zk_gas_left(), caller, &balance, input, 0) != 0) revert_with("transfer failed", 15);
        zk_exit(0);
    }
    revert_with("unknown function", 16);
}
