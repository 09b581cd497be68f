// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The Solidity twin of Packed.ts (tests/tests/as_contracts.rs): small state variables that
// solc packs into one slot, a uint64 and a mapping with uint64 keys, constructor arguments.
contract Packed {
    address public owner; // slot 0, bytes 0..20 from the low end
    bool public flag; // slot 0, byte 20
    uint32 public small; // slot 0, bytes 21..25
    uint256 public total; // slot 1
    uint64 public count; // slot 2
    mapping(uint64 => bool) public seen; // slot 3

    constructor(uint64 start) {
        count = start;
        owner = msg.sender;
    }

    function configure(address newOwner, bool f, uint32 s) external {
        owner = newOwner;
        flag = f;
        small = s;
    }

    function bump(uint64 by) external returns (uint64) {
        count += by;
        seen[count] = true;
        total += by;
        return count;
    }

    function isOwner(address who) external view returns (bool) {
        return who == owner;
    }
}
