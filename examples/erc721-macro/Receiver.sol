// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A test receiver for safeTransferFrom (not part of the twin): `mode` 0 accepts, 1 answers a
// wrong selector, 2 reverts with a custom error, 3 reverts with empty data. It logs what it
// received.
contract Receiver {
    uint256 public mode;

    event Received(address operator, address from, uint256 tokenId, bytes data);
    error Refused(uint256 tokenId);

    function setMode(uint256 m) external {
        mode = m;
    }

    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4)
    {
        if (mode == 2) revert Refused(tokenId);
        if (mode == 3) revert();
        emit Received(operator, from, tokenId, data);
        return mode == 1 ? bytes4(0xdeadbeef) : this.onERC721Received.selector;
    }
}
