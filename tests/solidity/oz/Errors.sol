// SPDX-License-Identifier: MIT
// Custom errors: a thrower with parameterized errors (`revert E(...)` and
// `require(cond, E(...))`), string reverts and panics, and a catcher that decodes them with
// try/catch, re-raises some wrapped and bubbles others unchanged (differential tests against
// revm, node/tests/solidity_vs_revm.rs).
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract Thrower is Ownable {
    error Insufficient(uint256 available, uint256 required);
    error Denied(address caller, string why);
    error Nothing();

    uint256 public writes;

    constructor() Ownable(msg.sender) {}

    /// Writes, then checks: a failure undoes the write.
    function spend(uint256 available, uint256 required) external returns (uint256) {
        writes++;
        require(available >= required, Insufficient(available, required));
        return available - required;
    }

    function deny() external view {
        revert Denied(msg.sender, "not today");
    }

    function nothing() external pure {
        revert Nothing();
    }

    function message(uint256 x) external pure returns (uint256) {
        require(x != 13, "unlucky number");
        return x;
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    function overflow(uint256 a) external pure returns (uint256) {
        return a + 1;
    }

    function ownerOnly() external view onlyOwner returns (uint256) {
        return 42;
    }

    function empty() external pure {
        revert();
    }
}

contract Catcher {
    error Wrapped(uint256 available, uint256 required, uint256 caughtSoFar);
    error Unknown(bytes data);

    event CaughtString(string reason);
    event CaughtPanic(uint256 code);
    event CaughtCustom(bytes4 selector, bytes data);

    Thrower public immutable thrower;
    uint256 public caught;

    constructor(Thrower t) {
        thrower = t;
    }

    /// Insufficient becomes Wrapped; other custom errors bubble unchanged.
    function spendOrWrap(uint256 available, uint256 required) external returns (uint256) {
        try thrower.spend(available, required) returns (uint256 left) {
            return left;
        } catch (bytes memory err) {
            caught++;
            if (bytes4(err) == Thrower.Insufficient.selector) {
                (uint256 a, uint256 r) = abi.decode(slice(err), (uint256, uint256));
                revert Wrapped(a, r, caught);
            }
            assembly {
                revert(add(err, 32), mload(err))
            }
        }
    }

    /// Catches every kind of failure, records it and returns normally.
    function classify(bytes calldata call) external returns (uint256 kind, bytes memory data) {
        (bool ok, bytes memory ret) = address(thrower).call(call);
        if (ok) return (0, ret);
        caught++;
        if (ret.length == 0) return (4, ret);
        bytes4 sel = bytes4(ret);
        if (sel == 0x08c379a0) {
            emit CaughtString(abi.decode(slice(ret), (string)));
            return (1, ret);
        }
        if (sel == 0x4e487b71) {
            emit CaughtPanic(abi.decode(slice(ret), (uint256)));
            return (2, ret);
        }
        emit CaughtCustom(sel, ret);
        return (3, ret);
    }

    /// Typed catch clauses of Solidity: Error(string), Panic(uint256), and the rest.
    function typed(uint256 a, uint256 b) external returns (uint256) {
        try thrower.divide(a, b) returns (uint256 q) {
            return q;
        } catch Error(string memory reason) {
            emit CaughtString(reason);
            return 1;
        } catch Panic(uint256 code) {
            caught++;
            emit CaughtPanic(code);
            return 1000 + code;
        } catch (bytes memory err) {
            revert Unknown(err);
        }
    }

    function denyThrough() external view {
        thrower.deny();
    }

    function slice(bytes memory err) private pure returns (bytes memory out) {
        out = new bytes(err.length - 4);
        for (uint256 i = 0; i < out.length; i++) out[i] = err[i + 4];
    }
}
