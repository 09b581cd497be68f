//! A small blocking JSON-RPC client over HTTP (ureq): one request, one answer.

use std::time::Duration;

use serde_json::{json, Value};

use super::error::{Error, Result};

/// A JSON-RPC endpoint.
pub struct Rpc {
    url: String,
    agent: ureq::Agent,
}

/// An error object the node answered with.
#[derive(Debug)]
pub struct RpcError {
    /// The JSON-RPC code.
    pub code: i64,
    /// The message.
    pub message: String,
    /// The `data` member, if any (revert bytes, for instance).
    pub data: Option<Value>,
}

impl RpcError {
    /// Whether the node does not know the method.
    pub fn is_unknown_method(&self) -> bool {
        self.code == -32601
    }
}

impl Rpc {
    /// A client for `url` (plain `http://`).
    pub fn new(url: &str) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .timeout_connect(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build();
        Self { url: url.to_string(), agent: config.into() }
    }

    /// The endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method`; the outer error is the transport's (node unreachable, not JSON-RPC),
    /// the inner one the node's answer.
    pub fn call(&self, method: &str, params: Value) -> Result<Result<Value, RpcError>> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
        let unreachable = |why: String| Error::Node(format!("node unreachable at {}: {why}", self.url));
        let mut response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body.as_str())
            .map_err(|e| unreachable(e.to_string()))?;
        let status = response.status();
        let text = response.body_mut().read_to_string().map_err(|e| unreachable(e.to_string()))?;
        let answer: Value = serde_json::from_str(&text).map_err(|_| {
            let start: String = text.chars().take(80).collect();
            Error::Node(format!("{} answered {method} with HTTP {status} and no JSON-RPC body: {start}", self.url))
        })?;
        if let Some(err) = answer.get("error") {
            return Ok(Err(RpcError {
                code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: err.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
                data: err.get("data").cloned(),
            }));
        }
        match answer.get("result") {
            Some(v) => Ok(Ok(v.clone())),
            None => Err(Error::Node(format!("{} answered {method} with neither result nor error", self.url))),
        }
    }

    /// Calls `method` and takes any error answer as a failure of the node.
    pub fn request(&self, method: &str, params: Value) -> Result<Value> {
        self.call(method, params)?.map_err(|e| Error::Node(format!("{method}: {} (code {})", e.message, e.code)))
    }

    /// A quantity result (`0x…`) as u128.
    pub fn quantity(&self, method: &str, params: Value) -> Result<u128> {
        let v = self.request(method, params)?;
        parse_quantity(&v).ok_or_else(|| Error::Node(format!("{method}: not a quantity: {v}")))
    }
}

/// A hex quantity as u128.
pub fn parse_quantity(v: &Value) -> Option<u128> {
    let s = v.as_str()?;
    u128::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}
