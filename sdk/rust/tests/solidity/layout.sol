// SPDX-License-Identifier: MIT
// The Solidity twin of the storage struct in ../contract.rs: solc's storageLayout of this
// contract must equal the struct's LAYOUT, field by field.
pragma solidity ^0.8.0;

contract Layout {
    address owner;
    bool paused;
    uint8 decimals;
    uint64 created;
    uint256 total;
    uint128 lo;
    uint128 hi;
    uint32 small;
    mapping(address => uint256) balances;
    uint16 afterMapping;
    mapping(address => mapping(address => uint256)) allowances;
    address[] holders;
    uint64[] stamps;
    string name;
    bytes data;
    bytes32 root;
    bool last;
    address next;
    uint128 overflow;
    mapping(string => uint256) byName;
}
