//! What an operator pastes after a browser sign-in on another machine: the full redirect URL,
//! a query string, `code#state`, or a bare code.

use url::Url;

use crate::printable::printable;

/// The code and, when the paste carried one, the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pasted {
    pub code: String,
    pub state: Option<String>,
}

/// Parse a paste, in the spec's order: full URL, `code#state`, query string, bare code.
pub fn parse(input: &str) -> anyhow::Result<Pasted> {
    let input = input.trim();
    anyhow::ensure!(
        !input.is_empty(),
        "nothing was pasted: paste the authorization code or the full redirect URL"
    );
    let pasted = if input.starts_with("http://") || input.starts_with("https://") {
        let url = Url::parse(input).map_err(|_| anyhow::anyhow!("the pasted URL is not valid"))?;
        refusal(url.query_pairs())?;
        from_query(url.query_pairs())
    } else if let Some((code, state)) = input.split_once('#') {
        Pasted {
            code: code.to_string(),
            state: Some(state.to_string()).filter(|s| !s.is_empty()),
        }
    } else if input.contains("code=") || input.contains("error=") {
        let query = input.trim_start_matches('?').as_bytes();
        refusal(url::form_urlencoded::parse(query))?;
        from_query(url::form_urlencoded::parse(query))
    } else {
        Pasted {
            code: input.to_string(),
            state: None,
        }
    };
    anyhow::ensure!(
        !pasted.code.is_empty(),
        "the paste has no authorization code: copy the whole address the browser ended on"
    );
    Ok(pasted)
}

/// A redirect that carries `error` is the issuer's refusal: say so, as the callback does.
fn refusal<'a>(
    mut pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
) -> anyhow::Result<()> {
    let (mut error, mut description) = (None, String::new());
    for (key, value) in pairs.by_ref() {
        match key.as_ref() {
            "error" => error = Some(value.into_owned()),
            "error_description" => description = value.into_owned(),
            _ => {}
        }
    }
    match error {
        Some(error) => anyhow::bail!(
            "{}: open the sign-in address again",
            printable(format!("the sign-in was refused: {error} {description}").trim())
        ),
        None => Ok(()),
    }
}

fn from_query<'a>(
    pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
) -> Pasted {
    let mut pasted = Pasted {
        code: String::new(),
        state: None,
    };
    for (key, value) in pairs {
        match key.as_ref() {
            "code" => pasted.code = value.into_owned(),
            "state" => pasted.state = Some(value.into_owned()),
            _ => {}
        }
    }
    pasted
}

/// The code, after checking that a state present in the paste is the one this sign-in sent.
pub fn code_for(pasted: Pasted, expected_state: &str) -> anyhow::Result<String> {
    match pasted.state {
        Some(state) if state != expected_state => anyhow::bail!(
            "the pasted state does not match this sign-in (an old or someone else's link): paste the address this sign-in ended on"
        ),
        _ => Ok(pasted.code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(code: &str, state: Option<&str>) -> Pasted {
        Pasted {
            code: code.into(),
            state: state.map(str::to_string),
        }
    }

    #[test]
    fn every_form_of_paste() {
        assert_eq!(
            parse(" http://localhost:1455/auth/callback?code=abc&state=s1 \n").unwrap(),
            p("abc", Some("s1"))
        );
        assert_eq!(parse("abc#s1").unwrap(), p("abc", Some("s1")));
        assert_eq!(parse("?code=abc&state=s1").unwrap(), p("abc", Some("s1")));
        assert_eq!(parse("code=abc").unwrap(), p("abc", None));
        assert_eq!(parse("abc").unwrap(), p("abc", None));
        assert!(parse("   ").is_err());
        assert!(parse("http://localhost:1455/auth/callback?state=s1").is_err());
        let refused = "http://localhost:1455/auth/callback?error=access_denied&error_description=The+user+said+no%1B&state=s1";
        assert_eq!(
            parse(refused).unwrap_err().to_string(),
            "the sign-in was refused: access_denied The user said no\\u{1b}: open the sign-in address again"
        );
        assert!(parse("?error=access_denied")
            .unwrap_err()
            .to_string()
            .starts_with("the sign-in was refused"));
    }

    #[test]
    fn a_different_state_is_refused() {
        assert_eq!(code_for(p("abc", Some("s1")), "s1").unwrap(), "abc");
        assert_eq!(code_for(p("abc", None), "s1").unwrap(), "abc");
        assert!(code_for(p("abc", Some("s2")), "s1").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(input in ".*", state in "[a-f0-9]{0,32}") {
            if let Ok(pasted) = parse(&input) {
                let _ = code_for(pasted, &state);
            }
        }

        #[test]
        fn urls_round_trip(code in "[A-Za-z0-9_-]{1,40}", state in "[a-f0-9]{32}") {
            let url = format!("http://localhost:1455/auth/callback?code={code}&state={state}");
            prop_assert_eq!(parse(&url).unwrap(), p(&code, Some(&state)));
        }
    }
}
