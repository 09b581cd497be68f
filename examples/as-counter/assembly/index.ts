// as-counter: the counter example (examples/counter) written in AssemblyScript with the
// zkos AssemblyScript SDK. Same ABI and storage as the Rust counter:
//
// - storage: slot 0 holds the count (uint256);
// - `deploy`: calldata `abi.encode(uint256 initial)` sets the count; empty calldata sets 0;
//   1 to 31 bytes revert with empty data;
// - `increment()` (0xd09de08a): count += 1, logs `Incremented(address indexed by, uint256
//   value)` (topic 0 0x38ac789e…5420, topic 1 the caller, data the new count), empty output;
//   at 2^256 - 1 reverts with Panic(0x11);
// - `get()` (0x6d4ce63c): returns `abi.encode(uint256 count)`;
// - short calldata, unknown selectors and any value sent revert with empty data.

import {
  calldata,
  caller,
  addressToWord,
  callValue,
  emitLog,
  finish,
  hasSelector,
  newWord,
  revertEmpty,
  revertWithPanic,
  selectorOf,
  slot,
  storageLoad,
  storageStore,
  wordAdd,
  wordAt,
  wordFromU64,
  wordIsZero,
} from "../../../sdk/assemblyscript/assembly/index";

const INCREMENT: u32 = 0xd09de08a;
const GET: u32 = 0x6d4ce63c;

// keccak256("Incremented(address,uint256)")
const INCREMENTED: usize = memory.data<u8>([
  0x38, 0xac, 0x78, 0x9e, 0xd4, 0x45, 0x72, 0x70, 0x17, 0x65, 0x27, 0x7c, 0x4d, 0x09, 0x70, 0xf2,
  0xdb, 0x1c, 0x1a, 0x57, 0x1e, 0xd3, 0x9e, 0x84, 0x35, 0x80, 0x95, 0xae, 0x4e, 0xaa, 0x54, 0x20,
]);

function nonPayable(): void {
  if (!wordIsZero(callValue())) revertEmpty();
}

export function deploy(): void {
  nonPayable();
  const args = calldata();
  let initial = newWord();
  if (args.length != 0) {
    if (args.length < 32) revertEmpty();
    initial = args.slice(0, 32);
  }
  storageStore(slot(0), initial);
}

export function call(): void {
  nonPayable();
  const input = calldata();
  if (!hasSelector(input)) revertEmpty();
  const sel = selectorOf(input);
  if (sel == INCREMENT) {
    const next = wordAdd(storageLoad(slot(0)), wordFromU64(1));
    if (next == null) {
      revertWithPanic(0x11);
      return;
    }
    storageStore(slot(0), next);
    emitLog([wordAt(INCREMENTED), addressToWord(caller())], next);
    finish(new Uint8Array(0));
  } else if (sel == GET) {
    finish(storageLoad(slot(0)));
  } else {
    revertEmpty();
  }
}
