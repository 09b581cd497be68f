// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// node/tests/run_readable.rs: an EVM contract whose calls revert with Error(string), with a
// Panic(uint256), or hit an invalid opcode, for `zkos run`'s decoded report.
contract Checks {
    function check(uint256 x) external pure returns (uint256 doubled) {
        require(x > 10, "x too small");
        return x * 2;
    }

    function ratio(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    function boom() external pure {
        assembly {
            invalid()
        }
    }
}
