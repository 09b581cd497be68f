// The restart test's client. `stream URL FILE [N]`: deploys Store, then sends up to N
// transactions (Store.set and ETH transfers, alternating), each after the last one's
// receipt, and appends every receipt it saw (block number and hash, the state after) to
// FILE as a JSON line, until the node dies under it. `verify URL FILE`: on the restarted
// node, every reported block is there with the same hash, receipts and state, every block
// up to the head is whole (each transaction has its receipt, parents chain), and the chain
// goes on.
import { appendFileSync, readFileSync } from 'node:fs';
import { ethers } from 'ethers';
import { MNEMONIC, check, compileStore, rpcUrl } from './lib.mjs';

const [, , , mode, file, count] = process.argv;
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { pollingInterval: 20, batchMaxCount: 1 });
const wallet = ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, "m/44'/60'/0'/0/4").connect(provider);
const RECIPIENT = '0x000000000000000000000000000000000000c0DE';
const store = compileStore();

async function stream() {
  const factory = new ethers.ContractFactory(store.abi, store.bytecode, wallet);
  const c = await factory.deploy(0);
  const deployReceipt = await c.deploymentTransaction().wait();
  const address = await c.getAddress();
  appendFileSync(file, JSON.stringify({ store: address, block: deployReceipt.blockNumber }) + '\n');
  let nonce = await provider.getTransactionCount(wallet.address);
  const total = Number(count || 400);
  let value = 0n;
  let paid = 0n;
  let sent = 0;
  try {
    for (let i = 1; i <= total; i++) {
      const tx = i % 2 === 1
        ? { to: address, data: c.interface.encodeFunctionData('set', [i]), gasLimit: 100000n }
        : { to: RECIPIENT, value: BigInt(i) * 1000n, gasLimit: 21000n };
      const r = await (await wallet.sendTransaction({ ...tx, nonce })).wait();
      nonce += 1;
      sent += 1;
      if (i % 2 === 1) value = BigInt(i);
      else paid += BigInt(i) * 1000n;
      appendFileSync(file, JSON.stringify({
        i, tx: r.hash, block: r.blockNumber, blockHash: r.blockHash, status: r.status,
        value: value.toString(), paid: paid.toString(),
      }) + '\n');
    }
  } catch (e) {
    console.log(`stream stopped after ${sent} transactions: ${e.shortMessage ?? e.message}`);
    return;
  }
  console.log(`stream sent all ${sent} transactions`);
}

async function verify() {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const { store: address } = lines[0];
  const records = lines.slice(1);
  check(records.length > 0, 'the stream reported no transaction');
  const head = await provider.getBlockNumber();
  const last = records[records.length - 1];
  check(head >= last.block, `head ${head} is behind the last reported block ${last.block}`);
  for (const r of records) {
    const block = await provider.getBlock(r.block);
    check(block && block.hash === r.blockHash, `block ${r.block}: hash ${block?.hash}, reported ${r.blockHash}`);
    check(block.transactions.includes(r.tx), `block ${r.block} holds ${r.tx}`);
    const receipt = await provider.getTransactionReceipt(r.tx);
    check(receipt && receipt.status === r.status && receipt.blockHash === r.blockHash, `receipt of ${r.tx}`);
    const stored = BigInt(await provider.getStorage(address, 0, r.block));
    check(stored === BigInt(r.value), `Store.value at block ${r.block}: ${stored}, reported ${r.value}`);
    const paid = await provider.getBalance(RECIPIENT, r.block);
    check(paid === BigInt(r.paid), `recipient balance at block ${r.block}: ${paid}, reported ${r.paid}`);
  }
  // Every block up to the head is whole: parent links, and a receipt for each transaction.
  let parent = null;
  for (let n = 0; n <= head; n++) {
    const block = await provider.getBlock(n);
    check(block, `block ${n} of ${head} is missing`);
    if (parent) check(block.parentHash === parent, `block ${n}: parent ${block.parentHash}, expected ${parent}`);
    parent = block.hash;
    for (const h of block.transactions) {
      const receipt = await provider.getTransactionReceipt(h);
      check(receipt && receipt.blockNumber === n, `block ${n}: transaction ${h} has no receipt there`);
    }
  }
  check((await provider.getBlock(head + 1)) === null, `a block past the head ${head}`);
  // The state at the head is the state of its last transaction, and the chain goes on.
  const nonce = await provider.getTransactionCount(wallet.address);
  const after = await (await wallet.sendTransaction({ to: RECIPIENT, value: 1n, nonce })).wait();
  check(after.status === 1 && after.blockNumber === head + 1, `new block ${after.blockNumber} after head ${head}`);
  console.log(`verified ${records.length} reported transactions in blocks ${records[0].block}..${last.block}; head ${head} (${head - last.block} mined after the last report), chain goes on at ${after.blockNumber}`);
}

if (mode === 'stream') await stream();
else if (mode === 'verify') await verify();
else {
  console.error('usage: node restart.mjs URL stream|verify FILE [N]');
  process.exit(2);
}
