//! revm's Ethereum precompiles, each run bracketed as host work (zkos runs precompiles as
//! host functions too).

use alloc::string::String;

use revm::context::Cfg;
use revm::context_interface::ContextTr;
use revm::handler::{EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, InterpreterResult};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, AddressSet};

use crate::host;

/// [`EthPrecompiles`] with every run between the host markers.
#[derive(Debug, Clone)]
pub struct Bracketed(EthPrecompiles);

impl Bracketed {
    /// The precompiles of `spec`.
    pub fn new(spec: SpecId) -> Bracketed {
        Bracketed(EthPrecompiles::new(spec))
    }
}

impl<CTX: ContextTr> PrecompileProvider<CTX> for Bracketed {
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: <CTX::Cfg as Cfg>::Spec) -> bool {
        <EthPrecompiles as PrecompileProvider<CTX>>::set_spec(&mut self.0, spec)
    }

    fn run(&mut self, context: &mut CTX, inputs: &CallInputs) -> Result<Option<InterpreterResult>, String> {
        if !self.0.contains(&inputs.bytecode_address) {
            return Ok(None);
        }
        host(|| self.0.run(context, inputs))
    }

    fn warm_addresses(&self) -> &AddressSet {
        self.0.warm_addresses()
    }

    fn contains(&self, address: &Address) -> bool {
        self.0.contains(address)
    }
}
