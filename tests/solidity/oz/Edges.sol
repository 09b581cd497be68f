// SPDX-License-Identifier: MIT
// Gas and state rules at their edges: SSTORE refunds (EIP-2200/3529, with the refund cap),
// code size and initcode size limits (EIP-170, EIP-3860), the 0xEF prefix (EIP-3541),
// account creation by value transfer, value sent to precompiles, calls with more value than
// held, CREATE nonces, warm coinbase (EIP-3651) (differential tests against revm,
// node/tests/solidity_vs_revm.rs).
pragma solidity ^0.8.28;

contract Edges {
    uint256[200] public slots;
    uint256 public marker = 7;

    error CreateFailed(uint256 size);

    function setMany(uint256 n) external {
        for (uint256 i = 0; i < n; i++) slots[i] = i + 1;
    }

    /// Clearing many slots: a refund larger than the cap of a fifth of the gas used.
    function clearMany(uint256 n) external {
        for (uint256 i = 0; i < n; i++) slots[i] = 0;
    }

    /// Zero to non-zero and back, non-zero to zero and back, within one transaction.
    function flip() external returns (uint256) {
        slots[150] = 5;
        slots[150] = 0;
        uint256 old = marker;
        marker = 0;
        marker = old;
        marker = old + 1;
        marker = old;
        return marker;
    }

    /// Deploys code of `size` bytes (the first byte `first`) with CREATE; returns the address.
    function deployCode(uint256 size, uint8 first) public returns (address a) {
        // Initcode: CODECOPY-free, it returns `size` bytes of zeroed memory after writing
        // `first` at offset 0: PUSH1 first PUSH1 0 MSTORE8 PUSH3 size PUSH1 0 RETURN.
        bytes memory init = abi.encodePacked(
            hex"60", first, hex"60005362", uint24(size), hex"6000f3"
        );
        assembly {
            a := create(0, add(init, 32), mload(init))
        }
        if (a == address(0)) revert CreateFailed(size);
    }

    /// CREATE with initcode of `size` bytes (STOP then padding): above 49152 the frame halts.
    function bigInitcode(uint256 size) public returns (address a) {
        bytes memory init = new bytes(size);
        assembly {
            a := create(0, add(init, 32), mload(init))
        }
    }

    /// Runs `data` on this contract in a sub-call; reports success and the return data.
    function probe(bytes calldata data) external returns (bool ok, bytes memory out) {
        (ok, out) = address(this).call(data);
    }

    function send(address to, uint256 value) external payable returns (bool ok) {
        (ok,) = to.call{value: value}("");
    }

    function createTwo() external returns (address a, address b) {
        a = address(new Tiny());
        b = address(new Tiny());
    }

    function coinbaseBalance() external view returns (uint256) {
        return block.coinbase.balance;
    }

    receive() external payable {}
}

contract Tiny {
    uint256 public x = 1;
}
