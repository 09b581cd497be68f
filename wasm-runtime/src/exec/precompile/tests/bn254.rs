//! bn254 (alt_bn128) add, mul and pairing (EIP-196, EIP-197, gas of EIP-1108).

use alloc::vec::Vec;

use super::{assert_cost, assert_fails, run_ok, unhex, word};

/// The base field modulus p.
pub(super) const P: &str = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
/// The group order r.
const R: &str = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
/// r + 1.
const R_PLUS_1: &str = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000002";

/// The G1 generator (1, 2).
pub(super) fn g1() -> Vec<u8> {
    [word(1), word(2)].concat()
}

/// -G1 = (1, p - 2).
pub(super) fn neg_g1() -> Vec<u8> {
    let mut y = unhex(P);
    y[31] -= 2;
    [word(1).to_vec(), y].concat()
}

/// 2·G1.
pub(super) fn two_g1() -> Vec<u8> {
    unhex(
        "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3
         15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4",
    )
}

/// The G2 generator of EIP-197, encoded (x.im, x.re, y.im, y.re).
pub(super) fn g2() -> Vec<u8> {
    unhex(
        "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
         1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
         090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
         12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa",
    )
}

const INFINITY: [u8; 64] = [0; 64];

#[test]
fn add_of_the_generator() {
    let input = [g1(), g1()].concat();
    assert_eq!(run_ok(0x06, &input).0, two_g1());
    assert_cost(0x06, &input, 150);
    // G + infinity = G; infinity + infinity = infinity; G + (-G) = infinity.
    assert_eq!(run_ok(0x06, &[g1(), INFINITY.to_vec()].concat()).0, g1());
    assert_eq!(run_ok(0x06, &[INFINITY; 2].concat()).0, INFINITY);
    assert_eq!(run_ok(0x06, &[g1(), neg_g1()].concat()).0, INFINITY);
    // Short input is padded with zeros: G + (nothing) = G, and empty input gives infinity.
    assert_eq!(run_ok(0x06, &g1()).0, g1());
    assert_eq!(run_ok(0x06, &[]), (INFINITY.to_vec(), 150));
    // Bytes past 128 are ignored.
    let mut long = [g1(), g1()].concat();
    long.extend_from_slice(&[0xff; 20]);
    assert_eq!(run_ok(0x06, &long).0, two_g1());
}

#[test]
fn add_rejects_points_off_the_curve() {
    // (1, 3) is not on y^2 = x^3 + 3.
    let off = [word(1), word(3)].concat();
    let halt = assert_fails(0x06, &[g1(), off.clone()].concat(), 100_000);
    assert!(!halt.is_oog(), "{halt}");
    assert_fails(0x06, &[off, g1()].concat(), 100_000);
    // A coordinate equal to p is not a field element.
    let x_is_p = [unhex(P), word(2).to_vec()].concat();
    assert_fails(0x06, &[x_is_p, g1()].concat(), 100_000);
}

#[test]
fn mul_of_the_generator() {
    let input = [g1(), word(2).to_vec()].concat();
    assert_eq!(run_ok(0x07, &input).0, two_g1());
    assert_cost(0x07, &input, 6000);
    assert_eq!(run_ok(0x07, &[g1(), word(1).to_vec()].concat()).0, g1());
    assert_eq!(run_ok(0x07, &[g1(), word(0).to_vec()].concat()).0, INFINITY);
    // The scalar is not reduced first, but r·G = infinity and (r+1)·G = G.
    assert_eq!(run_ok(0x07, &[g1(), unhex(R)].concat()).0, INFINITY);
    assert_eq!(run_ok(0x07, &[g1(), unhex(R_PLUS_1)].concat()).0, g1());
    // 2·(-G) = -(2·G): same x, y negated.
    let neg_two = run_ok(0x07, &[neg_g1(), word(2).to_vec()].concat()).0;
    assert_eq!(neg_two[..32], two_g1()[..32]);
    assert_ne!(neg_two[32..], two_g1()[32..]);
    // A missing scalar reads as zero.
    assert_eq!(run_ok(0x07, &g1()).0, INFINITY);
    // Bad point.
    assert_fails(0x07, &[word(1), word(3), word(2)].concat(), 100_000);
}

#[test]
fn pairing_checks() {
    // No pairs: the empty product is 1.
    assert_eq!(run_ok(0x08, &[]).0, word(1));
    assert_cost(0x08, &[], 45_000);
    // e(G1, G2) · e(-G1, G2) = 1.
    let balanced = [g1(), g2(), neg_g1(), g2()].concat();
    assert_eq!(run_ok(0x08, &balanced).0, word(1));
    assert_cost(0x08, &balanced, 45_000 + 2 * 34_000);
    // e(G1, G2)^2 != 1.
    let unbalanced = [g1(), g2(), g1(), g2()].concat();
    assert_eq!(run_ok(0x08, &unbalanced).0, word(0));
    // e(2·G1, G2) · e(-G1, G2)^2 = 1.
    let scaled = [two_g1(), g2(), neg_g1(), g2(), neg_g1(), g2()].concat();
    assert_eq!(run_ok(0x08, &scaled).0, word(1));
    assert_cost(0x08, &scaled, 45_000 + 3 * 34_000);
    // A pair with G1 at infinity contributes 1.
    assert_eq!(run_ok(0x08, &[INFINITY.to_vec(), g2()].concat()).0, word(1));
    assert_eq!(run_ok(0x08, &[g1(), g2()].concat()).0, word(0));
}

#[test]
fn pairing_known_vector() {
    // go-ethereum's bn256Pairing "jeff1": two pairs whose product is 1.
    let input = unhex(
        "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59
         3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41
         209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7
         04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678
         2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d
         120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550
         111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c
         2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411
         198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2
         1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed
         090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b
         12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa",
    );
    assert_eq!(run_ok(0x08, &input).0, word(1));
    assert_cost(0x08, &input, 113_000);
}

#[test]
fn pairing_rejects_bad_inputs() {
    let pair = [g1(), g2()].concat();
    // Not a multiple of 192 bytes.
    let halt = assert_fails(0x08, &pair[..191], 1_000_000);
    assert!(!halt.is_oog(), "{halt}");
    let mut long = pair.clone();
    long.push(0);
    assert_fails(0x08, &long, 1_000_000);
    // G1 off the curve.
    assert_fails(0x08, &[word(1).to_vec(), word(3).to_vec(), g2()].concat(), 1_000_000);
    // G2 off the curve: a coordinate changed.
    let mut bad_g2 = g2();
    bad_g2[127] ^= 1;
    assert_fails(0x08, &[g1(), bad_g2].concat(), 1_000_000);
    // A G2 coordinate equal to p.
    let mut p_g2 = g2();
    p_g2[..32].copy_from_slice(&unhex(P));
    assert_fails(0x08, &[g1(), p_g2].concat(), 1_000_000);
}
