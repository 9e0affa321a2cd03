//! One error type for the whole core. The wasm layer maps each variant to a JS class.

use crate::method::Method;
use crate::text::{cat, decimal, quoted};
use serde::Serialize;
use std::fmt;

/// One problem with a request's input: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "ValidationIssue")
)]
pub struct Issue {
    /// Dotted path of the offending field (`"tags[1]"`, `"oauth.clientId"`); empty for the whole value.
    pub field: String,
    /// What is wrong, in a sentence that never repeats a secret.
    pub message: String,
    /// Where in a text the problem is (a policy file, a posture condition): 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<f64>"))]
    pub line: Option<usize>,
    /// The column on that line, 1-based, in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<f64>"))]
    pub column: Option<usize>,
}

impl Issue {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            field: field.into(),
            message: message.into(),
            line: None,
            column: None,
        }
    }

    /// The issue, placed at a line and column of the text it is about.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

/// `parent[i]`: an issue's field for a list element.
pub fn index_field(parent: &str, i: usize) -> String {
    cat(&[parent, "[", &decimal(i as u64), "]"])
}

/// `parent.name` for a plain name, `parent["posture:x"]` (JSON-quoted) for any other: an
/// issue's field for an object member.
pub fn member_field(parent: &str, name: &str) -> String {
    // By bytes: both tests accept only ASCII, and no byte of another character is ASCII.
    let plain = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match (plain, parent.is_empty()) {
        (true, true) => name.to_owned(),
        (true, false) => cat(&[parent, ".", name]),
        (false, _) => cat(&[parent, "[", &quoted(name), "]"]),
    }
}

/// The API answered with a status >= 400.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// The API's `message`, else the status text.
    pub message: String,
    /// The API sent a `data` field (the caller passes the value itself through to JS).
    pub has_data: bool,
    pub method: Method,
    pub path: String,
    /// From `Retry-After`, when the API sent one that parses.
    pub retry_after_ms: Option<u64>,
    /// Where a redirect (3xx) pointed, where the runtime exposes it.
    pub location: Option<String>,
    /// Trying the call again is safe and may help ([`crate::http::retryable`]).
    pub retryable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Bad input, found before anything was sent.
    Validation(Vec<Issue>),
    Api(ApiError),
    /// A 2xx response whose body is not what the operation returns (not JSON, truncated,
    /// wrongly shaped or over the size limit).
    Response {
        status: u16,
        method: Method,
        path: String,
        reason: String,
    },
    /// The request could not be completed (after retries): `message` is the runtime's.
    Network {
        method: Method,
        path: String,
        message: String,
        retryable: bool,
    },
    /// An attempt exceeded `timeoutMs` (after retries).
    Timeout {
        method: Method,
        path: String,
        timeout_ms: u64,
        retryable: bool,
    },
    /// An OAuth authorization callback carried `error` (RFC 6749 §4.1.2.1): the person
    /// declined, or the authorization server refused the request.
    Authorization {
        error: String,
        description: Option<String>,
    },
}

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation(vec![Issue::new(field, message)])
    }

    /// The message the JS error carries. Built by hand: `write!` would bring `core::fmt`
    /// into the wasm.
    pub fn message(&self) -> String {
        match self {
            Error::Validation(issues) => {
                let mut out = String::from("invalid request:");
                for (i, issue) in issues.iter().enumerate() {
                    out.push_str(if i == 0 { " " } else { "; " });
                    if !issue.field.is_empty() {
                        out.push_str(&issue.field);
                        out.push_str(": ");
                    }
                    out.push_str(&issue.message);
                }
                out
            }
            Error::Api(e) => cat(&[
                e.method.as_str(),
                " ",
                &e.path,
                " failed with ",
                &decimal(e.status.into()),
                ": ",
                &e.message,
            ]),
            Error::Response {
                status,
                method,
                path,
                reason,
            } => cat(&[
                method.as_str(),
                " ",
                path,
                " answered ",
                &decimal((*status).into()),
                " with an unusable body: ",
                reason,
            ]),
            Error::Network {
                method,
                path,
                message,
                ..
            } => cat(&[
                method.as_str(),
                " ",
                path,
                " could not be completed: ",
                message,
            ]),
            Error::Timeout {
                method,
                path,
                timeout_ms,
                ..
            } => cat(&[
                method.as_str(),
                " ",
                path,
                " timed out after ",
                &decimal(*timeout_ms),
                " ms",
            ]),
            Error::Authorization { error, description } => {
                let mut out = cat(&["authorization failed: ", error]);
                if let Some(d) = description {
                    out.push_str(" (");
                    out.push_str(d);
                    out.push(')');
                }
                out
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}
