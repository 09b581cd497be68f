// SPDX-License-Identifier: MIT
// Solidity side of the zkos cross-kind tests (tests/tests/cross_kind.rs): calls the WASM
// example contracts (counter, erc20) and is called by the WASM `caller` forwarder.
pragma solidity ^0.8.20;

interface IERC20 {
    function balanceOf(address) external view returns (uint256);
    function transfer(address, uint256) external returns (bool);
}

interface ICounter {
    function increment() external;
    function get() external view returns (uint256);
}

contract Bridge {
    error Custom(uint256 code, address who);

    uint256 public calls;

    /// Reads a WASM token's balance and decodes its ABI-encoded return.
    function balanceIn(address token, address who) external view returns (uint256) {
        return IERC20(token).balanceOf(who);
    }

    /// Transfers this contract's tokens; returns the token's bool and this contract's new balance.
    function pay(address token, address to, uint256 amount) external returns (bool ok, uint256 left) {
        ok = IERC20(token).transfer(to, amount);
        left = IERC20(token).balanceOf(address(this));
    }

    /// A WASM revert caught by try/catch: returns the Error(string) reason, "" on success.
    function tryPay(address token, address to, uint256 amount) external returns (string memory) {
        try IERC20(token).transfer(to, amount) returns (bool) {
            return "";
        } catch Error(string memory reason) {
            return reason;
        }
    }

    /// A low-level call: the callee's status and its raw return or revert data.
    function raw(address target, bytes calldata data) external returns (bool ok, bytes memory out) {
        (ok, out) = target.call(data);
    }

    /// Increments a WASM counter twice and returns its new count.
    function bumpTwice(address counter) external returns (uint256) {
        ICounter(counter).increment();
        ICounter(counter).increment();
        calls += 1;
        return ICounter(counter).get();
    }

    /// The gas this frame sees spent around one call to `target` (all gas forwarded, no
    /// return data copied).
    function spent(address target, bytes calldata data) external returns (uint256 used) {
        bytes memory d = data;
        assembly {
            let g0 := gas()
            pop(call(gas(), target, 0, add(d, 32), mload(d), 0, 0))
            used := sub(g0, gas())
        }
    }

    function add(uint256 a, uint256 b) external pure returns (uint256) {
        return a + b;
    }

    function fail() external pure {
        require(false, "solidity says no");
    }

    function failCustom(uint256 code) external view {
        revert Custom(code, msg.sender);
    }
}
