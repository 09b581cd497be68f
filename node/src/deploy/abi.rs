//! Constructor arguments: `--constructor 'constructor(uint256,string)' 42 hello` ABI-encoded
//! as Solidity encodes a constructor's arguments (the parameters, no selector), through
//! alloy's dynamic ABI.

use alloy_dyn_abi::{DynSolType, DynSolValue};

use super::error::{Error, Result};

/// The parameter types of a signature written `constructor(T1,T2)`, `(T1,T2)` or `T1,T2`.
pub fn parameter_types(signature: &str) -> Result<Vec<DynSolType>> {
    let sig = signature.trim();
    let tuple = match sig.find('(') {
        Some(open) => {
            let name = sig[..open].trim();
            if !name.is_empty() && name != "constructor" {
                return Err(Error::Usage(format!(
                    "--constructor {signature}: expected `constructor(types)`, `(types)` or `types`, not a function named {name}"
                )));
            }
            sig[open..].to_string()
        }
        None => format!("({sig})"),
    };
    match DynSolType::parse(&tuple) {
        Ok(DynSolType::Tuple(types)) => Ok(types),
        Ok(other) => Ok(vec![other]),
        Err(e) => Err(Error::Usage(format!("--constructor {signature}: {}", first_line(&e.to_string())))),
    }
}

/// The ABI encoding of `args` (as written on the command line) under `signature`.
pub fn encode(signature: &str, args: &[String]) -> Result<Vec<u8>> {
    let types = parameter_types(signature)?;
    if types.len() != args.len() {
        return Err(Error::Usage(format!(
            "--constructor {signature}: {} argument{} expected, {} given",
            types.len(),
            if types.len() == 1 { "" } else { "s" },
            args.len()
        )));
    }
    let mut values = Vec::with_capacity(args.len());
    for (i, (ty, arg)) in types.iter().zip(args).enumerate() {
        let value = ty.coerce_str(arg).map_err(|e| {
            Error::Usage(format!(
                "--constructor argument {} `{arg}` is not a {ty}: {}",
                i + 1,
                first_line(&e.to_string())
            ))
        })?;
        values.push(value);
    }
    Ok(DynSolValue::Tuple(values).abi_encode_params())
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_static_and_dynamic_parameters() {
        let out = encode("constructor(uint256,string)", &["42".into(), "hi".into()]).unwrap();
        let mut expected = vec![0u8; 128];
        expected[31] = 42;
        expected[63] = 0x40; // offset of the string
        expected[95] = 2; // its length
        expected[96..98].copy_from_slice(b"hi");
        assert_eq!(out, expected);
        assert_eq!(encode("uint256", &["7".into()]).unwrap()[31], 7);
        assert!(encode("()", &[]).unwrap().is_empty());
    }

    #[test]
    fn bad_signatures_and_arguments_are_one_line_errors() {
        let e = encode("constructor(uint256)", &[]).unwrap_err().to_string();
        assert_eq!(e, "--constructor constructor(uint256): 1 argument expected, 0 given");
        let e = encode("(uint8)", &["300".into()]).unwrap_err().to_string();
        assert!(e.starts_with("--constructor argument 1 `300` is not a uint8"), "{e}");
        assert!(encode("transfer(address)", &["0x00".into()]).is_err());
        assert!(encode("(uint257)", &["1".into()]).is_err());
    }
}
