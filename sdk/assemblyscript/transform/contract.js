// The zkos contract transform for the AssemblyScript compiler (`asc --transform`; compile.sh
// passes it): the counterpart of the Rust SDK's `#[contract]`. After parsing, it rewrites
// each source that declares a `@contract` class and parses it again:
//
// - `@contract class C { … }`: the storage fields get Solidity's layout, in declaration
//   order (value types packed into a slot as solc packs them, a mapping takes a whole slot):
//   a field `x: U256` becomes `x: Field<U256> = new Field<U256>(slot, offset)`, a field
//   `m: Mapping<K, V>` gets `new Mapping<K, V>(slot)`. `@getter` / `@getter("name")` on a
//   field adds Solidity's public getter (`public` is a reserved word to the parser).
// - The public methods become the ABI's functions, selector = keccak256 of the canonical
//   signature, computed here. Non-payable unless `@payable` (value reverts with empty
//   data); `@view` marks them view in the ABI. `@constructor` marks the method `deploy`
//   runs on the constructor arguments. Generated `call` and `deploy` exports decode the
//   static arguments (short calldata or an out-of-range word reverts with empty data, as
//   solc's decoder does), call the method and encode its return value.
// - `@event class E { @indexed a: Address; b: U256; }` gets a constructor taking the fields
//   in order and `emit()`; `@error class E { … }` gets the constructor and `revert()`.
// - The JSON ABI (solc's shape, entries sorted by type then name) goes into the module's
//   `zkos:abi` custom section.
//
// Bad input (an unsupported type, two contracts, a selector collision) stops the compiler
// with a message naming the declaration.

import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Transform } from "assemblyscript/transform";
import { CommonFlags, NodeKind } from "assemblyscript";
import { keccak256 } from "./keccak.js";

const SDK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../assembly/index");
const NS = "__zkos";

/** AssemblyScript type name -> [Solidity type, bytes in a storage slot]. */
const TYPES = {
  U256: ["uint256", 32],
  Address: ["address", 20],
  bool: ["bool", 1],
  u8: ["uint8", 1],
  u16: ["uint16", 2],
  u32: ["uint32", 4],
  u64: ["uint64", 8],
};

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const selectorOf = (sig) => "0x" + hex(keccak256(sig).slice(0, 4));

/** A refusal: asc prints an error's stack, so the stack is the message alone. */
class ContractError extends Error {
  constructor(message) {
    super(message);
    this.stack = message;
  }
}

function fail(source, node, message) {
  const line = source.text.substring(0, node.range.start).split("\n").length;
  throw new ContractError(`zkos contract transform: ${source.normalizedPath}:${line}: ${message}`);
}

const text = (source, node) => source.text.substring(node.range.start, node.range.end);

function decoratorName(d) {
  return d.name && d.name.kind === NodeKind.Identifier ? d.name.text : null;
}

const OURS = new Set(["contract", "payable", "view", "constructor", "getter", "event", "error", "indexed"]);

/** Our decorators on a declaration, by name (the value: the first string argument). */
function marks(node) {
  const out = new Map();
  for (const d of node.decorators || []) {
    const name = decoratorName(d);
    if (!OURS.has(name)) continue;
    const arg = d.args && d.args.length ? d.args[0] : null;
    out.set(name, { node: d, arg: arg && arg.kind === NodeKind.Literal ? arg.value : null });
  }
  return out;
}

/** The Solidity type of a type node, or a failure. */
function solType(source, typeNode) {
  const t = text(source, typeNode).trim();
  if (!(t in TYPES)) fail(source, typeNode, `unsupported ABI type \`${t}\` (supported: ${Object.keys(TYPES).join(", ")})`);
  return { as: t, sol: TYPES[t][0], size: TYPES[t][1] };
}

const param = (name, t) => ({ internalType: t.sol, name, type: t.sol });

function eventOrError(source, cls, kind, edits, tail) {
  const name = cls.name.text;
  const fields = cls.members.filter((m) => m.kind === NodeKind.FieldDeclaration && !(m.flags & CommonFlags.Static));
  const items = fields.map((f) => {
    const m = marks(f);
    if (m.has("indexed") && kind !== "event") fail(source, f, "`@indexed` is for event fields");
    if (!f.type) fail(source, f, "a field needs a type");
    return { name: f.name.text, t: solType(source, f.type), indexed: m.has("indexed"), marks: m };
  });
  for (const it of items) for (const m of it.marks.values()) edits.push(blank(m.node));
  const sig = `${name}(${items.map((i) => i.t.sol).join(",")})`;
  const ctor =
    `constructor(${items.map((i) => `${i.name}: ${i.t.as}`).join(", ")}) {` +
    items.map((i) => ` this.${i.name} = ${i.name};`).join("") +
    " }";
  let body;
  if (kind === "event") {
    if (items.filter((i) => i.indexed).length > 3) fail(source, cls, "an event has at most three indexed fields");
    const data = items.filter((i) => !i.indexed);
    const topic = `${NS}_topic_${name}`;
    tail.push(`const ${topic}: usize = memory.data<u8>([${Array.from(keccak256(sig)).join(", ")}]);`);
    body =
      ` emit(): void { const topics = new Array<Uint8Array>(0); topics.push(${NS}.wordAt(${topic}));` +
      items
        .filter((i) => i.indexed)
        .map((i) => ` { const t = new Uint8Array(32); ${NS}.encodeWord<${i.t.as}>(this.${i.name}, t, 0); topics.push(t); }`)
        .join("") +
      ` const data = new Uint8Array(${32 * data.length});` +
      data.map((i, k) => ` ${NS}.encodeWord<${i.t.as}>(this.${i.name}, data, ${32 * k});`).join("") +
      ` ${NS}.emitLog(topics, data); }`;
  } else {
    body =
      ` revert(): void { const data = new Uint8Array(${32 * items.length});` +
      items.map((i, k) => ` ${NS}.encodeWord<${i.t.as}>(this.${i.name}, data, ${32 * k});`).join("") +
      ` ${NS}.revertWith(${selectorOf(sig)}, data); }`;
  }
  edits.push(insertBeforeClose(source, cls, `\n  ${ctor}\n ${body}\n`));
  const inputs = items.map((i) => (kind === "event" ? { indexed: i.indexed, ...param(i.name, i.t) } : param(i.name, i.t)));
  return kind === "event" ? { anonymous: false, inputs, name, type: "event" } : { inputs, name, type: "error" };
}

const blank = (node) => ({ start: node.range.start, end: node.range.end, text: " ".repeat(node.range.end - node.range.start) });

function insertBeforeClose(source, cls, code) {
  const end = cls.range.end - 1;
  if (source.text[end] !== "}") fail(source, cls, "cannot find the class body's end");
  return { start: end, end, text: code };
}

function contract(source, cls, edits, tail, abi) {
  const name = cls.name.text;
  // Storage layout: solc's rules for value types and mappings.
  let slot = 0;
  let offset = 0;
  const getters = [];
  for (const f of cls.members) {
    if (f.kind !== NodeKind.FieldDeclaration || f.flags & CommonFlags.Static) continue;
    const m = marks(f);
    for (const d of m.values()) edits.push(blank(d.node));
    if (!f.type || f.initializer) fail(source, f, "a storage field has a type and no initializer");
    const type = f.type;
    const isMapping = type.kind === NodeKind.NamedType && type.name.identifier.text === "Mapping";
    let init;
    let getter;
    if (isMapping) {
      const args = type.typeArguments || [];
      if (args.length !== 2) fail(source, f, "Mapping<K, V> takes two types");
      const [k, v] = args.map((a) => solType(source, a));
      if (offset > 0) slot++;
      init = `${text(source, type)} = new ${text(source, type)}(${slot})`;
      getter = { inputs: [k], output: v, call: (args) => `self.${f.name.text}.get(${args[0]})` };
      slot++;
      offset = 0;
    } else {
      const t = solType(source, type);
      if (offset + t.size > 32) {
        slot++;
        offset = 0;
      }
      init = `${NS}.Field<${t.as}> = new ${NS}.Field<${t.as}>(${slot}, ${offset})`;
      getter = { inputs: [], output: t, call: () => `self.${f.name.text}.get()` };
      offset += t.size;
      if (offset === 32) {
        slot++;
        offset = 0;
      }
    }
    edits.push({ start: type.range.start, end: type.range.end, text: init });
    if (m.has("getter")) getters.push({ name: m.get("getter").arg || f.name.text, view: true, payable: false, ...getter });
  }
  for (const d of marks(cls).values()) edits.push(blank(d.node));

  // Functions.
  const functions = [...getters];
  let ctor = null;
  for (const meth of cls.members) {
    if (meth.kind !== NodeKind.MethodDeclaration) continue;
    const m = marks(meth);
    for (const d of m.values()) edits.push(blank(d.node));
    if (meth.flags & (CommonFlags.Private | CommonFlags.Protected | CommonFlags.Static)) continue;
    if (meth.name.text === "constructor") fail(source, meth, "use a method marked `@constructor`, not a class constructor");
    if (m.has("view") && m.has("payable")) fail(source, meth, "a function cannot be both @view and @payable");
    const sig = meth.signature;
    const inputs = sig.parameters.map((p) => ({ name: p.name.text, ...solType(source, p.type) }));
    const ret = text(source, sig.returnType).trim();
    const output = ret === "void" ? null : solType(source, sig.returnType);
    const f = {
      name: meth.name.text,
      inputs,
      output,
      view: m.has("view"),
      payable: m.has("payable"),
      call: (args) => `self.${meth.name.text}(${args.join(", ")})`,
    };
    if (m.has("constructor")) {
      if (ctor) fail(source, meth, "a contract has one constructor");
      if (output) fail(source, meth, "a constructor returns nothing");
      ctor = f;
    } else {
      functions.push(f);
    }
  }

  const seen = new Map();
  const arms = [];
  for (const f of functions) {
    const sig = `${f.name}(${f.inputs.map((i) => i.sol).join(",")})`;
    const sel = selectorOf(sig);
    if (seen.has(sel)) fail(source, cls, `selector of \`${sig}\` is also \`${seen.get(sel)}\`'s`);
    seen.set(sel, sig);
    arms.push(`  if (sel == ${sel}) {\n${body(f, 4)}  }`);
    abi.push({
      inputs: f.inputs.map((i) => param(i.name || "", i)),
      name: f.name,
      outputs: f.output ? [param("", f.output)] : [],
      stateMutability: f.payable ? "payable" : f.view ? "view" : "nonpayable",
      type: "function",
    });
  }
  if (ctor) {
    abi.push({
      inputs: ctor.inputs.map((i) => param(i.name, i)),
      stateMutability: ctor.payable ? "payable" : "nonpayable",
      type: "constructor",
    });
  }
  tail.push(
    `/** The contract's entry point for every call (generated: selector dispatch). */`,
    `export function call(): void {`,
    `  const input = ${NS}.calldata();`,
    `  ${NS}.needBytes(input, 4);`,
    `  const sel = ${NS}.selectorOf(input);`,
    `  const self = new ${name}();`,
    ...arms,
    `  ${NS}.revertEmpty();`,
    `}`,
    `/** The contract's constructor entry point (generated). */`,
    `export function deploy(): void {`,
    ctor ? `  const input = ${NS}.calldata();\n  const self = new ${name}();\n${body(ctor, 0)}` : `  ${NS}.rejectValue();\n  ${NS}.finishEmpty();`,
    `}`,
  );

  function body(f, at) {
    const lines = [];
    if (!f.payable) lines.push(`${NS}.rejectValue();`);
    if (f.inputs.length) lines.push(`${NS}.needBytes(input, ${at + 32 * f.inputs.length});`);
    const args = f.inputs.map((i, k) => {
      lines.push(`const a${k} = ${NS}.decodeWord<${i.as}>(input, ${at + 32 * k});`);
      return `a${k}`;
    });
    if (f.output) lines.push(`${NS}.finishWith<${f.output.as}>(${f.call(args)});`);
    else lines.push(`${f.call(args)};`, `${NS}.finishEmpty();`);
    return lines.map((l) => `    ${l}\n`).join("");
  }
}

function rewrite(source) {
  const edits = [];
  const tail = [];
  const abi = [];
  let found = null;
  for (const st of source.statements) {
    if (st.kind !== NodeKind.ClassDeclaration) continue;
    const m = marks(st);
    const kinds = ["contract", "event", "error"].filter((k) => m.has(k));
    if (kinds.length > 1) fail(source, st, `a class is one of @contract, @event, @error`);
    if (m.has("contract")) {
      if (found) fail(source, st, `one @contract per module (\`${found}\` is the first)`);
      found = st.name.text;
      contract(source, st, edits, tail, abi);
    } else if (m.has("event") || m.has("error")) {
      edits.push(blank(m.get(kinds[0]).node));
      abi.push(eventOrError(source, st, kinds[0], edits, tail));
    }
  }
  if (!found) return null;
  let out = source.text;
  edits.sort((a, b) => b.start - a.start);
  for (const e of edits) out = out.substring(0, e.start) + e.text + out.substring(e.end);
  let rel = path.relative(path.dirname(path.resolve(source.normalizedPath)), SDK).replace(/\\/g, "/");
  if (!rel.startsWith(".")) rel = "./" + rel;
  out += `\n// ---- generated by the zkos contract transform\nimport * as ${NS} from "${rel}";\n${tail.join("\n")}\n`;
  abi.sort((a, b) => (a.type + "\0" + (a.name || "")).localeCompare(b.type + "\0" + (b.name || "")));
  return { text: out, abi: JSON.stringify(abi) };
}

export default class ZkosContract extends Transform {
  afterParse(parser) {
    this.abi = null;
    for (const source of [...parser.sources]) {
      if (source.sourceKind >= 2 || !source.text.includes("@contract")) continue;
      const r = rewrite(source);
      if (!r) continue;
      if (this.abi) throw new ContractError("zkos contract transform: one @contract per compilation");
      this.abi = r.abi;
      if (process.env.ZKOS_AS_DUMP) this.writeFile(process.env.ZKOS_AS_DUMP, r.text, this.baseDir);
      parser.sources.splice(parser.sources.indexOf(source), 1);
      parser.donelog.delete(source.internalPath);
      parser.parseFile(r.text, source.normalizedPath, source.sourceKind === 1 || source.sourceKind === 3);
    }
  }

  afterCompile(module) {
    if (this.abi) module.addCustomSection("zkos:abi", new TextEncoder().encode(this.abi));
  }
}
