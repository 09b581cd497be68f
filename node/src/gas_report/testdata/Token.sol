// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A small ERC-20 for the gas-report tests: balances, allowances, events, a fixed name,
/// a loop over a calldata array (batchTransfer: unbounded by design), and a constant
/// loop (checksum: bounded).
contract Token {
    string public constant name = "Test Token";
    string public constant symbol = "TT";
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    address public owner;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor() {
        owner = msg.sender;
    }

    function mint(address to, uint256 value) external {
        require(msg.sender == owner, "not owner");
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 a = allowance[from][msg.sender];
        require(a >= value, "allowance");
        if (a != type(uint256).max) {
            allowance[from][msg.sender] = a - value;
        }
        _move(from, to, value);
        return true;
    }

    function batchTransfer(address[] calldata to, uint256 value) external {
        for (uint256 i = 0; i < to.length; i++) {
            _move(msg.sender, to[i], value);
        }
    }

    function checksum(uint256 x) external pure returns (uint256 s) {
        for (uint256 i = 0; i < 8; i++) {
            s = s * 31 + ((x >> (i * 8)) & 0xff);
        }
    }

    function _move(address from, address to, uint256 value) internal {
        require(balanceOf[from] >= value, "balance");
        unchecked {
            balanceOf[from] -= value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
